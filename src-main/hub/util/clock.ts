/**
 * The hub's sense of time where it keeps timers (delta coalescing, alert grace periods and webhook
 * retries), injected so unit tests drive it with a manual clock and check exact boundaries (fires at
 * 30 s, not at 29 s).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall clock; timers are unref'd so a pending flush, grace period or retry never keeps the process alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
