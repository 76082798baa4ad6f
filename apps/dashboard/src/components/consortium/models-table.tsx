'use client';
/** Global model versions of the run (round 0 = the initial model). */
import { ErrorBox, Loading } from '../status';
import { useJson } from '../use-json';
import type { ModelVersionRow } from './types';

export function ModelsTable({ run, refresh }: { run: string; refresh: unknown }) {
  const m = useJson<{ versions: ModelVersionRow[] }>('/api/coordinator/models', refresh);
  if (m.error && !m.data) return <ErrorBox error={m.error} status={m.status} />;
  if (!m.data) return <Loading what="model versions" />;
  const rows = m.data.versions.filter((v) => v.run_id === run).sort((a, b) => a.round - b.round);
  if (!rows.length) return <p className="muted">No stored model version yet.</p>;
  return (
    <table data-testid="models-table">
      <thead>
        <tr>
          <th className="num">Round</th>
          <th>SHA-256</th>
          <th>Strategy</th>
          <th className="num">Size</th>
          <th>Stored</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((v) => (
          <tr key={v.round}>
            <td className="num">{v.round}</td>
            <td>
              <code title={v.model_hash}>{v.model_hash.slice(0, 16)}</code>
            </td>
            <td>{v.strategy}</td>
            <td className="num">{(v.bytes / 1024).toFixed(0)} KiB</td>
            <td>{new Date(v.created).toLocaleTimeString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
