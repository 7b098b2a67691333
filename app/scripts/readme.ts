/** Reading the repository README: its sections and code blocks are the package's docs and its tests' pages. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));

export function readReadme(): string {
  return readFileSync(readmePath, 'utf8');
}

/** The lines from a heading (`## Title`, `### Title`) up to the next heading of the same or a higher level. */
export function section(markdown: string, heading: string): string {
  const level = /^#+/.exec(heading)?.[0].length ?? 0;
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0 || level === 0) throw new Error(`README.md has no "${heading}" heading`);
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  return lines
    .slice(start, end < 0 ? undefined : end)
    .join('\n')
    .trim();
}

/** The first fenced code block of a language in a piece of markdown, exactly as written. */
export function codeBlock(markdown: string, language: string): string {
  const match = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```', 'm').exec(markdown);
  if (!match) throw new Error(`no \`\`\`${language} block found`);
  return match[1]!;
}
