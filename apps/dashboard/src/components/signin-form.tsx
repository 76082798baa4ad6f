'use client';
import { useState, type FormEvent } from 'react';

export function SignInForm({ targets }: { targets: { value: string; label: string }[] }) {
  const [target, setTarget] = useState(targets[0]?.value ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const r = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target, username: f.get('username'), password: f.get('password') }) });
      const j = (await r.json().catch(() => ({}))) as { error?: string; home?: string };
      if (!r.ok) throw new Error(j.error ?? `HTTP ${r.status}`);
      window.location.assign(j.home ?? '/');
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  if (!targets.length) return <div className="error">No coordinator or site is configured (UNBOX_COORDINATOR_URL, UNBOX_SITES).</div>;
  return (
    <form onSubmit={(e) => void submit(e)} className="panel" aria-label="Sign in">
      <label htmlFor="target">Sign in to</label>
      <select id="target" name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
        {targets.map((t) => (
          <option key={t.value} value={t.value}>
            {t.label}
          </option>
        ))}
      </select>
      <label htmlFor="username">User name</label>
      <input id="username" name="username" autoComplete="username" required />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      <button className="primary" type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
