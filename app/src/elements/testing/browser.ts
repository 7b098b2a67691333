/**
 * Node-side helpers for browser tests: a Vite dev server on 127.0.0.1 and a
 * Debian Chromium driven by playwright-core. Both are stopped by the caller's afterAll.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../../../../scripts/chromium.mjs';

const appRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const artifactsDir = fileURLToPath(new URL('../../../../.artifacts/elements', import.meta.url));

export interface Harness {
  server: ViteDevServer;
  browser: Browser;
  origin: string;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  mkdirSync(artifactsDir, { recursive: true });
  const server = await createServer({
    configFile: join(appRoot, 'vite.config.ts'),
    server: { port: 0, strictPort: false, host: '127.0.0.1', hmr: false },
    logLevel: 'warn',
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite did not report a port');
  const origin = `http://127.0.0.1:${address.port}`;
  let browser: Browser;
  try {
    // playwright gives every launch a fresh temporary profile of its own.
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    server,
    browser,
    origin,
    async stop() {
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page (shadow roots included); returns violations as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown,
          ) => Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: unknown }> }> }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
  return violations;
}

/** Visible text of an element's shadow root. */
export async function shadowText(page: Page, selector: string): Promise<string> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return (el?.shadowRoot as unknown as HTMLElement | null)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  }, selector);
}
