/**
 * A CRM host made the way a user makes one: `npm pack` of this package, installed into a fresh
 * folder outside the repository, with static files served from that folder on 127.0.0.1.
 * Used by package.browser.test.ts; also runnable to look at the page by hand:
 *   npx tsx app/scripts/pack-host.ts   (prints the folder and the URL; Ctrl-C stops)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeBlock, readReadme, section } from './readme';

const appDir = fileURLToPath(new URL('..', import.meta.url));

export interface PackedTarball {
  file: string;
  /** Bytes of the .tgz and of its unpacked files. */
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

/** `npm pack` in app/ (prepack builds dist/) into `dir`. */
export function packTarball(dir: string): PackedTarball {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: appDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // prepack's build prints to stdout too: the JSON report is the last top-level array.
  const [report] = JSON.parse(out.slice(out.lastIndexOf('\n[') + 1)) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    files: Array<{ path: string; size: number }>;
  }>;
  const file = join(dir, report!.filename);
  return {
    file,
    size: statSync(file).size,
    unpackedSize: report!.unpackedSize,
    files: report!.files.map(({ path, size }) => ({ path, size })),
  };
}

/** The README's plain-HTML example, verbatim. */
export function readmePlainHtml(): string {
  return codeBlock(section(readReadme(), '### Plain HTML'), 'html');
}

/** The README's React component (the `### React` section), verbatim. */
export function readmeReactComponent(): string {
  return codeBlock(section(readReadme(), '### React'), 'tsx');
}

/** The README's Vue plugin options and component (the `### Vue` section), verbatim. */
export function readmeVue(): { plugin: string; component: string } {
  const vue = section(readReadme(), '### Vue');
  return { plugin: codeBlock(vue, 'ts').trim(), component: codeBlock(vue, 'vue') };
}

/** The Firebase version the README's import map loads from the CDN. */
export function readmeFirebaseVersion(html: string): string {
  const version = /gstatic\.com\/firebasejs\/([\d.]+)\//.exec(html)?.[1];
  if (!version) throw new Error("the README's import map names no Firebase CDN version");
  return version;
}

export interface Host {
  dir: string;
  /** Seconds `npm install` took. */
  installSeconds: number;
  stop(): void;
}

/** A fresh folder outside the repository with the tarball, `firebase@version` and `extra` packages installed. */
export function makeHost(tarball: string, firebaseVersion: string, extra: string[] = []): Host {
  const dir = mkdtempSync(join(tmpdir(), 'firecall-crm-'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'crm-page', private: true, type: 'module' }, null, 2)}\n`);
  const started = Date.now();
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, `firebase@${firebaseVersion}`, ...extra],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const installSeconds = (Date.now() - started) / 1000;
  return { dir, installSeconds, stop: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bytes of the files under `dir` (a host's node_modules: what installing the package costs it). */
export function folderSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** This repository's version of a dev tool (e.g. vite), so hosts build with what the package is tested with. */
export function toolVersion(name: string): string {
  const { devDependencies } = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const version = devDependencies[name];
  if (!version) throw new Error(`app/package.json has no devDependency ${name}`);
  return version;
}

/** How a host app starts Firebase: its config, and the emulators in development. */
export interface HostSetup {
  firebaseConfig: object;
  emulators?: { auth: string; functions: string; firestore: string };
}

/** The app's own startup lines: initializeApp, configure(), and its login (a custom token here) on `window.crmSignIn`. */
function firebaseStartup({ firebaseConfig, emulators }: HostSetup): string[] {
  return [
    `initializeApp(${JSON.stringify(firebaseConfig)});`,
    emulators ? `configure({ emulators: ${JSON.stringify(emulators)} });` : 'configure();',
    'Object.assign(window, { crmSignIn: (token: string) => signInWithCustomToken(getAuth(), token) });',
  ];
}

/**
 * A Vite + React 19 CRM app in `host`: the README's React component in src/TicketCall.tsx and an
 * <incoming-call>, rendered on a German page after the app's own initializeApp and configure(); built into dist/.
 */
export function buildReactApp(host: Host, setup: HostSetup): string {
  mkdirSync(join(host.dir, 'src'), { recursive: true });
  writeFileSync(
    join(host.dir, 'index.html'),
    '<!doctype html>\n<html lang="de">\n<head><meta charset="utf-8"><title>Ticket T-1042</title></head>\n<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body>\n</html>\n',
  );
  writeFileSync(join(host.dir, 'src', 'TicketCall.tsx'), readmeReactComponent());
  writeFileSync(
    join(host.dir, 'src', 'main.tsx'),
    [
      "import { initializeApp } from 'firebase/app';",
      "import { getAuth, signInWithCustomToken } from 'firebase/auth';",
      "import { createRoot } from 'react-dom/client';",
      "import { configure } from '@firecall/web/configure';",
      "import { TicketCall } from './TicketCall';",
      '',
      ...firebaseStartup(setup),
      "createRoot(document.getElementById('root')!).render(",
      "  <><incoming-call /><TicketCall ticket={{ id: 'T-1042', customerUid: 'uid-of-ana', customerName: 'Ana Weber' }} /></>,",
      ');',
      '',
    ].join('\n'),
  );
  // React 17+ JSX without a plugin: Vite reads the jsx setting from tsconfig.
  writeFileSync(
    join(host.dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        jsx: 'react-jsx',
        module: 'esnext',
        moduleResolution: 'bundler',
        target: 'es2022',
        strict: true,
        skipLibCheck: true,
      },
    }),
  );
  execFileSync(process.execPath, [join(host.dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], {
    cwd: host.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return join(host.dir, 'dist');
}

/**
 * A Vite + Vue 3 CRM app in `host`: the README's plugin options in vite.config.ts and its component in
 * src/DealCall.vue with an <incoming-call>, mounted on a German page after the app's own initializeApp,
 * configure() and defineFirecallElements(); built into dist/.
 */
export function buildVueApp(host: Host, setup: HostSetup): string {
  const { plugin, component } = readmeVue();
  mkdirSync(join(host.dir, 'src'), { recursive: true });
  writeFileSync(
    join(host.dir, 'index.html'),
    '<!doctype html>\n<html lang="de">\n<head><meta charset="utf-8"><title>Deal D-7</title></head>\n<body><div id="app"></div><script type="module" src="/src/main.ts"></script></body>\n</html>\n',
  );
  writeFileSync(
    join(host.dir, 'vite.config.ts'),
    `import vue from '@vitejs/plugin-vue';\nimport { defineConfig } from 'vite';\n\nexport default defineConfig({ plugins: [${plugin}] });\n`,
  );
  writeFileSync(join(host.dir, 'src', 'DealCall.vue'), component);
  writeFileSync(
    join(host.dir, 'src', 'main.ts'),
    [
      "import { initializeApp } from 'firebase/app';",
      "import { getAuth, signInWithCustomToken } from 'firebase/auth';",
      "import { createApp, h } from 'vue';",
      "import { configure } from '@firecall/web/configure';",
      "import { defineFirecallElements } from '@firecall/web/elements';",
      "import DealCall from './DealCall.vue';",
      '',
      ...firebaseStartup(setup),
      'defineFirecallElements();',
      'createApp({',
      "  render: () => [h('incoming-call'), h(DealCall, { deal: { id: 'D-7', title: 'Deal D-7', ownerUid: 'uid-of-ana', ownerName: 'Ana Weber' } })],",
      "}).mount('#app');",
      '',
    ].join('\n'),
  );
  execFileSync(process.execPath, [join(host.dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], {
    cwd: host.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return join(host.dir, 'dist');
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.css': 'text/css',
};

/** Serves `dir` as static files on 127.0.0.1 (a free port); `pages` are served from memory. */
export async function serveFolder(dir: string, pages: Record<string, string> = {}): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (pages[path] !== undefined) {
      res.writeHead(200, { 'content-type': types['.html']! }).end(pages[path]);
      return;
    }
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep)) return void res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the static server reported no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const html = readmePlainHtml();
  const host = makeHost(packTarball(mkdtempSync(join(tmpdir(), 'firecall-pack-'))).file, readmeFirebaseVersion(html));
  const served = await serveFolder(host.dir, { '/': html });
  console.log(`host folder ${host.dir}\nREADME page ${served.origin}/ (Firebase from its CDN, as the README says)`);
}
