'use client';
/** Rounds: cohort, who dropped out at which secure-aggregation stage, timing. */
import { useEffect, useState } from 'react';
import { duration } from '../../lib/charts';
import type { RoundRow } from './types';

export function RoundsTable({ rounds }: { rounds: RoundRow[] }) {
  // a running round's wall time counts up every second
  const running = rounds.some((r) => r.status === 'running');
  const [, tick] = useState(0);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [running]);
  if (!rounds.length) return <p className="muted">No round has started yet.</p>;
  return (
    <table data-testid="rounds-table">
      <thead>
        <tr>
          <th className="num">Round</th>
          <th>Status</th>
          <th>Cohort</th>
          <th>Dropped (stage)</th>
          <th className="num">Wall time</th>
          <th>Model</th>
        </tr>
      </thead>
      <tbody>
        {rounds.map((r) => {
          const wall = r.wall_ms ?? (r.started_at && r.ended_at ? r.ended_at - r.started_at : r.started_at ? Date.now() - r.started_at : null);
          return (
            <tr key={`${r.round}-${r.attempt ?? 1}`} data-testid={`round-${r.round}`} data-status={r.status}>
              <td className="num">
                {r.round}
                {r.attempt && r.attempt > 1 ? <span className="muted"> (attempt {r.attempt})</span> : null}
              </td>
              <td>
                <span className={`badge ${r.status === 'done' ? 'ok' : r.status === 'running' ? 'warn' : 'bad'}`}>{r.status}</span>
                {r.phase && r.status === 'running' ? <span className="muted"> {r.phase}</span> : null}
              </td>
              <td>{r.cohort.join(', ') || '–'}</td>
              <td>
                {r.dropouts.length
                  ? r.dropouts.map((d) => (
                      <span key={`${d.site}-${d.stage}`} title={d.reason} className="badge bad" style={{ marginRight: 4 }}>
                        {d.site} @ {d.stage}
                      </span>
                    ))
                  : '–'}
              </td>
              <td className="num">{duration(wall)}</td>
              <td className="muted">{r.model_hash ? r.model_hash.slice(0, 12) : '–'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
