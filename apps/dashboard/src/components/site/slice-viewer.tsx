'use client';
/**
 * Slice viewer: scroll with the arrow keys (or PageUp/PageDown by 5, Home/End), window/level for
 * CT, the CAM overlay with its boxes on explained slices, the segmentation overlay per ventricle.
 */
import { useState, type KeyboardEvent } from 'react';
import { SegOverlay } from './seg-overlay';
import type { Explanation, SiteInfo, VolumeInfo } from './types';

const STEP: Record<string, number> = { ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1, PageUp: -5, PageDown: 5 };

export function nextSlice(key: string, index: number, count: number): number | null {
  if (key === 'Home') return 0;
  if (key === 'End') return Math.max(0, count - 1);
  const d = STEP[key];
  if (d === undefined) return null;
  return Math.min(Math.max(0, index + d), Math.max(0, count - 1));
}

export function SliceViewer(p: {
  base: string;
  task: 'classify' | 'segment';
  count: number | null;
  index: number;
  onIndex: (i: number) => void;
  explanation: Explanation | null;
  pngUrl: (name: string) => string;
  volume: VolumeInfo | undefined;
  info: SiteInfo | undefined;
  /** segmentation classes hidden in the overlay (the patient's choice, kept above this component) */
  hidden: ReadonlySet<number>;
  onShown: (cls: number, shown: boolean) => void;
}) {
  const { base, task, count, index, onIndex, explanation, pngUrl, volume, info, hidden, onShown } = p;
  const windows = volume?.modality === 'CT' ? info?.ct_windows ?? {} : {};
  const [wl, setWl] = useState<{ window: number; level: number } | null>(null);
  const [camOn, setCamOn] = useState(true);
  const [opacity, setOpacity] = useState(0.5);
  const [segOn, setSegOn] = useState(true);
  const legend = info?.segmentation_legend ?? [];
  const [broken, setBroken] = useState<string | null>(null);
  const n = count ?? 1;
  const cls = explanation?.task === 'classify' ? explanation.slices.find((s) => s.index === index) : undefined;
  const seg = explanation?.task === 'segment' ? explanation.slices.find((s) => s.index === index) : undefined;
  const size = volume?.model_size ?? info?.models?.[task]?.input_size ?? 64;
  const q = `?task=${task}${wl ? `&window=${wl.window}&level=${wl.level}` : ''}`;
  const slicePng = `${base}/slices/${index}.png${q}`;
  const onKey = (e: KeyboardEvent) => {
    const next = nextSlice(e.key, index, n);
    if (next === null) return;
    e.preventDefault();
    onIndex(next);
  };
  const segmentTask = task === 'segment';
  return (
    <>
      <div
        className="stack"
        tabIndex={0}
        role="img"
        aria-label={`Slice ${index + 1} of ${count ?? '?'}${cls ? ', explained: CAM overlay shown' : ''}. Arrow keys change the slice.`}
        onKeyDown={onKey}
        data-testid="slice-stack"
        data-slice={index}
      >
        <img src={slicePng} alt="" data-testid="slice-img" onError={() => setBroken(slicePng)} onLoad={() => setBroken(null)} />
        {cls && camOn && <img src={pngUrl(cls.cam_png)} alt="" style={{ opacity }} data-testid="cam-overlay" />}
        {cls && camOn && (
          <svg viewBox={`0 0 ${size} ${size}`} preserveAspectRatio="none" aria-hidden="true">
            {cls.boxes.map(([x0, y0, x1, y1], i) => (
              <rect key={i} x={x0} y={y0} width={x1 - x0 + 1} height={y1 - y0 + 1} fill="none" stroke="#00ff66" strokeWidth={Math.max(0.5, size / 128)} />
            ))}
          </svg>
        )}
        {segmentTask && segOn && <SegOverlay src={`${base}/segmentation/${index}.png?task=${task}`} legend={legend} hidden={hidden} opacity={opacity} />}
      </div>
      {broken && <p className="error">Slice image could not be loaded.</p>}
      <div className="row" style={{ marginTop: 8 }}>
        <label>
          Slice {index + 1}/{count ?? '?'}{' '}
          <input type="range" min={0} max={Math.max(0, n - 1)} value={index} onChange={(e) => onIndex(Number(e.target.value))} aria-label="Slice" />
        </label>
        <span className="muted">
          <span className="kbd">↑</span>/<span className="kbd">↓</span> scroll, <span className="kbd">PgUp</span>/<span className="kbd">PgDn</span> ±5
        </span>
      </div>
      {Object.keys(windows).length > 0 && (
        <div className="row">
          <label>
            Window/level{' '}
            <select
              aria-label="Window/level preset"
              value={wl ? Object.entries(windows).find(([, w]) => w.window === wl.window && w.level === wl.level)?.[0] ?? 'custom' : 'model'}
              onChange={(e) => setWl(e.target.value === 'model' ? null : windows[e.target.value] ?? wl)}
            >
              <option value="model">as the model sees it</option>
              {Object.entries(windows).map(([k, w]) => (
                <option key={k} value={k}>
                  {k} (W {w.window}, L {w.level})
                </option>
              ))}
              {wl && !Object.values(windows).some((w) => w.window === wl.window && w.level === wl.level) && <option value="custom">custom</option>}
            </select>
          </label>
          {wl && (
            <>
              <label>
                W <input type="number" value={wl.window} min={1} step={10} onChange={(e) => setWl({ ...wl, window: Math.max(1, Number(e.target.value)) })} style={{ width: 80 }} />
              </label>
              <label>
                L <input type="number" value={wl.level} step={10} onChange={(e) => setWl({ ...wl, level: Number(e.target.value) })} style={{ width: 80 }} />
              </label>
            </>
          )}
        </div>
      )}
      <div className="row">
        {explanation?.task === 'classify' && (
          <label>
            <input type="checkbox" checked={camOn} onChange={(e) => setCamOn(e.target.checked)} /> CAM and boxes
          </label>
        )}
        {segmentTask && (
          <label>
            <input type="checkbox" checked={segOn} onChange={(e) => setSegOn(e.target.checked)} /> segmentation
          </label>
        )}
        <label>
          opacity <input type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} aria-label="Overlay opacity" />
        </label>
      </div>
      {cls && (
        <p className="muted">
          Slice score s<sub>c</sub> {cls.score.toFixed(2)} (p {cls.probability.toFixed(2)}); {cls.boxes.length} CAM box{cls.boxes.length === 1 ? '' : 'es'}.
        </p>
      )}
      {explanation?.task === 'classify' && !cls && <p className="muted">This slice was not among the explained ones: explained slices are {explanation.slices.map((s) => s.index + 1).join(', ')}.</p>}
      {segmentTask && legend.length > 0 && (
        <fieldset className="row" style={{ border: 0, padding: 0 }}>
          <legend className="muted">Ventricles shown</legend>
          {legend.map((l) => {
            const c = seg?.classes.find((x) => x.class === l.class);
            return (
              <label key={l.class}>
                <input
                  type="checkbox"
                  checked={!hidden.has(l.class)}
                  onChange={(e) => onShown(l.class, e.target.checked)}
                />{' '}
                <span style={{ display: 'inline-block', width: 12, height: 12, background: `rgb(${l.rgba[0]},${l.rgba[1]},${l.rgba[2]})`, marginRight: 4 }} />
                {l.name}
                {c && <span className="muted"> ({c.pixels} px{c.dice !== null ? `, Dice ${c.dice.toFixed(2)}` : ''})</span>}
              </label>
            );
          })}
        </fieldset>
      )}
    </>
  );
}
