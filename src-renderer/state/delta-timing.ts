/**
 * How long the console takes to take in a delta batch: the store update alone, and the store update
 * plus React's re-render and commit (see afterRender). Kept in a
 * small ring (no unbounded performance-timeline entries in a console that runs for weeks) and
 * readable from the page for benchmarks: `window.__centralizerDeltaTimings()`.
 */
export interface DeltaTiming {
  /** Entities the batch touched (agents + servers + jobs + alerts). */
  size: number;
  agents: number;
  /** Store update (new maps and counts, then zustand set with its subscribers), ms. */
  storeMs: number;
  /** Part of storeMs spent building the new maps and counts (the rest is the subscribers), ms. */
  buildMs: number;
  /** Store update + React render/commit, ms. */
  renderMs: number;
}

const CAPACITY = 256;
const ring: DeltaTiming[] = [];

export function recordDeltaTiming(timing: DeltaTiming): void {
  if (ring.length === CAPACITY) ring.shift();
  ring.push(timing);
}

export function deltaTimings(): DeltaTiming[] {
  return [...ring];
}

/**
 * Run `fn` right after React has rendered a store update: React flushes updates of external stores
 * (useSyncExternalStore) in a microtask it queues during `set()`, so a microtask queued after `set()`
 * returns runs once that render and commit are done, before any other task (the next WebSocket
 * message) can add its own work to the figure.
 */
export function afterRender(fn: () => void): void {
  queueMicrotask(fn);
}

if (typeof window !== 'undefined') {
  (window as unknown as { __centralizerDeltaTimings?: () => DeltaTiming[] }).__centralizerDeltaTimings =
    deltaTimings;
}
