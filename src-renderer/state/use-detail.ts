/**
 * Fetch a detail view and fetch it again whenever `trigger` changes (the store hands a new entity
 * object each time a delta touches that id), at most once per `minIntervalMs`, trailing edge.
 * A response is applied only if it is for the current id and newer than what is shown.
 */
import { useEffect, useRef, useState } from 'react';

export interface DetailState<T> {
  /** undefined: not loaded yet; null: the hub does not know this id. */
  data: T | null | undefined;
  error: string | null;
}

export function useDetail<T>(
  key: string,
  load: () => Promise<T | null>,
  trigger: unknown,
  minIntervalMs = 1000,
): DetailState<T> {
  const [state, setState] = useState<DetailState<T> & { key: string }>({ key, data: undefined, error: null });
  const lastFetch = useRef(0);
  const requests = useRef({ started: 0, applied: 0 });
  const currentKey = useRef(key);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
    currentKey.current = key;
  });

  useEffect(() => {
    const delay = Math.max(0, lastFetch.current + minIntervalMs - Date.now());
    const timer = setTimeout(() => {
      lastFetch.current = Date.now();
      const id = ++requests.current.started;
      const apply = (next: DetailState<T>) => {
        if (currentKey.current !== key || id < requests.current.applied) return;
        requests.current.applied = id;
        setState((s) => ({
          key,
          data: next.data === undefined && s.key === key ? s.data : next.data,
          error: next.error,
        }));
      };
      loadRef.current().then(
        (data) => apply({ data, error: null }),
        (e: unknown) => apply({ data: undefined, error: e instanceof Error ? e.message : String(e) }),
      );
    }, delay);
    return () => clearTimeout(timer);
  }, [key, trigger, minIntervalMs]);

  // A new id shows "loading" right away instead of the previous entity.
  return state.key === key ? state : { data: undefined, error: null };
}
