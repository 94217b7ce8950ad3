/**
 * Presence history → the segments of the timeline bar, as percentages of the range. Pure.
 *
 * A flapping agent can report thousands of transitions in 7 days; a bar a thousand pixels wide cannot
 * show them and the DOM should not hold them. Runs of bands each shorter than 1/`maxSegments` of the
 * range are merged, and a merged segment takes the worst state inside it (an outage of seconds must
 * not vanish between two online bands). Long bands are never merged.
 */
import type { PresenceReason, PresenceState } from '../../../src-shared/fleet';
import type { PresenceBand } from '../../../src-shared/monitoring';

export interface BandSegment {
  state: PresenceState;
  from: number;
  to: number;
  reason: PresenceReason;
  /** Left edge and width, % of the range. */
  left: number;
  width: number;
  /** How many bands this segment stands for (1 = a real band; more = a merged run of short ones). */
  bands: number;
}

const SEVERITY: Record<PresenceState, number> = { online: 0, unknown: 1, offline: 2 };

export const DEFAULT_MAX_SEGMENTS = 600;

export function layoutPresenceBands(
  bands: readonly PresenceBand[],
  from: number,
  to: number,
  maxSegments = DEFAULT_MAX_SEGMENTS,
): BandSegment[] {
  const span = to - from;
  if (span <= 0) return [];
  const short = span / maxSegments;
  const pct = (ms: number): number => (ms / span) * 100;
  const out: BandSegment[] = [];
  let run: BandSegment | undefined;
  const flush = () => {
    if (run) out.push(run);
    run = undefined;
  };

  for (const band of bands) {
    const a = Math.max(from, band.from);
    const b = Math.min(to, band.to);
    if (b <= a) continue;
    const segment: BandSegment = {
      state: band.state,
      from: a,
      to: b,
      reason: band.reason,
      left: pct(a - from),
      width: pct(b - a),
      bands: 1,
    };
    if (b - a >= short) {
      flush();
      out.push(segment);
      continue;
    }
    if (!run) {
      run = segment;
    } else {
      if (SEVERITY[segment.state] > SEVERITY[run.state]) {
        run.state = segment.state;
        run.reason = segment.reason;
      }
      run.to = b;
      run.width = pct(b - run.from);
      run.bands += 1;
    }
    // A merged run is closed once it is wide enough to be seen on its own.
    if (run.to - run.from >= short) flush();
  }
  flush();
  return out;
}

/** Time per state within [from, to] (for the legend), ms, from the bands as the hub sent them. */
export function timePerState(
  bands: readonly PresenceBand[],
  from: number,
  to: number,
): Record<PresenceState, number> {
  const totals: Record<PresenceState, number> = { online: 0, offline: 0, unknown: 0 };
  for (const band of bands) {
    const ms = Math.min(to, band.to) - Math.max(from, band.from);
    if (ms > 0) totals[band.state] += ms;
  }
  return totals;
}
