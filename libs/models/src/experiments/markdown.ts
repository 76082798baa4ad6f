/** Markdown tables for experiment reports (numbers to 4 places, NaN as "n/a"). */
export function markdownTable<T extends object>(rows: T[], columns: (keyof T & string)[]): string {
  const cell = (v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : 'n/a') : String(v));
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${columns.map((c) => cell(r[c])).join(' | ')} |`);
  return lines.join('\n');
}
