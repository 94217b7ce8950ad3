import { cpSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppendLog } from '../../../src-main/hub/store/journal-store';
import { captureLogger, tempDir } from './helpers';

interface Entry {
  n: number;
  user: string;
  action: string;
  text?: string;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});
function newFile(): string {
  const t = tempDir('applog-');
  cleanups.push(t.cleanup);
  return join(t.dir, 'audit.jsonl');
}
function open(file: string, options: Parameters<typeof AppendLog.open>[1] = {}): AppendLog<Entry> {
  const log = AppendLog.open<Entry>(file, options);
  cleanups.unshift(() => log.close());
  return log;
}
const entries = (from: number, count: number, text = ''): Entry[] =>
  Array.from({ length: count }, (_, i) => ({
    n: from + i,
    user: i % 2 ? 'ann' : 'bob',
    action: 'config.set',
    text,
  }));

describe('AppendLog', () => {
  it('appends, reads back, filters and survives a reopen', () => {
    const file = newFile();
    const a = AppendLog.open<Entry>(file);
    a.append(entries(0, 3));
    a.append([]);
    a.append(entries(3, 2));
    expect(a.readAll().map((e) => e.n)).toEqual([0, 1, 2, 3, 4]);
    expect(a.readAll((e) => e.user === 'ann').map((e) => e.n)).toEqual([1, 4]);
    a.close();
    expect(() => a.append(entries(5, 1))).toThrow(/closed/);
    const b = open(file);
    expect(b.openReport).toMatchObject({ truncatedBytes: 0, corruptFilesKeptAside: [] });
    expect(b.bytes).toBe(statSync(file).size);
    b.append(entries(5, 1));
    expect(b.readAll().map((e) => e.n)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('streams across read chunks (entries straddling 1 MiB boundaries, lines longer than a chunk)', () => {
    const file = newFile();
    const log = open(file, { fsync: false });
    const all: Entry[] = [];
    for (let i = 0; i < 30; i++) {
      const batch = entries(i * 100, 100, 'y'.repeat(1000 + i));
      log.append(batch);
      all.push(...batch);
    }
    const huge = { n: -1, user: 'big', action: 'x', text: 'z'.repeat(2_500_000) };
    log.append([huge]);
    all.push(huge);
    let count = 0;
    for (const e of log.iterate()) {
      expect(e.n).toBe(all[count]!.n);
      count++;
    }
    expect(count).toBe(all.length);
    expect(log.readAll((e) => e.n % 1000 === 0).map((e) => e.n)).toEqual([0, 1000, 2000]);
  });

  it('cuts a torn last append at every byte offset and keeps the earlier entries', () => {
    const base = newFile();
    const a = AppendLog.open<Entry>(base);
    a.append(entries(0, 4, 'é'));
    const start = statSync(base).size;
    a.append(entries(4, 3, 'ü'));
    a.close();
    const end = statSync(base).size;
    for (let cut = start + 1; cut < end; cut++) {
      const file = newFile();
      cpSync(base, file);
      truncateSync(file, cut);
      const log = AppendLog.open<Entry>(file, { fsync: false });
      // whole lines of the torn append that made it stay: each line is checksummed on its own
      const kept = log.readAll().map((e) => e.n);
      expect(kept.slice(0, 4)).toEqual([0, 1, 2, 3]);
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => i));
      expect(statSync(file).size).toBe(log.bytes);
      expect(log.openReport.truncatedBytes).toBe(cut - log.bytes);
      if (log.openReport.truncatedBytes > 0) expect(log.openReport.corruptFilesKeptAside).toHaveLength(1);
      log.append(entries(100, 1));
      expect(log.readAll().at(-1)?.n).toBe(100);
      log.close();
    }
  });

  it('cuts damaged last lines but skips (and reports) a damaged line in the middle', () => {
    const file = newFile();
    const logger = captureLogger();
    const a = AppendLog.open<Entry>(file);
    a.append(entries(0, 5));
    a.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"n":2', '"n":7'); // middle: checksum no longer matches
    lines[4] = lines[4]!.replace('"n":4', '"n":8'); // last
    writeFileSync(file, lines.join('\n'));
    const b = open(file, { logger });
    expect(b.openReport.corruptFilesKeptAside).toHaveLength(1);
    expect(b.readAll().map((e) => e.n)).toEqual([0, 1, 3]);
    expect(b.corruptLines).toBe(1);
    expect(logger.lines.some((l) => l.level === 'error' && /damaged lines skipped/.test(l.message))).toBe(
      true,
    );
    b.append(entries(9, 1));
    expect(b.readAll().map((e) => e.n)).toEqual([0, 1, 3, 9]);
  });

  it('finds the last good line beyond the tail window', () => {
    const file = newFile();
    const a = AppendLog.open<Entry>(file, { fsync: false });
    a.append([{ n: 0, user: 'u', action: 'a', text: 'q'.repeat(3_000_000) }]);
    a.close();
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from('0badc0de {"n":1}\n{"tor')]));
    const b = open(file);
    expect(b.readAll().map((e) => e.n)).toEqual([0]);
    expect(b.openReport.truncatedBytes).toBe(22);
  });
});
