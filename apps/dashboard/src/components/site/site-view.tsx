'use client';
/** A site's clinicians' view: the patient list with scores; the chosen patient's viewer and explanations. */
import { useState } from 'react';
import { hiddenIn, NO_CHOICE, patientView, setShown } from '../../lib/ventricles';
import { ErrorBox, Loading, Panel } from '../status';
import { useJson } from '../use-json';
import { PatientList } from './patient-list';
import { PatientView } from './patient-view';
import type { PatientRow, SiteInfo } from './types';

export function SiteView({ site }: { site: string }) {
  const api = `/api/sites/${encodeURIComponent(site)}`;
  const info = useJson<SiteInfo>(`${api}/site`);
  const tasks = info.data?.tasks ?? [];
  const [chosen, setChosen] = useState<'classify' | 'segment' | null>(null);
  const task = chosen ?? tasks[0] ?? null;
  const patients = useJson<{ task: string; model?: { hash: string; step: number }; patients: PatientRow[] }>(task ? `${api}/patients?task=${task}` : null);
  const [picked, setPicked] = useState<string | null>(null);
  // the ventricles hidden in the segmentation overlay belong to the patient view, not to the viewer
  // component: kept however often the view renders or mounts again, dropped when another patient is chosen
  const view = picked && task ? patientView(task, picked) : null;
  const [ventricles, setVentricles] = useState(NO_CHOICE);
  const hidden = hiddenIn(ventricles, view);
  const onShown = (cls: number, shown: boolean) => view && setVentricles((c) => setShown(c, view, cls, shown));
  const pickTask = (t: 'classify' | 'segment') => {
    setChosen(t);
    setPicked(null);
  };
  return (
    <div className="viewer" style={{ gridTemplateColumns: 'minmax(260px, 340px) 1fr' }}>
      <Panel title="Patients" id="patients">
        {info.data && (
          <p className="muted">
            Models served: {Object.entries(info.data.models ?? {}).map(([t, m]) => `${t} (step ${m.step}, ${m.hash.slice(0, 8)})`).join('; ') || info.data.tasks.join(', ')}
          </p>
        )}
        {info.loading && !info.data && <Loading what="the site's models" />}
        {info.error && <ErrorBox error={info.error} status={info.status} />}
        {tasks.length > 1 && (
          <div className="row" role="group" aria-label="Model">
            {tasks.map((t) => (
              <button key={t} type="button" aria-pressed={t === task} onClick={() => pickTask(t)}>
                {t === 'classify' ? 'Chest CT classifier' : 'Ventricle segmenter'}
              </button>
            ))}
          </div>
        )}
        {patients.loading && !patients.data && <Loading what="patients and their scores" />}
        {patients.error && <ErrorBox error={patients.error} status={patients.status} />}
        {patients.data && task && <PatientList patients={patients.data.patients} task={task} selected={picked} onSelect={setPicked} />}
      </Panel>
      <div style={{ minWidth: 0 }}>
        {picked && task ? (
          <PatientView key={view} api={api} patient={picked} task={task} info={info.data} row={patients.data?.patients.find((p) => p.id === picked)} hidden={hidden} onShown={onShown} />
        ) : (
          <Panel title="Patient">
            <p className="muted">Choose a patient on the left (Tab to the list, Enter to open).</p>
          </Panel>
        )}
      </div>
    </div>
  );
}
