/**
 * Presence state machine for one agent or server: current state, since when, why, and a bounded
 * transition log. Repeating the current state with the same reason is not a transition (so a flood
 * of identical events cannot wash the log out).
 */
import type { PresenceReason, PresenceState, PresenceTransition } from '../../../src-shared';
import { BoundedLog } from '../util/bounded-log';

export const PRESENCE_LOG_CAPACITY = 200;

export class Presence {
  private readonly log = new BoundedLog<PresenceTransition>(PRESENCE_LOG_CAPACITY);
  state: PresenceState = 'unknown';
  since: number;
  reason: PresenceReason = 'connected';

  constructor(
    now: number,
    /** Told of every real transition (presence history and alerts listen here). */
    private readonly onTransition?: (transition: PresenceTransition) => void,
  ) {
    this.since = now;
  }

  /** Apply a transition; returns false when nothing changed. */
  transition(state: PresenceState, reason: PresenceReason, at: number): boolean {
    if (state === this.state && reason === this.reason) return false;
    // 'since' tracks the state, not the reason: a replaced connection keeps the agent online since it
    // first came online.
    if (state !== this.state) this.since = at;
    this.state = state;
    this.reason = reason;
    const transition = { state, reason, at };
    this.log.push(transition);
    this.onTransition?.(transition);
    return true;
  }

  history(limit?: number): PresenceTransition[] {
    return this.log.newestFirst(limit);
  }
}
