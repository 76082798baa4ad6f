'use client';
/** The domain-shift t-SNE of one round: colour = centre, shape = label. */
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { tsneGroups } from '../../lib/charts';
import { ErrorBox, Loading } from '../status';
import { useJson } from '../use-json';
import type { TsneData } from './types';

export function TsneChart({ run, round, refresh }: { run: string; round: number; refresh: unknown }) {
  const t = useJson<TsneData>(`/api/coordinator/runs/${encodeURIComponent(run)}/rounds/${round}/tsne`, refresh);
  if (t.status === 404) return <p className="muted">No t-SNE for round {round} yet (the sites send their feature embeddings after evaluation).</p>;
  if (t.error && !t.data) return <ErrorBox error={t.error} status={t.status} />;
  if (!t.data) return <Loading what="t-SNE" />;
  const groups = tsneGroups(t.data.points);
  const f = (v: number | undefined, d = 3) => (typeof v === 'number' ? v.toFixed(d) : '–');
  return (
    <>
      <div style={{ height: 320 }} data-testid="tsne-chart" data-points={t.data.points.length}>
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 6, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" dataKey="x" name="t-SNE 1" tick={false} />
            <YAxis type="number" dataKey="y" name="t-SNE 2" tick={false} />
            <Tooltip cursor={{ strokeDasharray: '3 3' }} />
            <Legend />
            {groups.map((g) => (
              <Scatter key={`${g.centre}-${g.label}`} name={`${g.centre} · ${g.label}`} data={g.points} fill={g.colour} shape={g.shape} isAnimationActive={false} />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      </div>
      <p className="muted">
        {t.data.points.length} points; KL {f(t.data.kl)}, trustworthiness {f(t.data.trustworthiness)}, perplexity {f(t.data.perplexity, 0)}
        {t.data.noise_sigma !== undefined ? `, noise σ ${f(t.data.noise_sigma)}` : ''}. Colour: centre; shape: label.
      </p>
    </>
  );
}
