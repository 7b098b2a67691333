/**
 * The bench's plain-text output, shared by its tables (setup, squeeze, steady links):
 * columns padded to their widest cell, and one line per goal.
 */

/** The header row, a rule under it, then the rows, each cell padded to its column's widest. */
export function alignedRows(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}

export function goalLine(goal: { met: boolean; text: string }): string {
  return `  ${goal.met ? 'MET    ' : 'NOT MET'} ${goal.text}`;
}
