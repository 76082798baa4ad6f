'use client';
/** Per explained slice: the CAM, the LIME and SHAP superpixel maps, and the strongest superpixels' values. */
import { Bar, BarChart, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { topContributions } from '../../lib/explanation';
import type { ClassifyExplanation } from './types';

function Values({ values, what, testid }: { values: number[]; what: string; testid: string }) {
  const top = topContributions(values, 8).map((c) => ({ ...c, name: `#${c.superpixel}` }));
  return (
    <div style={{ height: 170 }} data-testid={testid} aria-label={`${what}: ${top.map((t) => `superpixel ${t.superpixel} ${t.value.toFixed(3)}`).join(', ')}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={top} layout="vertical" margin={{ top: 2, right: 10, bottom: 2, left: 4 }}>
          <XAxis type="number" tickFormatter={(v: number) => v.toFixed(2)} />
          <YAxis type="category" dataKey="name" width={40} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
          <ReferenceLine x={0} stroke="#888" />
          <Bar dataKey="value" name={what} isAnimationActive={false}>
            {top.map((t) => (
              <Cell key={t.superpixel} fill={t.value >= 0 ? '#D55E00' : '#0072B2'} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function Superpixels({ explanation, pngUrl, onSlice }: { explanation: ClassifyExplanation; pngUrl: (name: string) => string; onSlice: (i: number) => void }) {
  return (
    <>
      {explanation.slices.map((s) => (
        <section key={s.index} style={{ marginBottom: 14 }} aria-label={`Slice ${s.index + 1}`}>
          <h3 style={{ fontSize: 15, margin: '6px 0' }}>
            <button type="button" onClick={() => onSlice(s.index)}>
              Slice {s.index + 1}
            </button>{' '}
            <span className="muted">
              score {s.score.toFixed(2)}, {s.superpixels.count} superpixels
            </span>
          </h3>
          <div className="maps">
            <figure>
              <img src={pngUrl(s.cam_png)} alt={`CAM of slice ${s.index + 1} with ${s.boxes.length} boxes`} data-testid="cam-img" />
              <figcaption>CAM (Eq. 2) with boxes</figcaption>
            </figure>
            <figure>
              <img src={pngUrl(s.lime.png)} alt={`LIME superpixel weights of slice ${s.index + 1}`} data-testid="lime-img" />
              <figcaption>
                LIME: {s.lime.num_samples} samples, local prediction {s.lime.local_pred.toFixed(3)} vs f(x) {s.lime.fx.toFixed(3)}, R² {s.lime.score.toFixed(2)}
              </figcaption>
              <Values values={s.lime.weights} what="LIME weight" testid="lime-values" />
            </figure>
            <figure>
              <img src={pngUrl(s.shap.png)} alt={`SHAP superpixel values of slice ${s.index + 1}`} data-testid="shap-img" />
              <figcaption>
                Kernel SHAP{s.shap.exact ? ' (exact)' : ''}: {s.shap.nsamples} coalitions, base {s.shap.base_value.toFixed(3)} + Σφ = f(x) {s.shap.fx.toFixed(3)}
              </figcaption>
              <Values values={s.shap.values} what="SHAP value" testid="shap-values" />
            </figure>
          </div>
        </section>
      ))}
    </>
  );
}
