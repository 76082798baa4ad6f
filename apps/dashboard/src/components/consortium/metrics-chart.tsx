'use client';
/** Per-centre AUC / accuracy / sensitivity / specificity over rounds (classifier); Dice per modality and thickness (segmenter). */
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { BINARY_METRICS, colourOf, diceGroups, hasBinaryMetrics, diceSeries, metricSeries, pct, type BinaryMetric, type SplitName } from '../../lib/charts';
import type { RoundRow } from './types';

const UNIT_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

export function MetricsChart({ rounds, split }: { rounds: RoundRow[]; split: SplitName }) {
  const groups = diceGroups(rounds);
  // a segmenter run reports Dice only: no classification buttons for it
  const binary = hasBinaryMetrics(rounds) || !groups.length ? BINARY_METRICS.map((m) => ({ key: m.key as string, label: m.label })) : [];
  const options = [...binary, ...groups.map((g) => ({ key: `dice:${g.key}`, label: `Dice ${g.key}` }))];
  const [sel, setSel] = useState<string>('auc');
  if (!rounds.length) return <p className="muted">Metrics appear when the first round is evaluated.</p>;
  const chosen = options.some((o) => o.key === sel) ? sel : (groups.length ? `dice:${groups[0].key}` : 'auc');
  const g = chosen.startsWith('dice:') ? groups.find((x) => `dice:${x.key}` === chosen) : undefined;
  const { rows, centres } = g ? diceSeries(rounds, g.modality, g.thickness, split) : metricSeries(rounds, chosen as BinaryMetric, split);
  const empty = rows.every((r) => centres.every((c) => r[c] === null));
  return (
    <>
      <div className="row" role="group" aria-label="Metric">
        {options.map((o) => (
          <button key={o.key} type="button" aria-pressed={o.key === chosen} onClick={() => setSel(o.key)}>
            {o.label}
          </button>
        ))}
      </div>
      {empty ? (
        <p className="muted">No centre reported this metric on its {split} split{g ? ' (no scans of that kind there)' : ' (AUC needs both classes in the split)'}.</p>
      ) : (
        <div style={{ height: 260 }} data-testid="metrics-chart">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={rows} margin={{ top: 10, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="round" allowDecimals={false} label={{ value: 'round', position: 'insideBottomRight', offset: -2 }} />
              <YAxis domain={[0, 1]} ticks={UNIT_TICKS} tickFormatter={(v: number) => v.toFixed(1)} />
              <Tooltip formatter={(v) => pct(typeof v === 'number' ? v : null)} />
              <Legend />
              {centres.map((c) => (
                <Line key={c} type="monotone" dataKey={c} name={`centre ${c}`} stroke={colourOf(centres, c)} strokeWidth={2} dot connectNulls isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </>
  );
}
