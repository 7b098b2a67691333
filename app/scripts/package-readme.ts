/**
 * The package's README is the repository README's "Embedding the call elements" section,
 * written into app/ just for `npm pack` (prepack) and removed again after it (postpack).
 *   npx tsx app/scripts/package-readme.ts            write app/README.md
 *   npx tsx app/scripts/package-readme.ts --remove   delete it
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readReadme, section } from './readme';

const target = fileURLToPath(new URL('../README.md', import.meta.url));

if (process.argv.includes('--remove')) {
  rmSync(target, { force: true });
} else {
  const readme = readReadme();
  const intro = readme.split('\n## ')[0]!.split('\n').slice(1).join('\n').trim();
  const { name } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string };
  writeFileSync(target, `# ${name}\n\n${intro}\n\n${section(readme, '## Embedding the call elements')}\n`);
  console.log(`wrote ${target}`);
}
