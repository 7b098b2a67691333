/**
 * Writes app/custom-elements.json and the elements' generated typings from src/elements/contract.ts.
 * Run: npx tsx app/scripts/custom-elements.ts
 *   --check   fail when either file is stale
 *   --readme  print the README's attribute/event/part/CSS tables instead
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cssProperties, customElementsManifest, elements, elementTypingsSource } from '../src/elements/contract';

const outputs = [
  {
    file: fileURLToPath(new URL('../custom-elements.json', import.meta.url)),
    text: `${JSON.stringify(customElementsManifest(), null, 2)}\n`,
  },
  { file: fileURLToPath(new URL('../src/elements/attributes.generated.ts', import.meta.url)), text: elementTypingsSource() },
];
if (process.argv.includes('--readme')) {
  console.log(readmeTables());
} else if (process.argv.includes('--check')) {
  const stale = outputs.filter(({ file, text }) => {
    try {
      return readFileSync(file, 'utf8') !== text;
    } catch {
      return true; // missing counts as stale
    }
  });
  for (const { file } of stale) console.error(`${file} is stale: run npx tsx app/scripts/custom-elements.ts`);
  if (stale.length) process.exit(1);
  console.log('custom-elements.json and the element typings are up to date');
} else {
  for (const { file, text } of outputs) {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}

function readmeTables(): string {
  const row = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const table = (head: string[], rows: string[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
  const out: string[] = [];
  for (const el of elements) {
    out.push(`#### \`<${el.tagName}>\`\n\n${el.description}\n`);
    out.push(
      table(
        ['Attribute', 'Property', 'Type', 'Description'],
        el.members.map((m) => [m.attribute ? `\`${m.attribute}\`` : '—', `\`${m.name}\``, `\`${m.type}\``, m.description]),
      ),
    );
    out.push('');
    out.push(
      table(
        ['Method', 'Returns', 'Description'],
        el.methods.map((m) => [`\`${m.name}()\``, `\`${m.returns}\``, m.description]),
      ),
    );
    out.push('');
    out.push(
      table(
        ['Event (bubbles, composed)', 'detail', 'When'],
        el.events.map((e) => [`\`${e.name}\``, `\`${e.detail}\``, e.description]),
      ),
    );
    out.push('');
    out.push(
      table(
        ['Part', 'What'],
        el.parts.map((p) => [`\`${p.name}\``, p.description]),
      ),
    );
    out.push('');
  }
  out.push('#### CSS custom properties (all elements; set them on the element itself, e.g. `video-call { … }`)\n');
  out.push(
    table(
      ['Property', 'Default', 'What'],
      cssProperties.map((p) => [`\`${p.name}\``, `\`${p.default}\``, p.description]),
    ),
  );
  return out.join('\n');
}
