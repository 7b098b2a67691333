/**
 * Builds a page bundle (an IIFE) from a browser entry with esbuild, in memory.
 * Bundles are cached per entry for the life of the process.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { PageAssets } from './browser';

const cache = new Map<string, Promise<string>>();

export function bundle(entry: URL): Promise<string> {
  const file = fileURLToPath(entry);
  let built = cache.get(file);
  if (!built) {
    built = build({
      entryPoints: [file],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      write: false,
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]!.text);
    cache.set(file, built);
  }
  return built;
}

/** An empty page that runs one bundle. */
export async function pageAssets(entry: URL): Promise<PageAssets> {
  const script = await bundle(entry);
  return {
    '/index.html': [
      'text/html',
      '<!doctype html><meta charset="utf-8"><title>firecall lab</title><body><script src="/app.js"></script></body>',
    ],
    '/app.js': ['text/javascript', script],
  };
}
