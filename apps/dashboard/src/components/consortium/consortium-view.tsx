'use client';
/** The consortium view: pick a run; its rounds, metrics, curves, t-SNE and model versions follow it live. */
import { useEffect, useState } from 'react';
import { hasBinaryMetrics, SPLITS, type SplitName } from '../../lib/charts';
import { ErrorBox, Loading, Panel } from '../status';
import { useJson } from '../use-json';
import { CurvesChart } from './curves-chart';
import { MetricsChart } from './metrics-chart';
import { ModelsTable } from './models-table';
import { RoundsTable } from './rounds-table';
import { RoundTable } from './round-table';
import { TsneChart } from './tsne-chart';
import type { RoundRow, RunRow } from './types';
import { useLive } from './use-live';

function statusBadge(s: string) {
  const cls = s === 'done' ? 'ok' : s === 'failed' || s === 'stopped' ? 'bad' : 'warn';
  return <span className={`badge ${cls}`}>{s}</span>;
}

export function ConsortiumView() {
  const live = useLive();
  // a t-SNE is embedded after its round ends: look again for a while even without an event
  const [recheck, setRecheck] = useState(0);
  const runs = useJson<{ runs: RunRow[] }>('/api/coordinator/runs', live.tick);
  const [picked, setPicked] = useState<string | null>(null);
  const list = runs.data?.runs ?? [];
  // follow the newest running run until the user picks one
  const current = picked ?? [...list].reverse().find((r) => r.status === 'running')?.run_id ?? list.at(-1)?.run_id ?? null;
  const run = list.find((r) => r.run_id === current) ?? null;
  const rounds = useJson<{ rounds: RoundRow[] }>(current ? `/api/coordinator/runs/${encodeURIComponent(current)}/rounds` : null, `${live.tick}-${recheck}`);
  const done = (rounds.data?.rounds ?? []).filter((r) => r.status === 'done');
  const tsnePending = done.some((r) => !r.tsne && r.ended_at && Date.now() - r.ended_at < 120_000);
  useEffect(() => {
    if (!tsnePending) return;
    const t = setTimeout(() => setRecheck((n) => n + 1), 3000);
    return () => clearTimeout(t);
  }, [tsnePending, recheck]);
  const [round, setRound] = useState<number | null>(null);
  const latest = done.at(-1)?.round ?? null;
  useEffect(() => setRound(null), [current]);
  const shown = round ?? latest;
  const [split, setSplit] = useState<SplitName>('test');

  return (
    <>
      <p className="live" role="status" aria-live="polite">
        Live updates:{' '}
        {live.connected ? <span className="badge ok">connected</span> : <span className="badge warn">{live.error ?? 'connecting'}</span>}
      </p>
      <Panel title="Runs" id="runs">
        {runs.loading && !runs.data && <Loading what="runs" />}
        {runs.error && <ErrorBox error={runs.error} status={runs.status} />}
        {runs.data && !list.length && <p className="muted">No runs yet. Start one with POST /api/runs or `npm start`.</p>}
        {list.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Run</th>
                <th>Name</th>
                <th>Status</th>
                <th>Strategy</th>
                <th className="num">Rounds</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.run_id} className={r.run_id === current ? 'selected' : undefined}>
                  <td>
                    <button type="button" aria-current={r.run_id === current} onClick={() => setPicked(r.run_id)}>
                      {r.run_id}
                    </button>
                  </td>
                  <td>{r.name ?? '–'}</td>
                  <td>
                    {statusBadge(r.status)} {r.failure && <span className="muted">{r.failure}</span>}
                  </td>
                  <td>{r.strategy}</td>
                  <td className="num" data-testid={`run-progress-${r.run_id}`}>
                    {r.completed_rounds}/{r.rounds}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      {run && (
        <>
          <Panel title={`Rounds of ${run.run_id}`} id="rounds">
            {rounds.loading && !rounds.data && <Loading what="rounds" />}
            {rounds.error && <ErrorBox error={rounds.error} status={rounds.status} />}
            {rounds.data && <RoundsTable rounds={rounds.data.rounds} />}
          </Panel>
          <div className="row" role="group" aria-label="Evaluation split">
            Metrics and curves of each centre&apos;s{' '}
            {SPLITS.map((s) => (
              <button key={s} type="button" aria-pressed={s === split} onClick={() => setSplit(s)}>
                {s}
              </button>
            ))}{' '}
            split (every centre evaluates each round&apos;s global model on its own data)
          </div>
          <div className="grid" style={{ marginTop: 8 }}>
            <Panel title="Per-centre metrics across rounds" id="metrics">
              {rounds.data && <MetricsChart rounds={done} split={split} />}
              <RoundTable round={done.find((r) => r.round === shown)} split={split} />
            </Panel>
            <Panel
              title={hasBinaryMetrics(done) || !done.length ? 'ROC and PR curves per centre' : 'Round'}
              id="curves"
              actions={
                done.length > 0 && (
                  <label>
                    Round{' '}
                    <select value={shown ?? ''} onChange={(e) => setRound(Number(e.target.value))} aria-label="Round shown in curves and t-SNE">
                      {done.map((r) => (
                        <option key={r.round} value={r.round}>
                          {r.round}
                        </option>
                      ))}
                    </select>
                  </label>
                )
              }
            >
              {hasBinaryMetrics(done) || !done.length ? <CurvesChart round={done.find((r) => r.round === shown)} split={split} /> : <p className="muted">A segmenter run: Dice per modality and slice thickness on the left; no ROC or PR curves. The round chosen here sets the t-SNE below.</p>}
            </Panel>
          </div>
          <div className="grid">
            <Panel title={`Domain shift: t-SNE of the features${shown ? `, round ${shown}` : ''}`} id="tsne">
              {shown ? <TsneChart key={`${run.run_id}-${shown}`} run={run.run_id} round={shown} available={done.find((r) => r.round === shown)?.tsne ?? true} /> : <p className="muted">No finished round yet.</p>}
            </Panel>
            <Panel title="Model versions" id="models">
              <ModelsTable run={run.run_id} refresh={live.tick} />
            </Panel>
          </div>
        </>
      )}
    </>
  );
}
