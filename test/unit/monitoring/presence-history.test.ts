import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PresenceHistoryStore } from '../../../src-main/hub/monitoring/presence-history';
import { AppendLog } from '../../../src-main/hub/store/append-log';
import { encodeLine } from '../../../src-main/hub/store/checksummed-lines';
import { captureLogger, tempDir } from '../store/helpers';

const DAY = 86_400_000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

function newDir(): string {
  const t = tempDir('presence-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function open(file: string, startedAt: number, options: { now?: number; maxPerSubject?: number } = {}) {
  let clock = options.now ?? startedAt;
  const logger = captureLogger();
  const store = new PresenceHistoryStore({
    file,
    startedAt,
    logger,
    now: () => clock,
    fsync: false,
    maxPerSubject: options.maxPerSubject,
  });
  cleanups.unshift(() => store.close());
  return { store, logger, setNow: (t: number) => (clock = t) };
}

/** What is on disk, through the same reader the store uses. */
function linesOf(file: string): unknown[] {
  const log = AppendLog.open(file, { fsync: false });
  try {
    return log.readAll();
  } finally {
    log.close();
  }
}

function writeLines(file: string, lines: unknown[]): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const log = AppendLog.open(file, { fsync: false });
  log.append(lines);
  log.close();
}

const agent = (id: string, state: 'online' | 'offline', at: number, reason = 'connected') => ({
  kind: 'agent',
  id,
  state,
  reason,
  at,
});

describe('PresenceHistoryStore', () => {
  it('keeps transitions and the hub’s stops and starts across a restart', () => {
    const file = join(newDir(), 'monitoring', 'presence-history.jsonl');
    const a = open(file, 1_000);
    a.store.record('agent', 'a-1', { state: 'online', reason: 'connected', at: 1_100 });
    a.store.record('server', 'srv-1', { state: 'online', reason: 'agent_online', at: 1_100 });
    a.store.record('agent', 'a-1', { state: 'offline', reason: 'hub_shutdown', at: 1_900 });
    a.setNow(2_000);
    a.store.close();
    expect(linesOf(file).at(-1)).toEqual({ hub: 'down', at: 2_000 });

    const b = open(file, 5_000);
    expect(b.store.openReport).toMatchObject({ corruptLines: 0, crashDetected: false, keptAside: [] });
    expect(b.store.transitionsOf('agent', 'a-1')).toEqual([
      { state: 'online', reason: 'connected', at: 1_100 },
      { state: 'offline', reason: 'hub_shutdown', at: 1_900 },
    ]);
    expect(b.store.transitionsOf('server', 'srv-1')).toHaveLength(1);
    // Kinds are separate namespaces.
    expect(b.store.transitionsOf('server', 'a-1')).toBeUndefined();
    expect(b.store.hubEvents()).toEqual([
      { type: 'start', at: 1_000 },
      { type: 'down', at: 2_000 },
      { type: 'start', at: 5_000 },
    ]);
  });

  it('writes transitions in groups: on disk after a flush', () => {
    const file = join(newDir(), 'presence.jsonl');
    const { store } = open(file, 1_000);
    for (let i = 0; i < 100; i++) {
      store.record('agent', `a-${i}`, { state: 'online', reason: 'connected', at: 1_000 + i });
    }
    store.flush();
    const lines = linesOf(file);
    expect(lines.filter((l) => (l as { kind?: string }).kind === 'agent')).toHaveLength(100);
  });

  it('dates a crash of the previous run to its last line on disk', () => {
    const dir = newDir();
    const file = join(dir, 'presence.jsonl');
    const crashed = join(dir, 'crashed', 'presence.jsonl');
    const a = open(file, 1_000);
    a.store.record('agent', 'a-1', { state: 'online', reason: 'connected', at: 1_500 });
    a.store.flush();
    // kill -9 right after the flush: the file as it is now, with no stop recorded.
    mkdirSync(join(crashed, '..'));
    copyFileSync(file, crashed);

    const b = open(crashed, 9_000);
    expect(b.store.openReport.crashDetected).toBe(true);
    expect(b.store.hubEvents()).toEqual([
      { type: 'start', at: 1_000 },
      { type: 'down', at: 1_500 },
      { type: 'start', at: 9_000 },
    ]);
    expect(b.store.transitionsOf('agent', 'a-1')).toEqual([
      { state: 'online', reason: 'connected', at: 1_500 },
    ]);
  });

  it('a crash after a minute of quiet is dated by the last "alive" mark', () => {
    const file = join(newDir(), 'presence.jsonl');
    writeLines(file, [
      { hub: 'start', at: 1_000 },
      agent('a-1', 'online', 1_100),
      { hub: 'alive', at: 61_000 },
    ]);
    const { store } = open(file, 100_000);
    expect(store.hubEvents()).toContainEqual({ type: 'down', at: 61_000 });
  });

  it('keeps 7 days: older transitions go, except the one that gives the state at the cutoff', () => {
    const file = join(newDir(), 'presence.jsonl');
    writeLines(file, [
      { hub: 'start', at: 0 },
      agent('steady', 'online', 1 * DAY),
      agent('steady', 'offline', 2 * DAY, 'connection_lost'),
      agent('steady', 'online', 5 * DAY),
      agent('gone', 'online', 0.5 * DAY),
      { hub: 'down', at: 1.5 * DAY },
      { hub: 'start', at: 1.6 * DAY },
    ]);
    // Opened at day 10: the cutoff is day 3.
    const { store } = open(file, 10 * DAY);
    expect(store.transitionsOf('agent', 'steady')!.map((t) => t.at)).toEqual([2 * DAY, 5 * DAY]);
    // Its only transition is older than the restart at day 1.6, which already makes it unknown.
    expect(store.transitionsOf('agent', 'gone')).toBeUndefined();
    expect(store.hubEvents()).toEqual([
      { type: 'start', at: 1.6 * DAY },
      { type: 'down', at: 5 * DAY }, // that run recorded no stop: dated to its last line
      { type: 'start', at: 10 * DAY },
    ]);
    // The file was compacted on open to what is retained (+ a sign of life).
    const kept = linesOf(file);
    expect(kept).toContainEqual(agent('steady', 'offline', 2 * DAY, 'connection_lost'));
    expect(kept).not.toContainEqual(agent('steady', 'online', 1 * DAY));
    expect(kept.filter((l) => (l as { id?: string }).id === 'gone')).toEqual([]);
    expect(kept.at(-1)).toEqual({ hub: 'alive', at: 10 * DAY });
  });

  it('bounds the transitions kept per subject', () => {
    const file = join(newDir(), 'presence.jsonl');
    const a = open(file, 0, { maxPerSubject: 5 });
    for (let i = 1; i <= 8; i++) {
      a.store.record('agent', 'flappy', { state: i % 2 ? 'online' : 'offline', reason: 'connected', at: i });
    }
    expect(a.store.transitionsOf('agent', 'flappy')!.map((t) => t.at)).toEqual([4, 5, 6, 7, 8]);
    a.store.close();
    const b = open(file, 100, { maxPerSubject: 5 });
    expect(b.store.transitionsOf('agent', 'flappy')!.map((t) => t.at)).toEqual([4, 5, 6, 7, 8]);
  });

  it('skips and reports damaged lines, keeps a copy, and rewrites the file clean', () => {
    const file = join(newDir(), 'presence.jsonl');
    writeLines(file, [{ hub: 'start', at: 0 }, agent('a-1', 'online', 10)]);
    appendFileSync(file, '0badc0de {"kind":"agent","id":"a-1","state":"offline"}\n'); // bad checksum
    appendFileSync(file, encodeLine(JSON.stringify({ kind: 'robot', id: 'x', at: 1 }))); // unknown shape
    appendFileSync(file, encodeLine(JSON.stringify(agent('a-1', 'online', 'soon' as never)))); // bad field
    writeLines(file, [agent('a-1', 'offline', 30, 'ping_timeout'), { hub: 'down', at: 40 }]);

    const a = open(file, 100);
    expect(a.store.openReport.corruptLines).toBe(3);
    expect(a.store.openReport.lines).toBe(4);
    expect(a.store.openReport.keptAside).toHaveLength(1);
    expect(existsSync(a.store.openReport.keptAside[0]!)).toBe(true);
    expect(readFileSync(a.store.openReport.keptAside[0]!, 'utf8')).toContain('0badc0de');
    expect(a.logger.lines.some((l) => l.level === 'warn' && /damaged/.test(l.message))).toBe(true);
    expect(a.store.transitionsOf('agent', 'a-1')!.map((t) => t.at)).toEqual([10, 30]);
    expect(a.store.openReport.crashDetected).toBe(false);
    a.store.close();

    const b = open(file, 200);
    expect(b.store.openReport).toMatchObject({ corruptLines: 0, keptAside: [] });
    expect(b.store.transitionsOf('agent', 'a-1')!.map((t) => t.at)).toEqual([10, 30]);
  });

  it('cuts a torn last line (crash mid-write) and keeps what precedes it', () => {
    const file = join(newDir(), 'presence.jsonl');
    writeLines(file, [{ hub: 'start', at: 0 }, agent('a-1', 'online', 10)]);
    appendFileSync(file, encodeLine(JSON.stringify(agent('a-1', 'offline', 20))).slice(0, 30));
    const { store } = open(file, 100);
    expect(store.openReport.keptAside).toHaveLength(1);
    expect(store.transitionsOf('agent', 'a-1')!.map((t) => t.at)).toEqual([10]);
    expect(store.openReport.crashDetected).toBe(true);
  });

  it('records nothing after close, and close is idempotent', () => {
    const file = join(newDir(), 'presence.jsonl');
    const { store } = open(file, 0);
    store.close();
    store.record('agent', 'late', { state: 'online', reason: 'connected', at: 5 });
    store.close();
    expect(store.transitionsOf('agent', 'late')).toBeUndefined();
    expect(linesOf(file).filter((l) => (l as { hub?: string }).hub === 'down')).toHaveLength(1);
  });
});
