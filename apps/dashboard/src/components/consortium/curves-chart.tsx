'use client';
/** ROC (FPR → TPR) and PR (recall → precision) curves, one line per centre, for one round. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { colourOf, curvesOf, type SplitName } from '../../lib/charts';
import type { RoundRow } from './types';

const UNIT_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

function Chart({ round, kind, split }: { round: RoundRow; kind: 'roc' | 'pr'; split: SplitName }) {
  const curves = curvesOf(round, kind, split);
  const centres = curves.map((c) => c.centre);
  const title = kind === 'roc' ? 'ROC' : 'Precision–recall';
  if (!curves.length) return <p className="muted">No {title} points reported for round {round.round} on the {split} split (a curve needs both classes).</p>;
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className="muted">{title}</figcaption>
      <div style={{ height: 240 }} data-testid={`${kind}-chart`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart margin={{ top: 6, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" dataKey="x" domain={[0, 1]} ticks={UNIT_TICKS} tickFormatter={(v: number) => v.toFixed(1)} label={{ value: kind === 'roc' ? 'FPR' : 'recall', position: 'insideBottomRight', offset: -2 }} />
            <YAxis type="number" domain={[0, 1]} ticks={UNIT_TICKS} tickFormatter={(v: number) => v.toFixed(1)} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
            <Legend />
            {curves.map((c) => (
              <Line key={c.centre} data={c.points} dataKey="y" name={`${c.centre}${c.area !== null ? ` (AUC ${c.area.toFixed(2)})` : ''}`} stroke={colourOf(centres, c.centre)} dot={false} strokeWidth={2} isAnimationActive={false} type="linear" />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function CurvesChart({ round, split }: { round: RoundRow | undefined; split: SplitName }) {
  if (!round) return <p className="muted">Curves appear when a round is evaluated.</p>;
  return (
    <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))' }}>
      <Chart round={round} kind="roc" split={split} />
      <Chart round={round} kind="pr" split={split} />
    </div>
  );
}
