/**
 * One threshold condition (a cpu, memory or disk rule on one server), driven by metrics samples:
 *
 *   ok ──value > threshold──▶ pending ──still above, forMs after it started──▶ firing
 *   pending ──value ≤ threshold──▶ ok                (a dip cancels: "continuously" means every sample)
 *   firing ──value < threshold − hysteresis for resolveMs──▶ ok (resolve)
 *
 * Decisions are taken on samples, not on timers: the alert fires on the first sample that is still
 * above the threshold at least forMs after the first one was, so a server that stops reporting never
 * fires on stale data. Hysteresis plus the resolve delay keep a value hovering around the threshold
 * from firing and resolving over and over.
 */
export interface ThresholdParams {
  threshold: number;
  hysteresis: number;
  forMs: number;
  resolveMs: number;
}

export type ThresholdPhase = 'ok' | 'pending' | 'firing';

export class ThresholdTracker {
  private phaseValue: ThresholdPhase;
  /** pending: since when above; firing: since when below threshold − hysteresis (undefined = not below). */
  private since: number | undefined;
  private firedFrom: number | undefined;

  constructor(
    private readonly params: ThresholdParams,
    /** A firing alert exists already (restored after a restart, or the rule was edited). */
    firing = false,
  ) {
    this.phaseValue = firing ? 'firing' : 'ok';
  }

  get phase(): ThresholdPhase {
    return this.phaseValue;
  }

  /** When the value went above the threshold, for the pending or last fired condition. */
  get startedAt(): number | undefined {
    return this.phaseValue === 'pending' ? this.since : this.firedFrom;
  }

  /** Feed one sample; returns what the alert should do. */
  sample(value: number, at: number): 'fire' | 'resolve' | undefined {
    const { threshold, hysteresis, forMs, resolveMs } = this.params;
    switch (this.phaseValue) {
      case 'ok':
        if (value <= threshold) return undefined;
        this.phaseValue = 'pending';
        this.since = at;
        return forMs <= 0 ? this.fire() : undefined;
      case 'pending':
        if (value <= threshold) {
          this.phaseValue = 'ok';
          this.since = undefined;
          return undefined;
        }
        return at - (this.since ?? at) >= forMs ? this.fire() : undefined;
      case 'firing':
        if (value >= threshold - hysteresis) {
          this.since = undefined;
          return undefined;
        }
        this.since ??= at;
        if (at - this.since < resolveMs) return undefined;
        this.phaseValue = 'ok';
        this.since = undefined;
        return 'resolve';
    }
  }

  /** Samples stopped (the server went offline): a pending condition starts over; firing stays. */
  interrupt(): void {
    if (this.phaseValue === 'pending') {
      this.phaseValue = 'ok';
      this.since = undefined;
    }
  }

  private fire(): 'fire' {
    this.phaseValue = 'firing';
    this.firedFrom = this.since;
    // From now on `since` tracks the time spent below threshold − hysteresis.
    this.since = undefined;
    return 'fire';
  }
}
