'use client';
/** The domain-shift t-SNE of one round: colour = centre, shape = label. */
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { tsneGroups } from '../../lib/charts';
import { ErrorBox, Loading } from '../status';
import { useJson } from '../use-json';
import type { TsneData } from './types';

export function TsneChart({ run, round, available }: { run: string; round: number; available: boolean }) {
  const t = useJson<TsneData>(available ? `/api/coordinator/runs/${encodeURIComponent(run)}/rounds/${round}/tsne` : null);
  if (!available || t.status === 404) return <p className="muted">No t-SNE for round {round}: none of the sites that opted in to share pooled features (site.json share_features) sent any, or it is still being computed.</p>;
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
        {t.data.noise_sigma !== undefined ? `, noise σ ${f(t.data.noise_sigma)}` : ''}. One point per {t.data.unit ?? 'sample'}; colour: centre; shape: label.
      </p>
      {t.data.centre_separation && (
        <p className="muted">
          Centre separation (domain shift): silhouette {f(t.data.centre_separation.embedding.silhouette ?? undefined, 2)} in the embedding, {f(t.data.centre_separation.features.silhouette ?? undefined, 2)} in the features; {t.data.centre_separation.features.k ?? '–'}-NN same-centre agreement {f(t.data.centre_separation.features.knn_agreement ?? undefined, 2)} vs chance {f(t.data.centre_separation.features.knn_chance ?? undefined, 2)}.
        </p>
      )}
    </>
  );
}
