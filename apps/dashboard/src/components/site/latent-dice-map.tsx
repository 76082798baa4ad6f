'use client';
/** The segmenter's latent Dice map (paper 3.3.3): predicted Dice over the PCA plane of the latent space, the site's samples, and this patient's slices on it. */
import { diceColour } from '../../lib/explanation';
import { ErrorBox, Loading } from '../status';
import { useJson } from '../use-json';
import type { LatentDice } from './types';

export function LatentDiceMap({ url }: { url: string }) {
  const m = useJson<LatentDice>(url);
  if (m.error && !m.data) return <ErrorBox error={m.error} status={m.status} />;
  if (!m.data) return <Loading what="latent Dice map (it encodes every labelled slice of the site the first time)" />;
  const d = m.data;
  const [x0, x1, y0, y1] = d.extent;
  const g = d.grid_size;
  const W = 300;
  const sx = (x: number) => ((x - x0) / (x1 - x0 || 1)) * W;
  const sy = (y: number) => W - ((y - y0) / (y1 - y0 || 1)) * W;
  const cell = W / g;
  return (
    <>
      <svg viewBox={`0 0 ${W} ${W}`} width="100%" style={{ maxWidth: 420 }} role="img" aria-label={`Latent Dice map; ${d.points.length} slices of this patient placed on it`} data-testid="latent-dice">
        {d.grid.map((v, i) => {
          const r = Math.floor(i / g);
          const c = i % g;
          return <rect key={i} x={c * cell} y={W - (r + 1) * cell} width={cell + 0.5} height={cell + 0.5} fill={diceColour(v)} />;
        })}
        {d.samples.map((s, i) => (
          <circle key={i} cx={sx(s.x)} cy={sy(s.y)} r={2} fill="#fff" stroke="#333" strokeWidth={0.5} opacity={0.8} />
        ))}
        {d.points.map((p) => (
          <g key={p.slice}>
            <circle cx={sx(p.x)} cy={sy(p.y)} r={5} fill="#e00" stroke="#fff" strokeWidth={1.5}>
              <title>{`slice ${p.slice + 1}: predicted Dice ${p.predicted_dice.toFixed(2)}${p.dice !== null ? `, measured ${p.dice.toFixed(2)}` : ''}`}</title>
            </circle>
          </g>
        ))}
      </svg>
      <p className="muted">
        PC1/PC2 explain {(100 * d.explained_variance_ratio[0]).toFixed(0)} % / {(100 * d.explained_variance_ratio[1]).toFixed(0)} % of the latent variance; map fit RMSE {d.rmse.toFixed(3)}, R² {d.r2.toFixed(2)}. Red: this patient&apos;s slices; white: the site&apos;s labelled samples. Colour: predicted Dice (dark = 0, yellow = 1).
      </p>
    </>
  );
}
