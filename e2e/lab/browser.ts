/**
 * One headless Debian Chromium per LAN namespace, driven by playwright-core.
 * The page is served from memory at http://localhost/ (a secure origin inside
 * any namespace, so getUserMedia works) with a fake camera and microphone.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Lab, Side } from './topology';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

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
