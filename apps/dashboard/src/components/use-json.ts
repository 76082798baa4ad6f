'use client';
/** Fetches JSON from the dashboard's own API with loading and error state; keeps the last data while reloading. */
import { useEffect, useState } from 'react';

export interface JsonState<T> {
  data: T | undefined;
  error: string | undefined;
  /** HTTP status of the last failure (401: signed out, 403: not allowed, 404: not there yet) */
  status: number | undefined;
  loading: boolean;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<{ status: number; body: T }> {
  const r = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  const body = (await r.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!r.ok) throw new HttpError(r.status, body?.error ?? `HTTP ${r.status}`);
  return { status: r.status, body: body as T };
}

/**
 * `refresh` changes → refetch, keeping the data shown meanwhile (live updates); `url` changes →
 * the old data is dropped at once (it belongs to another resource); `url` null → nothing to fetch.
 */
export function useJson<T>(url: string | null, refresh: unknown = 0): JsonState<T> {
  const [s, set] = useState<JsonState<T> & { url: string | null }>({ url, data: undefined, error: undefined, status: undefined, loading: url !== null });
  useEffect(() => {
    if (url === null) {
      set({ url, data: undefined, error: undefined, status: undefined, loading: false });
      return;
    }
    const ac = new AbortController();
    set((p) => (p.url === url ? { ...p, loading: true } : { url, data: undefined, error: undefined, status: undefined, loading: true }));
    getJson<T>(url, ac.signal)
      .then((r) => set({ url, data: r.body, error: undefined, status: undefined, loading: false }))
      .catch((e: Error) => {
        if (ac.signal.aborted) return;
        set((p) => ({ url, data: e instanceof HttpError && e.status === 404 ? undefined : p.data, error: e.message, status: e instanceof HttpError ? e.status : undefined, loading: false }));
      });
    return () => ac.abort();
  }, [url, refresh]);
  // until the effect runs for a new url, report nothing of the old one
  return s.url === url ? s : { data: undefined, error: undefined, status: undefined, loading: url !== null };
}
