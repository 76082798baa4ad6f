/**
 * The per-centre table printed after each federated round, from that round's entry of
 * runs/<run-id>/summary.json: patient-level metrics of each centre's own splits under the
 * round's global model (segment runs: mean Dice per split).
 */
import type { RoundSummary } from '@unbox/protocol';

const num = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '—' : v.toFixed(digits));

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

type Split = NonNullable<RoundSummary['metrics'][string]['train']>;

function meanDice(s: Split | undefined): number | null {
  const values: number[] = [];
  for (const byThickness of Object.values(s?.dice ?? {})) for (const d of Object.values(byThickness ?? {})) if (d?.mean !== null && d?.mean !== undefined) values.push(d.mean);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export function resultsTable(r: RoundSummary, rounds: number, task: 'classify' | 'segment'): string {
  const dropped = r.dropped.length ? r.dropped.map((d) => `${d.site} (${d.stage})`).join(', ') : 'none';
  const head = `round ${r.round}/${rounds}: ${r.status ?? 'done'} in ${r.wall_s.toFixed(1)} s; cohort ${r.cohort.join(', ')}; dropped ${dropped}${r.model_hash ? `; model ${r.model_hash.slice(0, 12)}` : ''}`;
  const centres = Object.keys(r.metrics).sort();
  if (centres.length === 0) return `${head}\n  (no metrics reported)`;
  const rows: string[][] =
    task === 'classify'
      ? [['centre', 'train AUC', 'val AUC', 'test n', 'test acc', 'test sens', 'test spec', 'test AUC']]
      : [['centre', 'train Dice', 'val Dice', 'test Dice']];
  for (const c of centres) {
    const m = r.metrics[c];
    if (task === 'classify') {
      const t = m.test?.patient;
      rows.push([c, num(m.train?.patient?.auc), num(m.val?.patient?.auc), t ? String(t.n) : '—', num(t?.acc), num(t?.sensitivity), num(t?.specificity), num(t?.auc)]);
    } else rows.push([c, num(meanDice(m.train)), num(meanDice(m.val)), num(meanDice(m.test))]);
  }
  return [head, ...pad(rows).map((l) => `  ${l}`)].join('\n');
}
