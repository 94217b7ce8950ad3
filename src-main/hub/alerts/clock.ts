/**
 * The alerting engine's sense of time, injected so unit tests can drive grace periods, durations and
 * retry backoff with a manual clock and check exact boundaries (fires at 30 s, not at 29 s).
 */
export interface AlertClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall clock; timers are unref'd so a pending grace period or retry never keeps the process alive. */
export const realClock: AlertClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
