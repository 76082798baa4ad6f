'use client';
/**
 * Asks the site agent for a patient's explanation and follows its progress: the agent answers 202
 * {status, progress} while computing (it may take minutes), 200 with explanation.json when done.
 * Polls once a second without blocking the page; stops when the patient or parameters change.
 * The dashboard's relay has parsed a 200 body with the explanation.json schema (a malformed one is
 * its 502 naming the field), so the body is that schema's type here.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ExplainProgress, Explanation } from './types';

/** the relay's answers: 202 progress, 200 explanation.json (schema-checked by the relay), errors */
type Answer = { status: string; progress?: ExplainProgress } | Explanation | { error: string };

export type ExplainState =
  | { state: 'idle' }
  | { state: 'computing'; progress: ExplainProgress | null }
  | { state: 'done'; explanation: Explanation }
  | { state: 'failed'; error: string; status?: number };

export function useExplanation(base: string, query: string): { s: ExplainState; start: () => void } {
  const [s, set] = useState<ExplainState>({ state: 'idle' });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const gen = useRef(0);
  useEffect(() => {
    gen.current++;
    set({ state: 'idle' });
    if (timer.current) clearTimeout(timer.current);
    return () => {
      gen.current++;
      if (timer.current) clearTimeout(timer.current);
    };
  }, [base, query]);
  const start = useCallback(() => {
    const mine = ++gen.current;
    set({ state: 'computing', progress: null });
    const poll = async () => {
      try {
        const r = await fetch(`${base}/explanation?${query}`, { cache: 'no-store' });
        if (mine !== gen.current) return;
        const j = (await r.json().catch(() => null)) as Answer | null;
        if (r.status === 202) {
          set({ state: 'computing', progress: (j && 'progress' in j && j.progress) || null });
          timer.current = setTimeout(() => void poll(), 1000);
        } else if (r.status === 200 && j && 'task' in j) set({ state: 'done', explanation: j });
        else set({ state: 'failed', error: (j && 'error' in j && j.error) || `HTTP ${r.status}`, status: r.status });
      } catch (e) {
        if (mine === gen.current) set({ state: 'failed', error: (e as Error).message });
      }
    };
    void poll();
  }, [base, query]);
  return { s, start };
}
