'use client';
/** One round's figures per centre, as numbers (the charts' values, readable without a pointer). */
import { pct, roundTable, type SplitName } from '../../lib/charts';
import type { RoundRow } from './types';

export function RoundTable({ round, split }: { round: RoundRow | undefined; split: SplitName }) {
  const rows = roundTable(round, split);
  if (!round || !rows.length) return null;
  const diceKeys = [...new Set(rows.flatMap((r) => Object.keys(r.dice)))].sort();
  const binary = rows.some((r) => r.n !== null);
  return (
    <table data-testid="round-table" aria-label={`Round ${round.round}, ${split} split, per centre`}>
      <caption className="muted" style={{ textAlign: 'left' }}>
        Round {round.round}, {split} split
      </caption>
      <thead>
        <tr>
          <th>Centre</th>
          {binary && (
            <>
              <th className="num">n</th>
              <th className="num">AUC</th>
              <th className="num">Accuracy</th>
              <th className="num">Sensitivity</th>
              <th className="num">Specificity</th>
            </>
          )}
          {diceKeys.map((k) => (
            <th key={k} className="num">
              Dice {k}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.centre}>
            <td>{r.centre}</td>
            {binary && (
              <>
                <td className="num">{r.n ?? '–'}</td>
                <td className="num">{r.auc === null ? '–' : r.auc.toFixed(3)}</td>
                <td className="num">{pct(r.acc)}</td>
                <td className="num">{pct(r.sensitivity)}</td>
                <td className="num">{pct(r.specificity)}</td>
              </>
            )}
            {diceKeys.map((k) => (
              <td key={k} className="num">
                {typeof r.dice[k] === 'number' ? r.dice[k].toFixed(3) : '–'}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
