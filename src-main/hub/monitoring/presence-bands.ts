/**
 * Presence bands: turn one subject's transitions plus the hub's own start/stop times into
 * contiguous bands over a time range, with the uptime over that range. Pure; no I/O.
 *
 * What the state is at any time t: the latest of these events at or before t decides.
 * - a transition of the subject → its state and reason;
 * - the hub went down (clean stop or last sign of life before a crash) → `unknown`, reason
 *   `hub_shutdown`: nobody was watching;
 * - the hub started → `unknown`, reason UNSEEN_REASON, until the subject's first transition of the
 *   run: after a start the hub does not know a subject's state until the subject shows up.
 * Before the first event the state is `unknown` (UNSEEN_REASON).
 * At the same millisecond, a start comes before transitions and a stop after them (a stop records
 * the time of the shutdown that caused the last `hub_shutdown` disconnects).
 */
import type { PresenceBand, PresenceReason, PresenceState, PresenceTransition } from '../../../src-shared';

/**
 * Reason carried by `unknown` bands where the hub was running but had not seen the subject. The
 * contract has no dedicated reason; `connected` is what FleetState reports for a subject that is
 * registered but unseen, so the two agree. Only `hub_shutdown` is meaningful on an `unknown` band.
 */
export const UNSEEN_REASON: PresenceReason = 'connected';

export interface HubEvent {
  type: 'start' | 'down';
  at: number;
}

export interface BandsResult {
  bands: PresenceBand[];
  uptimePercent: number | null;
  offlineSince?: number;
  offlineReason?: PresenceReason;
}

interface Event {
  at: number;
  state: PresenceState;
  reason: PresenceReason;
}

/** Transitions and hub events merged in time order (both inputs are in time order). */
function merge(transitions: readonly PresenceTransition[], hub: readonly HubEvent[]): Event[] {
  const out: Event[] = [];
  let i = 0;
  let j = 0;
  let last = -Infinity;
  const push = (e: Event): void => {
    // A clock set back must not make time run backwards inside the timeline.
    if (e.at < last) e.at = last;
    last = e.at;
    out.push(e);
  };
  while (i < transitions.length || j < hub.length) {
    const t = transitions[i];
    const h = hub[j];
    const takeHub =
      h !== undefined && (t === undefined || h.at < t.at || (h.at === t.at && h.type === 'start'));
    if (takeHub) {
      push({
        at: h.at,
        state: 'unknown',
        reason: h.type === 'down' ? 'hub_shutdown' : UNSEEN_REASON,
      });
      j++;
    } else if (t) {
      push({ at: t.at, state: t.state, reason: t.reason });
      i++;
    }
  }
  return out;
}

export function presenceBands(
  transitions: readonly PresenceTransition[],
  hub: readonly HubEvent[],
  from: number,
  to: number,
): BandsResult {
  const events = merge(transitions, hub);
  let state: PresenceState = 'unknown';
  let reason: PresenceReason = UNSEEN_REASON;
  let k = 0;
  for (; k < events.length && events[k]!.at <= from; k++) {
    state = events[k]!.state;
    reason = events[k]!.reason;
  }
  const bands: PresenceBand[] = [{ state, from, to, reason }];
  for (; k < events.length && events[k]!.at < to; k++) {
    const e = events[k]!;
    const current = bands[bands.length - 1]!;
    if (e.state === current.state && e.reason === current.reason) continue;
    if (e.at === current.from) {
      // Several events at one millisecond: the last one decides, no zero-length band.
      current.state = e.state;
      current.reason = e.reason;
      const previous = bands[bands.length - 2];
      if (previous && previous.state === current.state && previous.reason === current.reason) {
        bands.pop();
        previous.to = to;
      }
      continue;
    }
    current.to = e.at;
    bands.push({ state: e.state, from: e.at, to, reason: e.reason });
  }

  let online = 0;
  let offline = 0;
  for (const band of bands) {
    if (band.state === 'online') online += band.to - band.from;
    else if (band.state === 'offline') offline += band.to - band.from;
  }
  const result: BandsResult = {
    bands,
    uptimePercent: online + offline > 0 ? Math.round((online / (online + offline)) * 10_000) / 100 : null,
  };

  const latest = bands[bands.length - 1]!;
  if (latest.state === 'offline') {
    // Offline since the first transition of the current offline streak, which may be before `from`.
    let since = latest.from;
    for (let e = k - 1; e >= 0; e--) {
      const event = events[e]!;
      if (event.state !== 'offline') break;
      since = event.at;
    }
    result.offlineSince = since;
    result.offlineReason = latest.reason;
  }
  return result;
}
