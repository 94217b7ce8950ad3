/**
 * Token bucket for the per-connection message rate: `ratePerSec` tokens refill continuously up to
 * `burst`, each message takes one. A bucket starts full, so an agent that reconnects and flushes a
 * few queued messages is not punished, while a sustained flood runs dry within `burst` messages.
 *
 * Time is passed in (ms) rather than read here, so the gateway's injected clock drives it and the
 * unit tests need no timers.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    if (!(ratePerSec > 0) || !(burst >= 1)) {
      throw new RangeError(`token bucket needs rate > 0 and burst >= 1 (got ${ratePerSec}, ${burst})`);
    }
    this.tokens = burst;
    this.last = now;
  }

  /** Take one token; false when the bucket is empty (the caller decides what exceeding costs). */
  take(now: number): boolean {
    // A clock that steps backwards refills nothing rather than draining the bucket.
    const elapsedMs = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.ratePerSec) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens left (fractional), for diagnostics and tests. */
  available(): number {
    return this.tokens;
  }
}
