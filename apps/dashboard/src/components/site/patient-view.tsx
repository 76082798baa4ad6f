'use client';
/** One patient: slice viewer (window/level, CAM, boxes, segmentation) and the explanations, computed on request with progress. */
import { useMemo, useState } from 'react';
import { ErrorBox, Loading, Panel, Progress } from '../status';
import { useJson } from '../use-json';
import { LatentDiceMap } from './latent-dice-map';
import { SectionsChart } from './sections-chart';
import { SliceViewer } from './slice-viewer';
import { Superpixels } from './superpixels';
import type { PatientRow, SiteInfo, VolumeInfo } from './types';
import { useExplanation } from './use-explanation';
import { VentricleMaps } from './ventricle-maps';

/** explanation parameters (query of the site API): quick for a first look, the paper's defaults for the record */
const PRESETS: Record<string, { label: string; query: string }> = {
  quick: { label: 'Quick (2 slices, 30 superpixels, 150 LIME/SHAP samples)', query: 'top=2&segments=30&lime_samples=150&shap_samples=150' },
  standard: { label: "Standard (the paper's defaults: 3 slices, 50 superpixels, 1000 LIME samples)", query: '' },
};

export function PatientView(p: {
  api: string;
  patient: string;
  task: 'classify' | 'segment';
  info: SiteInfo | undefined;
  row: PatientRow | undefined;
  /** segmentation classes hidden in the overlay, chosen for this patient (kept by the site view) */
  hidden: ReadonlySet<number>;
  onShown: (cls: number, shown: boolean) => void;
}) {
  const { api, patient, task, info, row, hidden, onShown } = p;
  const base = `${api}/patients/${encodeURIComponent(patient)}`;
  // every patient route names the task: a site may serve the classifier and the segmenter
  const tq = `task=${task}`;
  const volume = useJson<VolumeInfo>(`${base}/volume?${tq}`);
  const [preset, setPreset] = useState('quick');
  const query = task === 'classify' && PRESETS[preset].query ? `${tq}&${PRESETS[preset].query}` : tq;
  const { s, start } = useExplanation(base, query);
  const explanation = s.state === 'done' ? s.explanation : null;
  const [slice, setSlice] = useState<number | null>(null);
  const count = volume.data?.slices ?? (explanation?.task === 'classify' ? explanation.slice_scores.length : null);
  const firstExplained = explanation?.slices[0]?.index ?? 0;
  const current = slice ?? firstExplained;
  const pngUrl = useMemo(() => (name: string) => `${base}/explanation/${encodeURIComponent(name)}?${query}`, [base, query]);

  return (
    <>
      <Panel title={`Patient ${patient}`} id="patient">
        <p className="muted">
          {row && `${row.centre} · ${row.split}${row.label !== null ? ` · label ${row.label}` : ''}${row.score !== null ? ` · score ${row.score.toFixed(3)}` : ''}`}
          {volume.data && ` · ${volume.data.modality ?? 'scan'}, ${volume.data.slices} slices, ${volume.data.width}×${volume.data.height}`}
        </p>
        {volume.error && volume.status !== 404 && <ErrorBox error={volume.error} status={volume.status} />}
        <div className="row">
          {task === 'classify' && (
          <label>
            Explanation{' '}
            <select value={preset} onChange={(e) => setPreset(e.target.value)} aria-label="Explanation quality">
              {Object.entries(PRESETS).map(([k, p]) => (
                <option key={k} value={k}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          )}
          <button type="button" className="primary" onClick={start} disabled={s.state === 'computing'} data-testid="explain">
            {s.state === 'done' ? 'Recompute' : task === 'classify' ? 'Explain (CAM, LIME, SHAP)' : 'Segment and place on the Dice map'}
          </button>
        </div>
        {s.state === 'computing' && (s.progress ? <Progress done={s.progress.done} total={s.progress.total} what={s.progress.what} /> : <Loading what="explanation" />)}
        {s.state === 'failed' && <ErrorBox error={s.error} status={s.status} />}
      </Panel>
      <div className="viewer">
        <Panel title="Slice viewer" id="viewer">
          <SliceViewer base={base} task={task} count={count} index={current} onIndex={setSlice} explanation={explanation} pngUrl={pngUrl} volume={volume.data} info={info} hidden={hidden} onShown={onShown} />
        </Panel>
        <div style={{ minWidth: 0 }}>
          {explanation?.task === 'classify' && (
            <Panel title="SIM section contributions along the scan" id="sections">
              <SectionsChart explanation={explanation} current={current} onSlice={setSlice} />
            </Panel>
          )}
          {task === 'segment' && (
            <Panel title="Latent Dice map of the segmenter" id="latent-dice">
              <LatentDiceMap url={`${base}/latent-dice?${tq}`} />
            </Panel>
          )}
          {!explanation && task === 'classify' && (
            <Panel title="Explanations">
              <p className="muted">
                {s.state === 'computing'
                  ? 'The site agent is computing the CAM, the section contributions and the LIME and SHAP maps (progress above); they appear here when done. The viewer stays usable meanwhile.'
                  : 'Press Explain to compute the CAM, the section contributions and the LIME and SHAP maps. They are computed by the site agent; the page stays usable meanwhile.'}
              </p>
            </Panel>
          )}
        </div>
      </div>
      {explanation?.task === 'segment' && (
        <Panel title={`Per-ventricle maps, slice ${current + 1}`} id="ventricles">
          <VentricleMaps explanation={explanation} index={current} pngUrl={pngUrl} onSlice={setSlice} legend={info?.segmentation_legend} />
        </Panel>
      )}
      {explanation?.task === 'classify' && (
        <Panel title="CAM, LIME and SHAP of the explained slices" id="superpixels">
          <Superpixels explanation={explanation} pngUrl={pngUrl} onSlice={setSlice} />
        </Panel>
      )}
    </>
  );
}
