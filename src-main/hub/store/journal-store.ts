/**
 * JournalStore: collections of JSON values keyed by string, held in memory (one Map per collection)
 * and persisted as a snapshot file plus an append-only journal. Pure Node, no native module, so it
 * runs the same in Electron and in plain Node. Why this design: docs/adr/0001-registry-store.md.
 *
 * Files in `dir`:
 *   snapshot.jsonl      header {snapshot:1, seq}, one line {c, k, v} per record, trailer {end, seq, records}
 *   snapshot.jsonl.tmp  a compaction in progress (ignored and removed on open)
 *   journal.jsonl       one line per batch: {s: seq, ops: [["put", coll, key, value] | ["del", coll, key]]}
 * Every line is checksummed (see checksummed-lines.ts).
 *
 * Guarantees
 * - `batch()` is one write() + one fsync() of one line (group commit). When it returns, the batch
 *   is durable; a crash (kill -9, power loss) can lose only batches whose call had not returned.
 * - A batch is atomic on replay: its line is valid (checksum) or ignored whole.
 * - Memory is updated only after the fsync, by parsing the very line that was written, so what
 *   `get()` returns is exactly what a reload will return (no undefined fields, dates as strings...).
 * - Load never refuses to start: a torn tail is truncated away; a damaged line in the middle of the
 *   journal or a damaged snapshot is copied aside (`<file>.corrupt-<time>`), the consistent valid
 *   part is loaded, the store is rewritten clean, and `openReport` says what happened.
 * - Compaction writes the snapshot to a temp file, fsyncs, renames, fsyncs the directory, then
 *   truncates the journal. The snapshot carries the last seq and replay skips records <= it, so a
 *   crash between any two steps still loads the same state.
 *
 * Values returned by get()/entries() are the store's own objects: treat them as immutable and
 * write a new value with put() (mutating one in place changes memory but not the disk).
 * Single writer: one process opens a directory at a time (the Electron single-instance lock, or the
 * headless hub's own data dir, guarantee it); opening the same dir twice in one process throws.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger';
import { encodeLineBuffer, fsyncDir, keepAside, NEWLINE, parseLine, writeAll } from './checksummed-lines';

export { AppendLog, type AppendLogOpenReport, type AppendLogOptions } from './append-log';

export type StoreOp =
  { op: 'put'; coll: string; key: string; value: unknown } | { op: 'del'; coll: string; key: string };

export type CompactStep = 'snapshot-written' | 'snapshot-renamed' | 'journal-truncated';

export interface JournalStoreOptions {
  logger?: Logger;
  /**
   * Compact automatically once the journal exceeds max(compactAfterBytes, size of the last
   * snapshot): compaction rewrites the whole registry, so tying it to the snapshot size keeps the
   * write amplification bounded (at most ~2x) while the journal and the load time stay bounded too.
   * Default 16 MiB; `Infinity` disables automatic compaction.
   */
  compactAfterBytes?: number;
  /** fsync the journal on every batch (default true). false only for tests and benchmarks. */
  fsync?: boolean;
  /** Test hook: called after each compaction step; throwing from it simulates a crash there. */
  onCompactStep?: (step: CompactStep) => void;
}

export interface JournalOpenReport {
  dir: string;
  /** Records loaded from the snapshot (valid lines, even if the snapshot was damaged). */
  snapshotRecords: number;
  /** Seq stored in the snapshot (0 without one). */
  snapshotSeq: number;
  /** Journal batches applied on top of the snapshot. */
  journalRecords: number;
  /** Journal batches skipped because the snapshot already contains them (crash during compaction). */
  journalRecordsSkipped: number;
  /** Valid batches found after a damaged journal line and not applied (they are in the copy kept aside). */
  journalRecordsDiscarded: number;
  /** Bytes cut off the end of the journal (torn last write). */
  truncatedBytes: number;
  /** Copies of damaged files, for a human to look at. */
  corruptFilesKeptAside: string[];
  /** Leftovers of an interrupted compaction that were deleted. */
  staleTempFilesRemoved: string[];
  /** The store was rewritten clean on open (after damage). */
  repaired: boolean;
  /** Last seq after load. */
  seq: number;
  loadMs: number;
}

export interface JournalStoreStats {
  seq: number;
  journalBytes: number;
  snapshotBytes: number;
  compactions: number;
  lastCompactionMs: number | undefined;
  collections: Record<string, number>;
}

/** Thrown by writes after an fsync failed: what reached the disk is unknown, reopen the store. */
export class StoreFailedError extends Error {
  override name = 'StoreFailedError';
}

const SNAPSHOT = 'snapshot.jsonl';
const JOURNAL = 'journal.jsonl';
const DEFAULT_COMPACT_AFTER = 16 * 1024 * 1024;
const WRITE_CHUNK = 1024 * 1024;

type JournalOp = ['put', string, string, unknown] | ['del', string, string];
interface JournalRecord {
  s: number;
  ops: JournalOp[];
}

const openDirs = new Set<string>();

function isJournalRecord(value: unknown): value is JournalRecord {
  if (!value || typeof value !== 'object') return false;
  const rec = value as Partial<JournalRecord>;
  if (typeof rec.s !== 'number' || !Number.isSafeInteger(rec.s) || !Array.isArray(rec.ops)) return false;
  return rec.ops.every(
    (op: unknown) =>
      Array.isArray(op) &&
      typeof op[1] === 'string' &&
      typeof op[2] === 'string' &&
      ((op[0] === 'put' && op.length === 4) || (op[0] === 'del' && op.length === 3)),
  );
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export class JournalStore {
  readonly dir: string;
  readonly openReport: JournalOpenReport;

  private readonly colls = new Map<string, Map<string, unknown>>();
  private readonly logger: Logger | undefined;
  private readonly doFsync: boolean;
  private readonly compactAfterBytes: number;
  private readonly onCompactStep: ((step: CompactStep) => void) | undefined;
  private journalFd: number | undefined;
  private seqValue = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private nextAutoCompactAt = 0;
  private compactions = 0;
  private lastCompactionMs: number | undefined;
  private failed: Error | undefined;

  static open(dir: string, options: JournalStoreOptions = {}): JournalStore {
    return new JournalStore(resolve(dir), options);
  }

  private constructor(dir: string, options: JournalStoreOptions) {
    const started = performance.now();
    if (openDirs.has(dir)) throw new Error(`journal store already open in this process: ${dir}`);
    this.dir = dir;
    this.logger = options.logger;
    this.doFsync = options.fsync ?? true;
    this.compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER;
    this.onCompactStep = options.onCompactStep;
    mkdirSync(dir, { recursive: true });

    const report: JournalOpenReport = {
      dir,
      snapshotRecords: 0,
      snapshotSeq: 0,
      journalRecords: 0,
      journalRecordsSkipped: 0,
      journalRecordsDiscarded: 0,
      truncatedBytes: 0,
      corruptFilesKeptAside: [],
      staleTempFilesRemoved: [],
      repaired: false,
      seq: 0,
      loadMs: 0,
    };
    this.openReport = report;

    const tmp = join(dir, `${SNAPSHOT}.tmp`);
    if (readIfExists(tmp) !== undefined) {
      rmSync(tmp, { force: true });
      report.staleTempFilesRemoved.push(tmp);
      this.logger?.warn('journal store: removed the temp snapshot of an interrupted compaction', {
        file: tmp,
      });
    }

    let needsRepair = this.loadSnapshot(report);
    const journal = this.loadJournal(report);
    needsRepair ||= journal.needsRepair;

    const fd = openSync(join(dir, JOURNAL), 'a', 0o600);
    this.journalFd = fd;
    try {
      if (journal.truncateTo !== undefined && !needsRepair) {
        ftruncateSync(fd, journal.truncateTo);
        if (this.doFsync) fsyncSync(fd);
      }
      if (journal.created) fsyncDir(dir);
      this.journalBytes = fstatSync(fd).size;
      if (needsRepair) {
        this.compactNow();
        report.repaired = true;
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.nextAutoCompactAt = Math.max(this.compactAfterBytes, this.snapshotBytes);
    openDirs.add(dir);

    report.seq = this.seqValue;
    report.loadMs = Math.round((performance.now() - started) * 10) / 10;
    if (report.corruptFilesKeptAside.length > 0) {
      this.logger?.error('journal store: damaged files kept aside; loaded what was valid', {
        dir,
        files: report.corruptFilesKeptAside,
        journalRecordsDiscarded: report.journalRecordsDiscarded,
      });
    }
  }

  // ---------------------------------------------------------------- reads

  get seq(): number {
    return this.seqValue;
  }

  get<T = unknown>(coll: string, key: string): T | undefined {
    return this.colls.get(coll)?.get(key) as T | undefined;
  }

  has(coll: string, key: string): boolean {
    return this.colls.get(coll)?.has(key) ?? false;
  }

  size(coll: string): number {
    return this.colls.get(coll)?.size ?? 0;
  }

  /** Live view of a collection (insertion order). Do not hold it across writes you don't expect. */
  entries<T = unknown>(coll: string): IterableIterator<[string, T]> {
    return (this.colls.get(coll) ?? new Map<string, T>()).entries() as IterableIterator<[string, T]>;
  }

  keys(coll: string): IterableIterator<string> {
    return (this.colls.get(coll) ?? new Map<string, unknown>()).keys();
  }

  values<T = unknown>(coll: string): IterableIterator<T> {
    return (this.colls.get(coll) ?? new Map<string, T>()).values() as IterableIterator<T>;
  }

  /** A read-only view of a whole collection. */
  all<T = unknown>(coll: string): ReadonlyMap<string, T> {
    return (this.colls.get(coll) ?? new Map<string, T>()) as ReadonlyMap<string, T>;
  }

  collections(): string[] {
    return [...this.colls.keys()].filter((name) => (this.colls.get(name)?.size ?? 0) > 0);
  }

  stats(): JournalStoreStats {
    return {
      seq: this.seqValue,
      journalBytes: this.journalBytes,
      snapshotBytes: this.snapshotBytes,
      compactions: this.compactions,
      lastCompactionMs: this.lastCompactionMs,
      collections: Object.fromEntries(this.collections().map((name) => [name, this.size(name)])),
    };
  }

  // ---------------------------------------------------------------- writes

  /**
   * Apply `ops` atomically and durably: one journal line, one write, one fsync. Returns the batch's
   * seq (the current seq, and nothing written, for an empty batch). Throws before touching memory
   * if the write or the fsync fails.
   */
  batch(ops: readonly StoreOp[]): number {
    const fd = this.writableFd();
    if (ops.length === 0) return this.seqValue;
    const seq = this.seqValue + 1;
    const parts: string[] = [];
    for (const op of ops) {
      if (typeof op.coll !== 'string' || op.coll === '' || typeof op.key !== 'string') {
        throw new TypeError('journal store: coll must be a non-empty string and key a string');
      }
      if (op.op === 'put') {
        const json = JSON.stringify(op.value);
        if (json === undefined) {
          throw new TypeError(
            `journal store: value for ${op.coll}/${op.key} is not JSON (use del to remove)`,
          );
        }
        parts.push(`["put",${JSON.stringify(op.coll)},${JSON.stringify(op.key)},${json}]`);
      } else if (op.op === 'del') {
        parts.push(`["del",${JSON.stringify(op.coll)},${JSON.stringify(op.key)}]`);
      } else {
        throw new TypeError(`journal store: unknown op ${String((op as { op: unknown }).op)}`);
      }
    }
    const body = `{"s":${seq},"ops":[${parts.join(',')}]}`;
    const line = encodeLineBuffer(body);

    const before = this.journalBytes;
    try {
      writeAll(fd, line);
    } catch (error) {
      this.rollbackJournal(fd, before, error);
      throw error;
    }
    if (this.doFsync) {
      try {
        fsyncSync(fd);
      } catch (error) {
        // After a failed fsync the kernel may have dropped the dirty pages: nothing is known any more.
        this.failed = error as Error;
        this.logger?.error('journal store: fsync failed; store is read-only until reopened', {
          dir: this.dir,
          error: String(error),
        });
        throw error;
      }
    }
    this.journalBytes += line.length;
    this.applyRecord(JSON.parse(body) as JournalRecord);
    this.seqValue = seq;
    this.maybeAutoCompact();
    return seq;
  }

  put(coll: string, key: string, value: unknown): number {
    return this.batch([{ op: 'put', coll, key, value }]);
  }

  del(coll: string, key: string): number {
    return this.batch([{ op: 'del', coll, key }]);
  }

  /** Rewrite the snapshot from memory and empty the journal. Synchronous (see the ADR for its cost). */
  compact(): void {
    this.writableFd();
    this.compactNow();
  }

  /** Close the journal. Writes nothing: closing and crashing leave the same files. */
  close(): void {
    if (this.journalFd === undefined) return;
    closeSync(this.journalFd);
    this.journalFd = undefined;
    openDirs.delete(this.dir);
  }

  // ---------------------------------------------------------------- internals

  private writableFd(): number {
    if (this.journalFd === undefined) throw new Error('journal store is closed');
    if (this.failed) {
      throw new StoreFailedError(`journal store failed earlier (${this.failed.message}); reopen it`);
    }
    return this.journalFd;
  }

  private rollbackJournal(fd: number, size: number, error: unknown): void {
    try {
      ftruncateSync(fd, size);
    } catch {
      this.failed = error as Error;
    }
    this.logger?.error('journal store: write failed; batch not applied', {
      dir: this.dir,
      error: String(error),
    });
  }

  private applyRecord(rec: JournalRecord): void {
    for (const op of rec.ops) {
      let coll = this.colls.get(op[1]);
      if (op[0] === 'put') {
        if (!coll) this.colls.set(op[1], (coll = new Map()));
        coll.set(op[2], op[3]);
      } else {
        coll?.delete(op[2]);
      }
    }
  }

  /** Returns true when the snapshot was damaged (and a repair is needed). */
  private loadSnapshot(report: JournalOpenReport): boolean {
    const file = join(this.dir, SNAPSHOT);
    const buf = readIfExists(file);
    if (buf === undefined) return false;
    this.snapshotBytes = buf.length;
    let pos = 0;
    let header = false;
    let trailer: { seq: number; records: number } | undefined;
    let damaged = false;
    let records = 0;
    while (pos < buf.length) {
      let nl = buf.indexOf(NEWLINE, pos);
      if (nl === -1) nl = buf.length;
      const value = parseLine(buf, pos, nl) as Record<string, unknown> | undefined;
      pos = nl + 1;
      if (trailer !== undefined || value === undefined || typeof value !== 'object' || value === null) {
        damaged = true;
        continue;
      }
      if (typeof value.c === 'string' && typeof value.k === 'string' && 'v' in value) {
        let coll = this.colls.get(value.c);
        if (!coll) this.colls.set(value.c, (coll = new Map()));
        coll.set(value.k, value.v);
        records++;
      } else if (value.snapshot === 1 && typeof value.seq === 'number' && !header && records === 0) {
        header = true;
        this.seqValue = value.seq;
      } else if (value.end === true && typeof value.seq === 'number' && typeof value.records === 'number') {
        trailer = { seq: value.seq, records: value.records };
        if (!header) this.seqValue = value.seq;
      } else {
        damaged = true;
      }
    }
    if (!header || !trailer || trailer.records !== records || trailer.seq !== this.seqValue) damaged = true;
    report.snapshotRecords = records;
    report.snapshotSeq = this.seqValue;
    if (damaged) {
      const aside = keepAside(file);
      report.corruptFilesKeptAside.push(aside);
      this.logger?.error('journal store: snapshot damaged; kept a copy aside and loaded its valid records', {
        file,
        aside,
        validRecords: records,
        seq: this.seqValue,
      });
    }
    return damaged;
  }

  private loadJournal(report: JournalOpenReport): {
    needsRepair: boolean;
    truncateTo: number | undefined;
    created: boolean;
  } {
    const file = join(this.dir, JOURNAL);
    const buf = readIfExists(file);
    if (buf === undefined) return { needsRepair: false, truncateTo: undefined, created: true };
    let pos = 0;
    let goodEnd = 0;
    let firstBad: number | undefined;
    let completeBadLine = false;
    let highestSeqSeen = this.seqValue;
    while (pos < buf.length) {
      const nl = buf.indexOf(NEWLINE, pos);
      if (nl === -1) {
        firstBad ??= pos; // torn last write: no newline
        break;
      }
      const rec = parseLine(buf, pos, nl);
      if (!isJournalRecord(rec)) {
        firstBad ??= pos;
        completeBadLine = true;
      } else if (firstBad !== undefined) {
        report.journalRecordsDiscarded++;
        highestSeqSeen = Math.max(highestSeqSeen, rec.s);
      } else if (rec.s <= this.seqValue) {
        report.journalRecordsSkipped++;
        goodEnd = nl + 1;
      } else {
        this.applyRecord(rec);
        this.seqValue = rec.s;
        highestSeqSeen = rec.s;
        report.journalRecords++;
        goodEnd = nl + 1;
      }
      pos = nl + 1;
    }
    if (firstBad === undefined) return { needsRepair: false, truncateTo: undefined, created: false };

    if (report.journalRecordsDiscarded > 0) {
      // Damage in the middle: keep the journal as it is for a human, load the consistent prefix,
      // and move seq past everything in the damaged file so its records can never be replayed.
      const aside = keepAside(file);
      report.corruptFilesKeptAside.push(aside);
      this.seqValue = highestSeqSeen;
      this.logger?.error(
        'journal store: journal damaged in the middle; kept a copy aside, loaded the prefix',
        {
          file,
          aside,
          damagedAtByte: firstBad,
          appliedBatches: report.journalRecords,
          discardedBatches: report.journalRecordsDiscarded,
        },
      );
      return { needsRepair: true, truncateTo: undefined, created: false };
    }
    // Damage only at the end: the last write was torn (crash or power loss). Normal; cut it off.
    // A complete-but-invalid line is not what a torn write usually leaves: keep a copy to look at.
    report.truncatedBytes = buf.length - goodEnd;
    if (completeBadLine) report.corruptFilesKeptAside.push(keepAside(file));
    this.logger?.warn('journal store: torn write at the end of the journal cut off', {
      file,
      bytes: report.truncatedBytes,
    });
    return { needsRepair: false, truncateTo: goodEnd, created: false };
  }

  private maybeAutoCompact(): void {
    if (this.journalBytes < this.nextAutoCompactAt) return;
    try {
      this.compactNow();
    } catch (error) {
      // The batch is already durable; retry once the journal has grown by another threshold.
      this.nextAutoCompactAt = this.journalBytes + Math.max(this.compactAfterBytes, this.snapshotBytes);
      this.logger?.error('journal store: automatic compaction failed; will retry later', {
        dir: this.dir,
        error: String(error),
      });
    }
  }

  private compactNow(): void {
    const started = performance.now();
    const fd = this.journalFd;
    if (fd === undefined) throw new Error('journal store is closed');
    const file = join(this.dir, SNAPSHOT);
    const tmp = `${file}.tmp`;
    const seq = this.seqValue;
    let bytes = 0;
    const out = openSync(tmp, 'w', 0o600);
    try {
      let chunk: Buffer[] = [];
      let chunkLength = 0;
      const flush = (): void => {
        const data = Buffer.concat(chunk, chunkLength);
        writeAll(out, data);
        bytes += data.length;
        chunk = [];
        chunkLength = 0;
      };
      const push = (body: string): void => {
        const line = encodeLineBuffer(body);
        chunk.push(line);
        chunkLength += line.length;
        if (chunkLength >= WRITE_CHUNK) flush();
      };
      let records = 0;
      push(JSON.stringify({ snapshot: 1, seq, at: new Date().toISOString() }));
      for (const [c, coll] of this.colls) {
        const cJson = JSON.stringify(c);
        for (const [k, v] of coll) {
          push(`{"c":${cJson},"k":${JSON.stringify(k)},"v":${JSON.stringify(v)}}`);
          records++;
        }
      }
      push(JSON.stringify({ end: true, seq, records }));
      flush();
      if (this.doFsync) fsyncSync(out);
    } catch (error) {
      closeSync(out);
      rmSync(tmp, { force: true });
      throw error;
    }
    closeSync(out);
    this.onCompactStep?.('snapshot-written');
    renameSync(tmp, file);
    if (this.doFsync) fsyncDir(this.dir);
    this.snapshotBytes = bytes;
    this.onCompactStep?.('snapshot-renamed');
    ftruncateSync(fd, 0);
    if (this.doFsync) fsyncSync(fd);
    this.journalBytes = 0;
    this.onCompactStep?.('journal-truncated');
    this.compactions++;
    this.lastCompactionMs = Math.round((performance.now() - started) * 10) / 10;
    this.nextAutoCompactAt = Math.max(this.compactAfterBytes, this.snapshotBytes);
    this.logger?.debug('journal store: compacted', { dir: this.dir, seq, bytes, ms: this.lastCompactionMs });
  }
}
