/**
 * Maintenance mutes: while a mute covers a subject, alerts about it still fire and show in the
 * console (muted: true) but notify nobody. A mute on an agent covers its alerts and its jobs'; a mute
 * on a server also covers the agents on it; a label mute covers every subject carrying the label.
 * Expired mutes are dropped the next time anyone looks.
 */
import { randomBytes } from 'node:crypto';
import type { Mute, MuteTarget } from '../../../src-shared';
import type { Subject } from './subjects';

export const MAX_MUTES = 1000;

export class MuteError extends Error {
  override name = 'MuteError';
}

export class Mutes {
  private mutes: Mute[];

  constructor(
    initial: Mute[],
    private readonly now: () => number,
    /** Told when the list changed (added, deleted, expired) so it is persisted. */
    private readonly onChange: () => void,
  ) {
    this.mutes = [...initial];
  }

  /** Everything stored, expired or not (persistence). */
  all(): Mute[] {
    return [...this.mutes];
  }

  /** Active mutes; expired ones are removed (and persisted) on the way. */
  active(): Mute[] {
    const now = this.now();
    const kept = this.mutes.filter((m) => m.until > now);
    if (kept.length !== this.mutes.length) {
      this.mutes = kept;
      this.onChange();
    }
    return [...this.mutes];
  }

  add(input: { target: MuteTarget; until: number; reason: string }, createdBy: string): Mute {
    const now = this.now();
    if (input.until <= now)
      throw new MuteError(`"until" must be in the future (it is ${new Date(input.until).toISOString()})`);
    if (this.active().length >= MAX_MUTES) throw new MuteError(`at most ${MAX_MUTES} mutes at a time`);
    const mute: Mute = {
      id: `mute-${randomBytes(5).toString('hex')}`,
      target: input.target,
      until: input.until,
      reason: input.reason,
      createdAt: now,
      createdBy,
    };
    this.mutes.push(mute);
    this.onChange();
    return mute;
  }

  delete(id: string): boolean {
    const before = this.mutes.length;
    this.mutes = this.mutes.filter((m) => m.id !== id);
    if (this.mutes.length === before) return false;
    this.onChange();
    return true;
  }

  /** The first active mute covering the subject, if any. */
  covering(subject: Subject): Mute | undefined {
    return this.active().find((m) => covers(m.target, subject));
  }
}

export function covers(target: MuteTarget, subject: Subject): boolean {
  switch (target.kind) {
    case 'agent':
      // A server's alert is about all its agents: one agent in maintenance does not mute it.
      return subject.kind !== 'server' && subject.agentIds.includes(target.agentId);
    case 'server':
      return subject.serverIds.includes(target.serverId);
    case 'label':
      return subject.labels.get(target.key)?.has(target.value) === true;
  }
}

export const describeMute = (mute: Mute): string => {
  const t = mute.target;
  const what =
    t.kind === 'agent'
      ? `agent ${t.agentId}`
      : t.kind === 'server'
        ? `server ${t.serverId}`
        : `label ${t.key}=${t.value}`;
  return `muted (${what} until ${new Date(mute.until).toISOString()}${mute.reason ? `: ${mute.reason}` : ''})`;
};
