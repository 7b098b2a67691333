/**
 * The demo as `firebase deploy --only hosting` ships it: the production build, served at a Hosting-like
 * origin with Hosting's /__/firebase/init.json. Google's Auth API is answered by the test (this machine has
 * no network), so what is checked is the page: it finds its project, signs in anonymously, explains a
 * project with anonymous sign-in off, and an invite link gives the other user the caller's uid.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const origin = 'https://acme-crm-test.web.app';
const webConfig = { apiKey: 'AIzaSyTest', authDomain: 'acme-crm-test.firebaseapp.com', projectId: 'acme-crm-test', appId: '1:42:web:abc' };
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

let outDir: string;
let browser: Browser;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'firecall-hosted-demo-'));
  // The build as npm run build:demo makes it (a child process: vitest's NODE_ENV=test must not leak into it).
  const env = { ...process.env };
  delete env.NODE_ENV;
  delete env.VITE_FIREBASE_CONFIG;
  const built = spawnSync(
    'npx',
    ['vite', 'build', '--config', 'app/vite.config.ts', '--mode', 'demo', '--outDir', outDir, '--emptyOutDir'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env,
    },
  );
  if (built.status !== 0) throw new Error(`demo build failed:\n${built.stdout}${built.stderr}`);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

let nextUid = 0;
/** A context where the built files and init.json are served at `origin`, and Google's Auth API as `auth` says. */
async function hostedContext(auth: 'anonymous-on' | 'anonymous-off'): Promise<BrowserContext> {
  const context = await browser.newContext();
  // Firestore and Functions are not reachable here; the page must still render who is signed in.
  // (Routes registered later win, so the Auth API below is answered.)
  await context.route(/googleapis\.com|cloudfunctions\.net/, (route) => route.abort());
  await context.route(`${origin}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/__/firebase/init.json') return route.fulfill({ json: webConfig });
    const file = path.endsWith('/') ? `${path}index.html` : path;
    try {
      return await route.fulfill({
        body: readFileSync(join(outDir, file)),
        contentType: types[extname(file)] ?? 'application/octet-stream',
      });
    } catch {
      return route.fulfill({ status: 404, body: 'Not found' });
    }
  });
  await context.route('https://identitytoolkit.googleapis.com/**', async (route) => {
    const url = route.request().url();
    if (auth === 'anonymous-off') return route.fulfill({ status: 400, json: { error: { code: 400, message: 'ADMIN_ONLY_OPERATION' } } });
    if (url.includes('accounts:signUp')) {
      const localId = `anon-${++nextUid}`;
      return route.fulfill({ json: { kind: 'x', idToken: idToken(localId), refreshToken: 'r', expiresIn: '3600', localId } });
    }
    if (url.includes('accounts:lookup')) {
      const { idToken: token } = route.request().postDataJSON() as { idToken: string };
      const { user_id } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { user_id: string };
      return route.fulfill({ json: { users: [{ localId: user_id, providerUserInfo: [] }] } });
    }
    return route.fulfill({ status: 400, json: { error: { code: 400, message: 'UNEXPECTED' } } });
  });
  return context;
}

function idToken(uid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ iss: `https://securetoken.google.com/${webConfig.projectId}`, aud: webConfig.projectId, user_id: uid, sub: uid, iat: now, exp: now + 3600, firebase: { sign_in_provider: 'anonymous' } })}.`;
}

async function open(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/${query}`);
  await page.waitForSelector('html[data-ready]');
  return page;
}

describe('demo page as deployed to Firebase Hosting', () => {
  it('reads its project from init.json, signs in anonymously and invites the other user by link', async () => {
    const context = await hostedContext('anonymous-on');
    const ana = await open(context);
    expect(await ana.locator('#mode').innerText()).toContain('Firebase project acme-crm-test: anonymous sign-in');
    await ana.click('#sign-in-ana');
    await ana.waitForSelector('html[data-signed-in="ana"]');
    expect(await ana.locator('#who').innerText()).toBe('Signed in as Ana Weber');
    // No other user yet: no video call to place, an invite link instead.
    expect(await ana.locator('#deal video-call').count()).toBe(0);
    const invite = await ana.locator('#invite-link').getAttribute('href');
    const anaUid = await ana.evaluate(() => (window as unknown as { firecallDemo: { uid: string } }).firecallDemo.uid);
    expect(anaUid).toMatch(/^anon-\d+$/);
    expect(invite).toBe(`${origin}/?peer=${anaUid}&as=ben`);

    const ben = await open(context, new URL(invite!).search);
    await ben.waitForSelector('html[data-signed-in="ben"]');
    expect(await ben.locator('#who').innerText()).toBe('Signed in as Ben Okafor');
    expect(await ben.locator('#deal video-call').getAttribute('callee')).toBe(anaUid);
    expect(await ben.locator('#deal video-call').getAttribute('callee-name')).toBe('Ana Weber');
    expect(await ben.locator('#invite-link').count()).toBe(0);
    await context.close();
  });

  it('says what to turn on when the project has anonymous sign-in off', async () => {
    const context = await hostedContext('anonymous-off');
    const page = await open(context);
    await page.click('#sign-in-ana');
    await expect
      .poll(() => page.locator('#mode').innerText(), { timeout: 10_000 })
      .toContain('anonymous sign-in is off in project acme-crm-test; turn it on under Authentication, Sign-in method.');
    expect(await page.getAttribute('html', 'data-signed-in')).toBe('');
    await context.close();
  });
});
