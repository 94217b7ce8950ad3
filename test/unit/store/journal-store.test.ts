import { cpSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalStore, type CompactStep, type StoreOp } from '../../../src-main/hub/store/journal-store';
import { captureLogger, dump, files, tempDir } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});
function newDir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}
/** Open and register for closing (tests that simulate crashes close explicitly: close() writes nothing). */
function open(dir: string, options: Parameters<typeof JournalStore.open>[1] = {}): JournalStore {
  const store = JournalStore.open(dir, options);
  cleanups.unshift(() => store.close());
  return store;
}

const agent = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  agentId: id,
  labels: { env: 'prod', zone: id.length % 2 ? 'a' : 'b' },
  schema: { type: 'object', properties: { level: { type: 'string' } } },
  note: 'unicode ✓ "quotes" \n newline',
  ...extra,
});

describe('JournalStore basics', () => {
  it('round-trips puts, deletes and batches, and reads what a reload would read', () => {
    const dir = newDir();
    const store = open(dir);
    expect(store.seq).toBe(0);
    expect(store.put('agents', 'a1', agent('a1'))).toBe(1);
    expect(store.batch([])).toBe(1); // empty batch: nothing written
    expect(
      store.batch([
        { op: 'put', coll: 'agents', key: 'a2', value: agent('a2') },
        { op: 'put', coll: 'desired', key: 'a1', value: { revision: 1, at: new Date(0), gone: undefined } },
        { op: 'put', coll: 'agents', key: '', value: null },
      ]),
    ).toBe(2);
    expect(store.del('agents', 'a2')).toBe(3);

    expect(store.get('agents', 'a1')).toEqual(agent('a1'));
    expect(store.get('agents', 'a2')).toBeUndefined();
    expect(store.has('agents', '')).toBe(true);
    expect(store.get('agents', '')).toBeNull();
    // Memory holds the JSON form: a Date is a string and undefined fields are gone, as after a reload.
    expect(store.get('desired', 'a1')).toEqual({ revision: 1, at: '1970-01-01T00:00:00.000Z' });
    expect(Object.keys(store.get<object>('desired', 'a1')!)).not.toContain('gone');
    expect(store.size('agents')).toBe(2);
    expect(store.size('nothing')).toBe(0);
    expect([...store.keys('agents')]).toEqual(['a1', '']);
    expect([...store.values('nothing')]).toEqual([]);
    expect(store.all('agents').get('a1')).toEqual(agent('a1'));
    expect(store.collections().sort()).toEqual(['agents', 'desired']);
    expect(store.stats()).toMatchObject({ seq: 3, collections: { agents: 2, desired: 1 } });
  });

  it('reloads the same state after a restart and continues the seq', () => {
    const dir = newDir();
    const a = JournalStore.open(dir);
    for (let i = 0; i < 50; i++) a.put('agents', `a${i}`, agent(`a${i}`, { i }));
    a.batch([
      { op: 'del', coll: 'agents', key: 'a7' },
      { op: 'put', coll: 'profiles', key: 'base', value: { level: 'info' } },
    ]);
    const before = dump(a);
    a.close();

    const b = open(dir);
    expect(dump(b)).toEqual(before);
    expect(b.seq).toBe(51);
    expect(b.openReport).toMatchObject({
      snapshotRecords: 0,
      journalRecords: 51,
      truncatedBytes: 0,
      corruptFilesKeptAside: [],
      repaired: false,
      seq: 51,
    });
    expect(b.openReport.loadMs).toBeGreaterThanOrEqual(0);
    expect(b.put('agents', 'x', 1)).toBe(52);
    b.compact();
    b.close();
    const c = open(dir);
    expect(c.openReport).toMatchObject({ snapshotRecords: 51, snapshotSeq: 52, journalRecords: 0 });
    expect(c.get('agents', 'x')).toBe(1);
  });

  it('rejects invalid ops before writing anything', () => {
    const dir = newDir();
    const store = open(dir);
    store.put('c', 'k', 1);
    const size = statSync(join(dir, 'journal.jsonl')).size;
    expect(() => store.put('c', 'k2', undefined)).toThrow(TypeError);
    expect(() =>
      store.batch([
        { op: 'put', coll: 'c', key: 'ok', value: 1 },
        { op: 'put', coll: '', key: 'k', value: 1 },
      ]),
    ).toThrow(TypeError);
    expect(() => store.put('c', 'k3', { n: 1n })).toThrow(TypeError); // BigInt is not JSON
    expect(() => store.batch([{ op: 'nope', coll: 'c', key: 'k' } as unknown as StoreOp])).toThrow(TypeError);
    expect(statSync(join(dir, 'journal.jsonl')).size).toBe(size);
    expect(store.has('c', 'ok')).toBe(false);
    expect(store.seq).toBe(1);
  });

  it('refuses a second open of the same directory in one process, and writes after close', () => {
    const dir = newDir();
    const store = JournalStore.open(dir);
    expect(() => JournalStore.open(dir)).toThrow(/already open/);
    store.close();
    expect(() => store.put('c', 'k', 1)).toThrow(/closed/);
    open(dir).close();
  });

  it('compacts automatically once the journal outgrows the threshold, and reloads equal', () => {
    const dir = newDir();
    const store = JournalStore.open(dir, { compactAfterBytes: 4096 });
    for (let i = 0; i < 400; i++) store.put('agents', `a${i % 40}`, agent(`a${i % 40}`, { i }));
    const stats = store.stats();
    expect(stats.compactions).toBeGreaterThan(0);
    expect(stats.journalBytes).toBeLessThan(Math.max(4096, stats.snapshotBytes) + 1024);
    const before = dump(store);
    store.close();
    const again = open(dir);
    expect(dump(again)).toEqual(before);
    expect(again.seq).toBe(400);
  });

  it('matches a plain Map model over random batches, reopens and compactions', () => {
    const dir = newDir();
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const model = new Map<string, Map<string, unknown>>();
    let store = JournalStore.open(dir, { compactAfterBytes: 8192 });
    for (let round = 0; round < 300; round++) {
      const ops: StoreOp[] = [];
      for (let i = rnd(6); i >= 0; i--) {
        const coll = `c${rnd(3)}`;
        const key = `k${rnd(25)}`;
        if (rnd(4) === 0) ops.push({ op: 'del', coll, key });
        else ops.push({ op: 'put', coll, key, value: { round, i, text: 'x'.repeat(rnd(200)) } });
      }
      store.batch(ops);
      for (const op of ops) {
        if (!model.has(op.coll)) model.set(op.coll, new Map());
        if (op.op === 'put') model.get(op.coll)!.set(op.key, op.value);
        else model.get(op.coll)!.delete(op.key);
      }
      if (rnd(20) === 0) store.compact();
      if (rnd(15) === 0) {
        store.close();
        store = JournalStore.open(dir, { compactAfterBytes: 8192 });
      }
    }
    const expected: Record<string, Record<string, unknown>> = {};
    for (const [c, m] of [...model].sort(([a], [b]) => a.localeCompare(b))) {
      if (m.size > 0) expected[c] = Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
    }
    expect(dump(store)).toEqual(expected);
    store.close();
    expect(dump(open(dir))).toEqual(expected);
  });
});

describe('JournalStore crash recovery', () => {
  /** A store with a few batches, then one more multi-op batch; returns the state before it and offsets. */
  function withLastBatch(dir: string): {
    before: Record<string, Record<string, unknown>>;
    start: number;
    end: number;
  } {
    const store = JournalStore.open(dir);
    store.batch([
      { op: 'put', coll: 'agents', key: 'a1', value: agent('a1') },
      { op: 'put', coll: 'agents', key: 'a2', value: agent('a2') },
    ]);
    store.compact(); // a snapshot is involved too
    store.put('desired', 'a1', { revision: 1 });
    store.put('desired', 'a2', { revision: 1 });
    const before = dump(store);
    const start = statSync(join(dir, 'journal.jsonl')).size;
    store.batch([
      { op: 'put', coll: 'desired', key: 'a1', value: { revision: 2, config: { level: 'débug' } } },
      { op: 'del', coll: 'agents', key: 'a2' },
      { op: 'put', coll: 'ledger', key: 'a1/2', value: { state: 'pending' } },
    ]);
    store.close();
    return { before, start, end: statSync(join(dir, 'journal.jsonl')).size };
  }

  it('ignores a torn last batch whole, at every byte offset, and keeps working after', () => {
    const base = newDir();
    const { before, start, end } = withLastBatch(base);
    expect(end - start).toBeGreaterThan(100);
    for (let cut = start; cut < end; cut++) {
      const dir = newDir();
      cpSync(base, dir, { recursive: true });
      truncateSync(join(dir, 'journal.jsonl'), cut);
      const store = JournalStore.open(dir, { fsync: false });
      expect(dump(store), `cut at ${cut}`).toEqual(before);
      expect(store.seq).toBe(3);
      expect(store.openReport.truncatedBytes).toBe(cut - start);
      expect(store.openReport.corruptFilesKeptAside).toEqual([]);
      expect(statSync(join(dir, 'journal.jsonl')).size).toBe(start);
      expect(store.put('agents', 'a3', 3)).toBe(4);
      store.close();
      const again = JournalStore.open(dir, { fsync: false });
      expect(again.get('agents', 'a3')).toBe(3);
      expect(again.openReport.truncatedBytes).toBe(0);
      again.close();
    }
  });

  it('ignores a last batch with any single damaged byte (and keeps a copy of the file)', () => {
    const base = newDir();
    const { before, start, end } = withLastBatch(base);
    for (let at = start; at < end - 1; at += 3) {
      const dir = newDir();
      cpSync(base, dir, { recursive: true });
      const file = join(dir, 'journal.jsonl');
      const bytes = readFileSync(file);
      bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
      writeFileSync(file, bytes);
      const store = JournalStore.open(dir, { fsync: false });
      expect(dump(store), `byte ${at}`).toEqual(before);
      expect(store.openReport.corruptFilesKeptAside).toHaveLength(1);
      expect(readFileSync(store.openReport.corruptFilesKeptAside[0]!)).toEqual(bytes);
      store.close();
    }
  });

  it('loads the valid prefix when a record in the middle is damaged, keeps the file aside, repairs', () => {
    const dir = newDir();
    const logger = captureLogger();
    const a = JournalStore.open(dir);
    a.put('agents', 'a1', agent('a1'));
    const prefix = dump(a);
    const damageAt = statSync(join(dir, 'journal.jsonl')).size + 20;
    a.put('agents', 'a2', agent('a2'));
    a.put('agents', 'a3', agent('a3'));
    a.put('agents', 'a4', agent('a4'));
    a.close();
    const file = join(dir, 'journal.jsonl');
    const bytes = readFileSync(file);
    bytes[damageAt] = bytes[damageAt]! ^ 0x01;
    writeFileSync(file, bytes);

    const b = JournalStore.open(dir, { logger });
    expect(dump(b)).toEqual(prefix);
    expect(b.openReport).toMatchObject({ journalRecords: 1, journalRecordsDiscarded: 2, repaired: true });
    expect(b.openReport.corruptFilesKeptAside).toHaveLength(1);
    const aside = b.openReport.corruptFilesKeptAside[0]!;
    expect(aside).toMatch(/journal\.jsonl\.corrupt-/);
    expect(readFileSync(aside)).toEqual(bytes);
    expect(logger.lines.some((l) => l.level === 'error' && /middle/.test(l.message))).toBe(true);
    // seq moved past the damaged file's records: nothing in it can ever be replayed
    expect(b.seq).toBe(4);
    expect(b.put('agents', 'a5', 5)).toBe(5);
    b.close();

    const c = open(dir);
    expect(c.openReport.corruptFilesKeptAside).toEqual([]);
    expect(c.openReport.repaired).toBe(false);
    expect(dump(c)).toEqual({ agents: { ...prefix.agents, a5: 5 } });
    expect(files(dir).filter((f) => f.includes('corrupt'))).toHaveLength(1);
  });

  it('loads the valid records of a damaged snapshot plus the journal, keeps it aside, repairs', () => {
    const dir = newDir();
    const a = JournalStore.open(dir);
    for (let i = 0; i < 10; i++) a.put('agents', `a${i}`, { i });
    a.compact();
    a.put('agents', 'a10', { i: 10 });
    a.close();
    const file = join(dir, 'snapshot.jsonl');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('"k":"a3","v":{"i":3}', '"k":"a3","v":{"i":9}'));

    const b = JournalStore.open(dir);
    expect(b.openReport).toMatchObject({
      snapshotRecords: 9,
      snapshotSeq: 10,
      journalRecords: 1,
      repaired: true,
    });
    expect(b.openReport.corruptFilesKeptAside).toHaveLength(1);
    expect(b.has('agents', 'a3')).toBe(false);
    expect(b.get('agents', 'a4')).toEqual({ i: 4 });
    expect(b.get('agents', 'a10')).toEqual({ i: 10 });
    b.close();
    const c = open(dir);
    expect(c.openReport.corruptFilesKeptAside).toEqual([]);
    expect(c.size('agents')).toBe(10);
  });

  it.each([
    ['garbage', Buffer.from('this is not a snapshot\n\u0000\u0000')],
    ['empty', Buffer.alloc(0)],
    ['truncated', undefined],
  ])('never refuses to start with a %s snapshot', (_name, content) => {
    const dir = newDir();
    const a = JournalStore.open(dir);
    for (let i = 0; i < 5; i++) a.put('agents', `a${i}`, { i });
    a.compact();
    a.put('agents', 'late', { i: 99 });
    a.close();
    const file = join(dir, 'snapshot.jsonl');
    writeFileSync(file, content ?? readFileSync(file).subarray(0, 120));
    const b = open(dir);
    expect(b.openReport.corruptFilesKeptAside).toHaveLength(1);
    expect(b.openReport.repaired).toBe(true);
    expect(b.get('agents', 'late')).toEqual({ i: 99 });
    if (content === undefined) expect(b.openReport.snapshotRecords).toBeGreaterThan(0);
  });

  const steps: CompactStep[] = ['snapshot-written', 'snapshot-renamed', 'journal-truncated'];
  it.each(steps)('loads the right state after a crash at compaction step %s', (step) => {
    const dir = newDir();
    let armed = false;
    const a = JournalStore.open(dir, {
      onCompactStep: (s) => {
        if (armed && s === step) throw new Error(`crash at ${s}`);
      },
    });
    a.put('agents', 'a1', agent('a1'));
    a.put('agents', 'a2', agent('a2'));
    a.compact();
    a.put('agents', 'a3', agent('a3'));
    a.del('agents', 'a1');
    a.put('agents', 'a2', agent('a2', { changed: true }));
    const expected = dump(a);
    armed = true;
    expect(() => a.compact()).toThrow(/crash/);
    a.close();
    if (step === 'snapshot-written') expect(files(dir)).toContain('snapshot.jsonl.tmp');

    const b = JournalStore.open(dir);
    expect(dump(b)).toEqual(expected);
    expect(b.seq).toBe(5);
    expect(files(dir)).toEqual(['journal.jsonl', 'snapshot.jsonl']);
    expect(b.openReport.corruptFilesKeptAside).toEqual([]);
    if (step === 'snapshot-written') {
      expect(b.openReport).toMatchObject({ snapshotSeq: 2, journalRecords: 3 });
      expect(b.openReport.staleTempFilesRemoved).toHaveLength(1);
    } else if (step === 'snapshot-renamed') {
      // new snapshot, old journal still there: its records are all <= the snapshot's seq
      expect(b.openReport).toMatchObject({ snapshotSeq: 5, journalRecords: 0, journalRecordsSkipped: 3 });
    } else {
      expect(b.openReport).toMatchObject({ snapshotSeq: 5, journalRecords: 0, journalRecordsSkipped: 0 });
    }
    expect(b.put('agents', 'a4', 4)).toBe(6);
    b.close();
    const c = open(dir);
    expect(dump(c)).toEqual({ agents: { ...expected.agents, a4: 4 } });
    c.compact();
    expect(dump(c)).toEqual({ agents: { ...expected.agents, a4: 4 } });
  });

  it('ignores and removes a half-written temp snapshot', () => {
    const dir = newDir();
    const a = JournalStore.open(dir);
    a.put('agents', 'a1', 1);
    a.compact();
    a.put('agents', 'a2', 2);
    a.close();
    writeFileSync(join(dir, 'snapshot.jsonl.tmp'), readFileSync(join(dir, 'snapshot.jsonl')).subarray(0, 30));
    const b = open(dir);
    expect(dump(b)).toEqual({ agents: { a1: 1, a2: 2 } });
    expect(b.openReport.staleTempFilesRemoved).toEqual([join(dir, 'snapshot.jsonl.tmp')]);
    expect(files(dir)).toEqual(['journal.jsonl', 'snapshot.jsonl']);
  });
});
