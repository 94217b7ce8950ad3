/**
 * Storm guard for desktop notifications: when 2,000 agents drop at once the operator should get a
 * few notifications and one summary, not 2,000 pop-ups. At most `burst` pass per `windowMs`; the rest
 * are counted, and when the window ends one summary reports how many were held back (the console's
 * Alerts view still lists every alert). Pure and timer-injected so main and renderer share it.
 */
export interface ThrottleOptions<T> {
  burst?: number;
  windowMs?: number;
  show(item: T): void;
  /** Called once per window in which items were held back. */
  summarize(heldBack: number, last: T): void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface NotificationThrottle<T> {
  push(item: T): void;
  dispose(): void;
}

export function createNotificationThrottle<T>(options: ThrottleOptions<T>): NotificationThrottle<T> {
  const burst = options.burst ?? 5;
  const windowMs = options.windowMs ?? 10_000;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let shown = 0;
  let heldBack = 0;
  let last: T | undefined;
  let timer: unknown;

  const endWindow = (): void => {
    timer = undefined;
    if (heldBack > 0 && last !== undefined) options.summarize(heldBack, last);
    shown = 0;
    heldBack = 0;
    last = undefined;
  };

  return {
    push(item) {
      timer ??= setTimer(endWindow, windowMs);
      if (shown < burst) {
        shown++;
        options.show(item);
        return;
      }
      heldBack++;
      last = item;
    },
    dispose() {
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
    },
  };
}
