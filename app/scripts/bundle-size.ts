/**
 * Gzip size of each library entry in dist/lib with everything it loads (static and
 * dynamic imports), Firebase and React excluded because they stay external.
 * Run after `vite build`: npx tsx app/scripts/bundle-size.ts [--check]
 * --check fails when what a page with the elements loads (every file but the React
 * wrappers) is over the budget.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Elements, configure and engine together, gzip, Firebase excluded. */
export const PAGE_BUDGET_BYTES = 80 * 1024;

const gz = (text: string) => gzipSync(text, { level: 9 }).length;

/** Gzip bytes per entry (with its chunks) and of what a page with the elements loads, for a dist/lib folder. */
export function bundleSizes(dir: string) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const source = (file: string) => readFileSync(join(dir, file), 'utf8');
  /** Local chunks a file imports, transitively (`from "./x.js"` and `import("./x.js")`). */
  const closure = (entry: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    for (const match of source(entry).matchAll(/(?:from\s*|import\s*\(\s*|import\s*)["']\.\/([^"']+\.js)["']/g)) closure(match[1]!, seen);
    return seen;
  };
  const total = (names: Iterable<string>) => [...names].reduce((sum, f) => sum + gz(source(f)), 0);
  const entries = ['elements.js', 'configure.js', 'react.js', 'engine.js'].map((entry) => ({
    entry,
    chunks: [...closure(entry)],
    gzip: total(closure(entry)),
  }));
  const page = new Set(['elements.js', 'configure.js'].flatMap((entry) => [...closure(entry)]));
  return { entries, page: total(page), all: total(files), files: files.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const sizes = bundleSizes(fileURLToPath(new URL('../dist/lib', import.meta.url)));
  for (const { entry, chunks, gzip } of sizes.entries)
    console.log(`${entry.padEnd(14)} ${kb(gzip)} gzip with its chunks (${chunks.join(', ')})`);
  console.log(`${'page'.padEnd(14)} ${kb(sizes.page)} gzip: elements + configure, all they load (budget ${kb(PAGE_BUDGET_BYTES)})`);
  console.log(`${'everything'.padEnd(14)} ${kb(sizes.all)} gzip (${sizes.files} files; firebase and react external)`);
  if (process.argv.includes('--check') && sizes.page > PAGE_BUDGET_BYTES) {
    console.error(`over budget: a page with the elements loads ${kb(sizes.page)} gzip, the budget is ${kb(PAGE_BUDGET_BYTES)}`);
    process.exit(1);
  }
}
