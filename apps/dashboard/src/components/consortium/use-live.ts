'use client';
/**
 * Live link to the consortium: the dashboard server's /api/live (server-sent events relayed from
 * the coordinator's socket.io /dashboard namespace). `tick` changes on every run or round event,
 * and every few seconds while the link is down (polling fallback), so views refetch.
 */
import { useEffect, useState } from 'react';

export interface Live {
  tick: number;
  connected: boolean;
  error: string | null;
  lastEvent: string | null;
}

export function useLive(pollMs = 5000): Live {
  const [s, set] = useState<Live>({ tick: 0, connected: false, error: null, lastEvent: null });
  useEffect(() => {
    let connected = false;
    const es = new EventSource('/api/live');
    const bump = (what: string) => set((p) => ({ ...p, tick: p.tick + 1, lastEvent: what }));
    es.addEventListener('status', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as { connected: boolean; error?: string };
      connected = d.connected;
      set((p) => ({ ...p, connected: d.connected, error: d.error ?? null, tick: d.connected ? p.tick + 1 : p.tick }));
    });
    es.addEventListener('run', () => bump('run'));
    es.addEventListener('round', () => bump('round'));
    es.onerror = () => {
      connected = false;
      set((p) => ({ ...p, connected: false, error: 'live link lost; polling' }));
    };
    const poll = setInterval(() => {
      if (!connected) bump('poll');
    }, pollMs);
    return () => {
      clearInterval(poll);
      es.close();
    };
  }, [pollMs]);
  return s;
}
