'use client';
/** ROC (FPR → TPR) and PR (recall → precision) curves, one line per centre, for one round. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { colourOf, curvesOf } from '../../lib/charts';
import type { RoundRow } from './types';

function Chart({ round, kind }: { round: RoundRow; kind: 'roc' | 'pr' }) {
  const curves = curvesOf(round, kind);
  const centres = curves.map((c) => c.centre);
  const title = kind === 'roc' ? 'ROC' : 'Precision–recall';
  if (!curves.length) return <p className="muted">No {title} points reported for round {round.round}.</p>;
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className="muted">{title}</figcaption>
      <div style={{ height: 240 }} data-testid={`${kind}-chart`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart margin={{ top: 6, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" dataKey="x" domain={[0, 1]} tickFormatter={(v: number) => v.toFixed(1)} label={{ value: kind === 'roc' ? 'FPR' : 'recall', position: 'insideBottomRight', offset: -2 }} />
            <YAxis type="number" domain={[0, 1]} tickFormatter={(v: number) => v.toFixed(1)} />
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

export function CurvesChart({ round }: { round: RoundRow | undefined }) {
  if (!round) return <p className="muted">Curves appear when a round is evaluated.</p>;
  return (
    <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))' }}>
      <Chart round={round} kind="roc" />
      <Chart round={round} kind="pr" />
    </div>
  );
}
