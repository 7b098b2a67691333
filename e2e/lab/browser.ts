/**
 * One headless browser per LAN namespace: Debian's Chromium driven by playwright-core,
 * or Debian's Firefox ESR driven by puppeteer-core (./firefox.ts). The page is served
 * from memory at a loopback origin (a secure origin inside any namespace, so getUserMedia
 * works) with a fake camera and microphone.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import type { Lab, Side } from './topology';
import { launchFirefox } from './firefox';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

export type BrowserName = 'chromium' | 'firefox';
export const BROWSER_NAMES: readonly BrowserName[] = ['chromium', 'firefox'];

/** What the lab does with a page, the same in either browser (a Playwright page is one as it is). */
export interface LabPage {
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<unknown>;
}

/** A side's browser in either engine, with the page the lab drives. */
export interface LabPeer {
  side: Side;
  browser: BrowserName;
  page: LabPage;
  close(): Promise<void>;
}

const FLAGS = [
  ...chromiumArgs,
  '--autoplay-policy=no-user-gesture-required',
  // Keep timers and rendering running at full speed in a headless, unfocused page.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export interface PageAssets {
  /** Path (under http://localhost/) -> [content type, body]. */
  [path: string]: [string, string];
}

export interface Peer {
  side: Side;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function launchPeer(lab: Lab, side: Side, assets: PageAssets, entry = '/index.html'): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), `${lab.id}-${side}-`));
  const wrapper = join(dir, 'chromium-in-ns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${lab.hostNs(side)}' '${chromiumPath}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  lab.onDispose(() => rmSync(dir, { recursive: true, force: true }));

  const browser = await chromium.launch({
    executablePath: wrapper,
    // playwright-core gives every launch a fresh temporary profile.
    args: FLAGS,
    timeout: 30_000,
  });
  const close = async () => {
    await browser.close().catch(() => undefined);
  };
  // The namespace removal kills whatever is left, by pid; closing first keeps it clean.
  lab.onDispose(close);
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.route('http://localhost/**', async (route) => {
      const path = new URL(route.request().url()).pathname;
      const asset = assets[path];
      if (!asset) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({ status: 200, contentType: asset[0], body: asset[1] });
    });
    await page.goto(`http://localhost${entry}`);
    return { side, browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A side's browser, Chromium or Firefox, with `entry` open and served from `assets`. */
export async function launchLabPeer(
  lab: Lab,
  side: Side,
  assets: PageAssets,
  browser: BrowserName = 'chromium',
  entry = '/index.html',
): Promise<LabPeer> {
  if (browser === 'chromium') {
    const peer = await launchPeer(lab, side, assets, entry);
    return { side, browser, page: peer.page, close: peer.close };
  }
  const firefox = await launchFirefox(lab.hostNs(side), lab.processes);
  lab.onDispose(firefox.close);
  try {
    const page = (await firefox.browser.pages())[0] ?? (await firefox.browser.newPage());
    page.setDefaultTimeout(15_000);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = new URL(request.url());
      const asset = url.origin === FIREFOX_ORIGIN ? assets[url.pathname] : undefined;
      const response = asset ? { status: 200, contentType: asset[0], body: asset[1] } : { status: 404, body: 'not found' };
      void request.respond(response).catch(() => undefined);
    });
    // Firefox gives a page navigator.mediaDevices on http://127.0.0.1, not on http://localhost.
    await page.goto(`${FIREFOX_ORIGIN}${entry}`);
    return { side, browser, page: labPageOf(page), close: firefox.close };
  } catch (error) {
    await firefox.close();
    throw error;
  }
}

const FIREFOX_ORIGIN = 'http://127.0.0.1';

/** A puppeteer page as a LabPage: one argument per evaluation, as Playwright takes it. */
function labPageOf(page: PuppeteerPage): LabPage {
  return {
    evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) => page.evaluate(fn as (arg: unknown) => R, arg) as Promise<R>,
    exposeFunction: (name, fn) => page.exposeFunction(name, fn as (...args: unknown[]) => unknown),
  };
}
