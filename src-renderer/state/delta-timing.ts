/**
 * How long the console takes to take in a delta batch: the store update alone, and the store update
 * plus React's re-render (measured to the next macrotask, after React flushed the update). Kept in a
 * small ring (no unbounded performance-timeline entries in a console that runs for weeks) and
 * readable from the page for benchmarks: `window.__centralizerDeltaTimings()`.
 */
export interface DeltaTiming {
  /** Entities the batch touched (agents + servers + jobs + alerts). */
  size: number;
  agents: number;
  /** Store update (zustand set, counts), ms. */
  storeMs: number;
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

/** Run `fn` after the current task and its microtasks (React flushes a store update there). */
export function afterRender(fn: () => void): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    fn();
  };
  channel.port2.postMessage(null);
}

if (typeof window !== 'undefined') {
  (window as unknown as { __centralizerDeltaTimings?: () => DeltaTiming[] }).__centralizerDeltaTimings =
    deltaTimings;
}
