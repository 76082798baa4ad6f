'use client';
/** Patients with the model's patient score, highest first. */
import type { PatientRow } from './types';

export function PatientList({ patients, task, selected, onSelect }: { patients: PatientRow[]; task: string; selected: string | null; onSelect: (id: string) => void }) {
  if (!patients.length) return <p className="muted">No patients in this site&apos;s manifests.</p>;
  const rows = [...patients].sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.id.localeCompare(b.id));
  return (
    <table data-testid="patient-list">
      <thead>
        <tr>
          <th>Patient</th>
          <th>Split</th>
          {task === 'classify' && <th className="num">Score</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.id} className={p.id === selected ? 'selected' : undefined}>
            <td>
              <button type="button" aria-current={p.id === selected} onClick={() => onSelect(p.id)} data-testid={`patient-${p.id}`}>
                {p.id}
              </button>
              {p.label !== null && <span className="muted"> {p.label}</span>}
            </td>
            <td>{p.split}</td>
            {task === 'classify' && (
              <td className="num" title={p.error}>
                {p.score === null ? (
                  '–'
                ) : (
                  <>
                    <span className="scorebar" style={{ width: `${Math.round(40 * p.score)}px` }} aria-hidden="true" />
                    {p.score.toFixed(2)}
                  </>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
