/**
 * Monitoring data the detail pages poll from the hub: metrics history (with live samples added
 * between fetches) and presence history. Answers are applied only for the current key and never
 * older over newer.
 */
import { useEffect, useRef, useState } from 'react';
import type {
  HistoryRange,
  MetricsHistory,
  PresenceHistory,
  PresenceRange,
} from '../../src-shared/monitoring';
import { appendLiveSample } from '../components/charts/chart-data';
import { useConsole } from './context';

export interface Polled<T> {
  /** undefined: not loaded yet; null: the hub has nothing for this key. */
  data: T | null | undefined;
  error: string | null;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Fetch `load()` now, then every `periodMs`, and again whenever `trigger` changes. A new `key`
 * shows "loading" at once instead of the previous key's data.
 */
export function usePolled<T>(
  key: string,
  load: () => Promise<T | null>,
  periodMs: number,
  trigger?: unknown,
): Polled<T> {
  const [state, setState] = useState<Polled<T> & { key: string }>({ key, data: undefined, error: null });
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    let cancelled = false;
    let started = 0;
    let applied = 0;
    const fetchNow = () => {
      const id = ++started;
      const apply = (next: Polled<T>) => {
        if (cancelled || id < applied) return;
        applied = id;
        // A failed refresh keeps what is shown and says why.
        setState((s) => ({
          key,
          data: next.data === undefined && s.key === key ? s.data : next.data,
          error: next.error,
        }));
      };
      loadRef.current().then(
        (data) => apply({ data, error: null }),
        (e: unknown) => apply({ data: undefined, error: message(e) }),
      );
    };
    fetchNow();
    const timer = setInterval(fetchNow, periodMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [key, periodMs, trigger]);

  return state.key === key ? state : { data: undefined, error: null };
}

/**
 * 1 h: the hub's answer is refreshed every minute and every live sample of the server (from the fleet
 * store, pushed by the hub at the metrics interval) is added in between, so the chart moves at the
 * report rate without re-fetching an hour of buckets each time. 24 h: 5-minute buckets, refreshed
 * every minute.
 */
export const HISTORY_REFRESH_MS: Record<HistoryRange, number> = { '1h': 60_000, '24h': 60_000 };

export function useMetricsHistory(serverId: string, range: HistoryRange): Polled<MetricsHistory> {
  const { api, store } = useConsole();
  const key = `${serverId}\n${range}`;
  const [live, setLive] = useState<{ base: MetricsHistory; history: MetricsHistory } | null>(null);
  const polled = usePolled(
    key,
    () => api.call('getMetricsHistory', { serverId, range }),
    HISTORY_REFRESH_MS[range],
  );
  const fetched = polled.data;

  useEffect(() => {
    if (range !== '1h' || !fetched) return;
    let lastReceivedAt = 0;
    const add = () => {
      const m = store.getState().servers.get(serverId)?.metrics;
      if (!m || m.receivedAt === lastReceivedAt) return;
      lastReceivedAt = m.receivedAt;
      setLive((l) => {
        const from = l && l.base === fetched ? l.history : fetched;
        const next = appendLiveSample(from, m);
        return next === from && l?.base === fetched ? l : { base: fetched, history: next };
      });
    };
    // The sample already in the store may be newer than the fetch: add it now, then each new one.
    add();
    return store.subscribe(add);
  }, [store, serverId, range, fetched]);

  // Live samples count only on top of the fetch they were added to; a new fetch supersedes them.
  const data = fetched && live?.base === fetched ? live.history : fetched;
  return { data, error: polled.error };
}

export const PRESENCE_REFRESH_MS = 60_000;

/** Presence history, refreshed every minute and at once when the live presence changes (`trigger`). */
export function usePresenceHistory(
  kind: 'agent' | 'server',
  id: string,
  range: PresenceRange,
  trigger: unknown,
): Polled<PresenceHistory> {
  const { api } = useConsole();
  return usePolled(
    `${kind}\n${id}\n${range}`,
    () => api.call('getPresenceHistory', { kind, id, range }),
    PRESENCE_REFRESH_MS,
    trigger,
  );
}
