/**
 * Node's ESM resolution (TypeScript's "node16"/"nodenext") needs full file names in relative
 * imports; the sources, built by Vite, write them without. This gives every relative specifier
 * in dist/types its `.js` (or `/index.js`) so the types resolve under every moduleResolution.
 * Run after vue-tsc: npx tsx app/scripts/types-extensions.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const typesDir = fileURLToPath(new URL('../dist/types', import.meta.url));

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? declarationFiles(join(dir, entry.name)) : entry.name.endsWith('.d.ts') ? [join(dir, entry.name)] : [],
  );
}

/** './x' -> './x.js' or './x/index.js' when that declaration exists; anything else unchanged. */
export function withExtension(specifier: string, fromFile: string): string {
  if (!specifier.startsWith('.') || /\.(js|json)$/.test(specifier)) return specifier;
  const target = resolve(dirname(fromFile), specifier);
  if (existsSync(`${target}.d.ts`)) return `${specifier}.js`;
  if (existsSync(join(target, 'index.d.ts'))) return `${specifier}/index.js`;
  return specifier;
}

let changed = 0;
for (const file of declarationFiles(typesDir)) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(
    /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*)\2/g,
    (_whole, lead: string, quote: string, spec: string) => `${lead}${quote}${withExtension(spec, file)}${quote}`,
  );
  if (next !== text) {
    writeFileSync(file, next);
    changed++;
  }
}
console.log(`types: relative imports given file extensions in ${changed} declaration files`);
