/**
 * Presence history store: every presence transition of every agent and server, plus the hub's own
 * start and stop times, kept in memory for PRESENCE_RETENTION_MS (7 days) and at most
 * MAX_TRANSITIONS_PER_SUBJECT per subject, and persisted so a restart keeps it.
 *
 * File: one append-only log of checksummed JSON lines (store/append-log.ts):
 *
 *     {"kind":"agent","id":"a-1","state":"online","reason":"connected","at":1700000000000}
 *     {"hub":"start","at":…}   the hub started (subjects are unknown until seen again)
 *     {"hub":"down","at":…}    the hub stopped cleanly, or the last sign of life before a crash
 *     {"hub":"alive","at":…}   written every minute, so a crash is dated to within a minute
 *
 * - Transitions arrive synchronously from the fleet state; they are written in groups (one append
 *   and one fsync per FLUSH_DELAY_MS at most), so a reconnect storm of thousands of agents costs a
 *   handful of fsyncs, not thousands. A crash loses at most that last second.
 * - Open reads the log (a torn last line is cut off; damaged lines are skipped, counted, logged and
 *   the damaged file copied aside), dates a crash of the previous run (no `down` after its last
 *   line) to its last line, then compacts: the file is rewritten with only what is retained. The
 *   log is compacted again when it outgrows the last compaction, and on close.
 * - Nothing here throws into the hub: a failed write is logged, the history stays in memory and the
 *   next compaction writes it.
 */
import { z } from 'zod';
import type { PresenceReason, PresenceTransition } from '../../../src-shared';
import type { Logger } from '../logger';
import { AppendLog } from '../store/append-log';
import { writeFileAtomic } from '../store/atomic-file';
import { encodeLineBuffer, keepAside, writeAll } from '../store/checksummed-lines';
import type { HubEvent } from './presence-bands';

export const PRESENCE_RETENTION_MS = 7 * 86_400_000;
export const MAX_TRANSITIONS_PER_SUBJECT = 2_000;
const FLUSH_DELAY_MS = 1_000;
const ALIVE_INTERVAL_MS = 60_000;
/** Compact when the log exceeds max(this, twice its size after the last compaction). */
const COMPACT_AFTER_BYTES = 8 * 1024 * 1024;
/** Lines waiting for a flush; beyond this (the disk keeps failing) they stay in memory only. */
const MAX_PENDING = 100_000;
const WRITE_CHUNK = 1024 * 1024;
/** Hub starts and stops kept (a crash-looping hub must not grow them without bound either). */
const MAX_HUB_EVENTS = 10_000;

export type SubjectKind = 'agent' | 'server';

const REASONS = [
  'connected',
  'clean_disconnect',
  'connection_lost',
  'ping_timeout',
  'replaced',
  'protocol_violation',
  'hub_shutdown',
  'agent_online',
  'all_agents_offline',
] as const satisfies readonly PresenceReason[];
// Compile-time check that REASONS lists every PresenceReason (a new reason must be added here).
const everyReason: Exclude<PresenceReason, (typeof REASONS)[number]> extends never ? true : false = true;
void everyReason;

const TransitionLineSchema = z.object({
  kind: z.enum(['agent', 'server']),
  id: z.string().min(1).max(255),
  state: z.enum(['online', 'offline', 'unknown']),
  reason: z.enum(REASONS),
  at: z.number().finite(),
});
const HubLineSchema = z.object({ hub: z.enum(['start', 'down', 'alive']), at: z.number().finite() });
const LineSchema = z.union([TransitionLineSchema, HubLineSchema]);
type Line = z.infer<typeof LineSchema>;

export interface PresenceHistoryOptions {
  /** The log file (created if missing). */
  file: string;
  /** When this run of the hub started. */
  startedAt: number;
  logger?: Logger;
  now?: () => number;
  maxPerSubject?: number;
  retentionMs?: number;
  /** fsync appends and compactions (default true; false only for tests and benchmarks). */
  fsync?: boolean;
}

export interface PresenceOpenReport {
  /** Valid lines read. */
  lines: number;
  /** Lines skipped: bad checksum, not JSON, or not a known line shape. */
  corruptLines: number;
  /** Copies of damaged files kept aside (torn tail, damaged lines). */
  keptAside: string[];
  /** The previous run did not record a stop: it is dated to its last line. */
  crashDetected: boolean;
}

const keyOf = (kind: SubjectKind, id: string): string => `${kind}:${id}`;

export class PresenceHistoryStore {
  readonly openReport: PresenceOpenReport;
  private readonly subjects = new Map<string, PresenceTransition[]>();
  private hub: HubEvent[] = [];
  private log: AppendLog<Line> | undefined;
  private pending: Line[] = [];
  private pendingDropped = false;
  private compactedBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly aliveTimer: NodeJS.Timeout;
  private closed = false;
  private readonly file: string;
  private readonly logger: Logger | undefined;
  private readonly now: () => number;
  private readonly maxPerSubject: number;
  private readonly retentionMs: number;
  private readonly fsync: boolean;

  constructor(options: PresenceHistoryOptions) {
    this.file = options.file;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.maxPerSubject = options.maxPerSubject ?? MAX_TRANSITIONS_PER_SUBJECT;
    this.retentionMs = options.retentionMs ?? PRESENCE_RETENTION_MS;
    this.fsync = options.fsync ?? true;
    this.openReport = { lines: 0, corruptLines: 0, keptAside: [], crashDetected: false };
    this.load(options.startedAt);
    this.aliveTimer = setInterval(() => this.alive(), ALIVE_INTERVAL_MS);
    this.aliveTimer.unref();
  }

  /** Record a transition (from the fleet observer). Cheap: memory now, disk within a second. */
  record(kind: SubjectKind, id: string, transition: PresenceTransition): void {
    if (this.closed) return;
    const key = keyOf(kind, id);
    let list = this.subjects.get(key);
    if (!list) {
      list = [];
      this.subjects.set(key, list);
    }
    list.push({ state: transition.state, reason: transition.reason, at: transition.at });
    if (list.length > this.maxPerSubject) list.splice(0, list.length - this.maxPerSubject);
    this.enqueue({ kind, id, state: transition.state, reason: transition.reason, at: transition.at });
  }

  /** The subject's retained transitions, oldest first; undefined when none are retained. */
  transitionsOf(kind: SubjectKind, id: string): readonly PresenceTransition[] | undefined {
    return this.subjects.get(keyOf(kind, id));
  }

  /**
   * Forget a subject's history (an agent revoked with its history purged), on disk too: the file is
   * rewritten without it. False when nothing was retained.
   */
  forget(kind: SubjectKind, id: string): boolean {
    if (this.closed || !this.subjects.delete(keyOf(kind, id))) return false;
    this.pending = this.pending.filter((line) => !('kind' in line && line.kind === kind && line.id === id));
    this.flush();
    this.compact(true);
    return true;
  }

  /** Hub starts and stops, oldest first. */
  hubEvents(): readonly HubEvent[] {
    return this.hub;
  }

  get subjectCount(): number {
    return this.subjects.size;
  }

  /** Write pending lines now (also done by a timer). */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const log = this.log;
    if (!log || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      log.append(batch);
    } catch (error) {
      // Still in memory: the next compaction (at the latest on close) writes it.
      this.logger?.error('presence history: write failed', { file: this.file, error: String(error) });
      return;
    }
    if (!this.closed && log.bytes > Math.max(COMPACT_AFTER_BYTES, 2 * this.compactedBytes)) {
      this.prune(this.now());
      this.compact(true);
    }
  }

  /** Record the stop, write everything compacted. Final. */
  close(): void {
    if (this.closed) return;
    const at = this.now();
    this.hub.push({ type: 'down', at });
    this.enqueue({ hub: 'down', at });
    this.closed = true;
    clearInterval(this.aliveTimer);
    // Appended first: should the compaction below fail, the stop is on disk all the same.
    this.flush();
    this.prune(at);
    this.compact(false);
  }

  // ---- internals -------------------------------------------------------------------------------

  private enqueue(line: Line): void {
    if (this.pending.length >= MAX_PENDING) {
      if (!this.pendingDropped) {
        this.pendingDropped = true;
        this.logger?.error('presence history: writes are not keeping up; keeping the rest in memory', {
          file: this.file,
        });
      }
      return;
    }
    this.pending.push(line);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.flushTimer.unref();
    }
  }

  private alive(): void {
    const at = this.now();
    this.enqueue({ hub: 'alive', at });
    this.flush();
    this.prune(at);
  }

  private load(startedAt: number): void {
    let entries: unknown[] = [];
    try {
      const log = AppendLog.open<unknown>(this.file, { logger: this.logger, fsync: this.fsync });
      this.openReport.keptAside.push(...log.openReport.corruptFilesKeptAside);
      try {
        entries = log.readAll();
        this.openReport.corruptLines = log.corruptLines;
      } finally {
        log.close();
      }
    } catch (error) {
      this.logger?.error('presence history: could not read the log, starting empty', {
        file: this.file,
        error: String(error),
      });
    }
    let lastAt = -Infinity;
    let lastDownAt = -Infinity;
    for (const entry of entries) {
      const parsed = LineSchema.safeParse(entry);
      if (!parsed.success) {
        this.openReport.corruptLines++;
        continue;
      }
      const line = parsed.data;
      this.openReport.lines++;
      if ('hub' in line) {
        if (line.hub === 'down') {
          lastDownAt = Math.max(lastDownAt, line.at);
          this.hub.push({ type: 'down', at: line.at });
          continue;
        }
        if (line.hub === 'start') this.hub.push({ type: 'start', at: line.at });
      } else {
        const key = keyOf(line.kind, line.id);
        const list = this.subjects.get(key) ?? [];
        list.push({ state: line.state, reason: line.reason, at: line.at });
        if (list.length > this.maxPerSubject) list.splice(0, list.length - this.maxPerSubject);
        this.subjects.set(key, list);
      }
      lastAt = Math.max(lastAt, line.at);
    }
    if (lastAt > lastDownAt) {
      // The previous run ended without recording its stop (crash, kill, power loss): it was last
      // known alive at its last line; from there to this start nobody was watching.
      this.openReport.crashDetected = true;
      this.hub.push({ type: 'down', at: Math.min(lastAt, startedAt) });
    }
    this.hub.push({ type: 'start', at: startedAt });
    if (this.openReport.corruptLines > 0) {
      try {
        this.openReport.keptAside.push(keepAside(this.file));
      } catch {
        // keeping a copy is a courtesy; the valid lines are what matters
      }
      this.logger?.warn('presence history: damaged lines skipped (copy of the file kept aside)', {
        file: this.file,
        lines: this.openReport.corruptLines,
        aside: this.openReport.keptAside,
      });
    }
    this.prune(this.now());
    this.compact(true);
  }

  /**
   * Drop what no range can show any more: transitions before now − retention, except the latest one
   * before it (it gives the state at the start of the range) unless a hub event after it already
   * decides that state; then subjects left with nothing.
   */
  private prune(now: number): void {
    const cutoff = now - this.retentionMs;
    const hubBefore = lastAtOrBefore(this.hub, cutoff);
    if (hubBefore > 0) this.hub.splice(0, hubBefore);
    if (this.hub.length > MAX_HUB_EVENTS) this.hub.splice(0, this.hub.length - MAX_HUB_EVENTS);
    const decidingHub = this.hub[0] && this.hub[0].at <= cutoff ? this.hub[0] : undefined;
    for (const [key, list] of this.subjects) {
      const before = lastAtOrBefore(list, cutoff);
      if (before > 0) list.splice(0, before);
      const first = list[0];
      if (
        first &&
        first.at <= cutoff &&
        decidingHub &&
        (decidingHub.at > first.at || (decidingHub.at === first.at && decidingHub.type === 'down'))
      ) {
        list.shift();
      }
      if (list.length === 0) this.subjects.delete(key);
    }
  }

  /** Rewrite the file with what memory holds (temp file + rename), then reopen it for appends. */
  private compact(reopen: boolean): void {
    this.log?.close();
    this.log = undefined;
    try {
      this.rewrite(reopen);
    } catch (error) {
      this.logger?.error('presence history: compaction failed', { file: this.file, error: String(error) });
    }
    if (!reopen) return;
    try {
      this.log = AppendLog.open<Line>(this.file, { logger: this.logger, fsync: this.fsync });
      this.compactedBytes = this.log.bytes;
    } catch (error) {
      this.logger?.error('presence history: cannot open the log; history kept in memory only', {
        file: this.file,
        error: String(error),
      });
    }
  }

  private rewrite(running: boolean): void {
    writeFileAtomic(
      this.file,
      (fd) => {
        let chunk: Buffer[] = [];
        let chunkBytes = 0;
        const write = (line: Line): void => {
          const buf = encodeLineBuffer(JSON.stringify(line));
          chunk.push(buf);
          chunkBytes += buf.length;
          if (chunkBytes >= WRITE_CHUNK) {
            writeAll(fd, Buffer.concat(chunk));
            chunk = [];
            chunkBytes = 0;
          }
        };
        // Subjects first, hub events last: a clean stop's `down` stays the file's last line.
        for (const [key, list] of this.subjects) {
          const colon = key.indexOf(':');
          const kind = key.slice(0, colon) as SubjectKind;
          const id = key.slice(colon + 1);
          for (const t of list) write({ kind, id, state: t.state, reason: t.reason, at: t.at });
        }
        for (const e of this.hub) write({ hub: e.type, at: e.at });
        // Still running: date this run's last sign of life, in case it ends in a crash.
        if (running) write({ hub: 'alive', at: this.now() });
        if (chunk.length > 0) writeAll(fd, Buffer.concat(chunk));
      },
      { fsync: this.fsync },
    );
  }
}

/** Index of the last item with at ≤ t (−1 when none); items are in time order. */
function lastAtOrBefore(items: readonly { at: number }[], t: number): number {
  let index = -1;
  for (let i = 0; i < items.length && items[i]!.at <= t; i++) index = i;
  return index;
}
