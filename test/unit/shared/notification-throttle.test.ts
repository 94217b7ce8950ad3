import { describe, expect, it } from 'vitest';
import { createNotificationThrottle } from '../../../src-shared/notification-throttle';

function harness(burst = 3, windowMs = 1000) {
  const timers: { fn: () => void; at: number }[] = [];
  let now = 0;
  const shown: number[] = [];
  const summaries: [number, number][] = [];
  const throttle = createNotificationThrottle<number>({
    burst,
    windowMs,
    show: (n) => shown.push(n),
    summarize: (held, last) => summaries.push([held, last]),
    setTimer: (fn, ms) => {
      const t = { fn, at: now + ms };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => timers.splice(timers.indexOf(h as never), 1),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { throttle, shown, summaries, advance, timers };
}

describe('notification storm guard', () => {
  it('shows the first burst, holds back the rest and summarizes them once per window', () => {
    const h = harness(3, 1000);
    for (let i = 1; i <= 2000; i++) h.throttle.push(i);
    expect(h.shown).toEqual([1, 2, 3]);
    expect(h.summaries).toEqual([]);
    h.advance(1000);
    expect(h.summaries).toEqual([[1997, 2000]]);
  });

  it('starts a fresh window after the previous one ended, with no summary when nothing was held', () => {
    const h = harness(2, 1000);
    h.throttle.push(1);
    h.advance(1000);
    expect(h.summaries).toEqual([]);
    h.throttle.push(2);
    h.throttle.push(3);
    h.throttle.push(4);
    expect(h.shown).toEqual([1, 2, 3]);
    h.advance(1000);
    expect(h.summaries).toEqual([[1, 4]]);
  });

  it('dispose cancels the pending summary', () => {
    const h = harness(1, 1000);
    h.throttle.push(1);
    h.throttle.push(2);
    h.throttle.dispose();
    expect(h.timers).toHaveLength(0);
    h.advance(5000);
    expect(h.summaries).toEqual([]);
  });
});
