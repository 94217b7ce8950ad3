import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src-main/hub/gateway/rate-limit';

describe('TokenBucket', () => {
  it('allows a full burst at once, then refuses', () => {
    const bucket = new TokenBucket(10, 5, 0);
    const taken = Array.from({ length: 7 }, () => bucket.take(0));
    expect(taken).toEqual([true, true, true, true, true, false, false]);
  });

  it('refills at the sustained rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) bucket.take(0);
    expect(bucket.take(50)).toBe(false); // half a token after 50 ms at 10/s
    expect(bucket.take(100)).toBe(true); // one token after 100 ms
    expect(bucket.take(100)).toBe(false);
  });

  it('sustains exactly the configured rate over a long run', () => {
    const bucket = new TokenBucket(20, 1, 0);
    let accepted = 0;
    // Offer 100 messages per second for 10 seconds: only ~20/s get through.
    for (let t = 0; t < 10_000; t += 10) if (bucket.take(t)) accepted++;
    expect(accepted).toBeGreaterThanOrEqual(199);
    expect(accepted).toBeLessThanOrEqual(201);
  });

  it('never stores more than the burst, however long it was idle', () => {
    const bucket = new TokenBucket(100, 3, 0);
    bucket.take(0);
    expect(bucket.take(3_600_000)).toBe(true);
    expect(bucket.available()).toBe(2);
  });

  it('does not drain or refill when the clock steps backwards', () => {
    const bucket = new TokenBucket(1, 2, 10_000);
    bucket.take(10_000);
    bucket.take(10_000);
    expect(bucket.take(5_000)).toBe(false);
    expect(bucket.take(10_999)).toBe(false);
    expect(bucket.take(11_000)).toBe(true);
  });

  it('rejects nonsensical parameters', () => {
    expect(() => new TokenBucket(0, 5, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(5, 0, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN, 5, 0)).toThrow(RangeError);
  });
});
