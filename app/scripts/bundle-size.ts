/**
 * Gzip size of each library entry in dist/lib with everything it loads (static and
 * dynamic imports), Firebase and React excluded because they stay external.
 * Run after `vite build`: npx tsx app/scripts/bundle-size.ts
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dir = fileURLToPath(new URL('../dist/lib', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
const source = (file: string) => readFileSync(join(dir, file), 'utf8');
const gz = (text: string) => gzipSync(text, { level: 9 }).length;

/** Local chunks a file imports, transitively (`from "./x.js"` and `import("./x.js")`). */
function closure(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const match of source(entry).matchAll(/(?:from\s*|import\s*\(\s*|import\s*)["']\.\/([^"']+\.js)["']/g)) closure(match[1]!, seen);
  return seen;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
for (const entry of ['elements.js', 'configure.js', 'react.js', 'engine.js']) {
  const chunks = [...closure(entry)];
  const total = chunks.reduce((sum, f) => sum + gz(source(f)), 0);
  console.log(`${entry.padEnd(14)} ${kb(total)} gzip with its chunks (${chunks.join(', ')})`);
}
const all = files.reduce((sum, f) => sum + gz(source(f)), 0);
console.log(`${'everything'.padEnd(14)} ${kb(all)} gzip (${files.length} files; firebase and react external)`);
