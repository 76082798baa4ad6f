'use client';
/** Loading, error and progress states shared by the views. */
import type { ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorBox({ error, status, children }: { error: string; status?: number; children?: ReactNode }) {
  return (
    <div className="error" role="alert">
      <strong>{status === 401 ? 'Signed out' : status === 403 ? 'Not allowed' : 'Error'}:</strong> {error}
      {status === 401 && (
        <>
          {' '}
          <a href="/">Sign in again</a>
        </>
      )}
      {children}
    </div>
  );
}

export function Progress({ done, total, what }: { done: number; total: number; what: string }) {
  const pct = total > 0 ? Math.round((100 * done) / total) : 0;
  return (
    <div className="progress" role="status" aria-live="polite">
      <progress max={total > 0 ? total : undefined} value={total > 0 ? done : undefined} aria-label={`computing: ${what}`} />
      <span>
        {what} {total > 0 ? `${done}/${total} (${pct} %)` : ''}
      </span>
    </div>
  );
}

export function Panel({ title, children, id, actions }: { title: string; children: ReactNode; id?: string; actions?: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id ? `${id}-h` : undefined} id={id}>
      <header className="panel-h">
        <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
