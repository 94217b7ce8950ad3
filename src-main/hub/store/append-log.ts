/**
 * AppendLog: an append-only JSON Lines file for the audit trail (and the enrollment journal). Each
 * line is one entry, checksummed (checksummed-lines.ts). Entries are never rewritten or compacted;
 * a journal's owner may only empty the whole file (`clear`).
 *
 * - `append(entries)` = one write + one fsync for the whole array (group commit); when it returns
 *   the entries are durable. A failed write is cut back off the file, so the file never keeps half
 *   a line behind a later append.
 * - Open checks only the end of the file (constant time, whatever the log's size): a torn last
 *   write is truncated away.
 * - Reads stream the file in 1 MiB chunks. A damaged line in the middle is skipped, counted and
 *   logged; the entries after it are still returned: audit entries are independent facts, unlike
 *   journal batches, so skipping one does not make the others inconsistent (see the ADR).
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../logger';
import {
  decodeLine,
  encodeLine,
  fsyncDir,
  keepAside,
  NEWLINE,
  parseLine,
  writeAll,
} from './checksummed-lines';

export interface AppendLogOptions {
  logger?: Logger;
  /** fsync on every append (default true). false only for tests and benchmarks. */
  fsync?: boolean;
}

export interface AppendLogOpenReport {
  file: string;
  bytes: number;
  /** Bytes cut off the end (torn last write). */
  truncatedBytes: number;
  corruptFilesKeptAside: string[];
}

/** How far back open() looks for the last complete line. Longer lines are still read correctly. */
const TAIL_WINDOW = 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export class AppendLog<T = unknown> {
  readonly file: string;
  readonly openReport: AppendLogOpenReport;
  private fd: number | undefined;
  private bytesValue: number;
  private readonly doFsync: boolean;
  private readonly logger: Logger | undefined;
  private corruptLinesSeen = 0;

  static open<T = unknown>(file: string, options: AppendLogOptions = {}): AppendLog<T> {
    return new AppendLog<T>(resolve(file), options);
  }

  private constructor(file: string, options: AppendLogOptions) {
    this.file = file;
    this.logger = options.logger;
    this.doFsync = options.fsync ?? true;
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, 'a+', 0o600);
    this.fd = fd;
    this.openReport = { file, bytes: 0, truncatedBytes: 0, corruptFilesKeptAside: [] };
    try {
      const size = fstatSync(fd).size;
      if (size === 0) fsyncDir(dirname(file));
      const goodEnd = this.findGoodEnd(fd, size);
      if (goodEnd < size) {
        this.openReport.corruptFilesKeptAside.push(keepAside(file));
        ftruncateSync(fd, goodEnd);
        if (this.doFsync) fsyncSync(fd);
        this.openReport.truncatedBytes = size - goodEnd;
        this.logger?.warn('append log: torn write at the end cut off (copy kept aside)', {
          file,
          bytes: size - goodEnd,
        });
      }
      this.bytesValue = goodEnd;
      this.openReport.bytes = goodEnd;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  get bytes(): number {
    return this.bytesValue;
  }

  /** Damaged lines skipped by reads so far (each read counts again). */
  get corruptLines(): number {
    return this.corruptLinesSeen;
  }

  append(entries: readonly T[]): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error('append log is closed');
    if (entries.length === 0) return;
    const lines = entries.map((entry, i) => {
      const json = JSON.stringify(entry);
      if (json === undefined) throw new TypeError(`append log: entry ${i} is not JSON`);
      return encodeLine(json);
    });
    const data = Buffer.from(lines.join(''), 'utf8');
    try {
      writeAll(fd, data);
      if (this.doFsync) fsyncSync(fd);
    } catch (error) {
      try {
        ftruncateSync(fd, this.bytesValue);
      } catch {
        // the next open() cuts the torn tail
      }
      this.logger?.error('append log: append failed', { file: this.file, error: String(error) });
      throw error;
    }
    this.bytesValue += data.length;
  }

  /**
   * Empty the log (durably). Not for the audit trail, which is never rewritten: for a journal whose
   * entries its owner has just saved elsewhere (the enrollment snapshot).
   */
  clear(): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error('append log is closed');
    ftruncateSync(fd, 0);
    if (this.doFsync) fsyncSync(fd);
    this.bytesValue = 0;
  }

  /**
   * Stream the entries (oldest first) present when the call starts, optionally filtered. Reads
   * 1 MiB at a time, so memory stays flat however long the log is.
   */
  *iterate(filter?: (entry: T) => boolean): Generator<T> {
    const fd = this.fd;
    if (fd === undefined) throw new Error('append log is closed');
    const end = this.bytesValue;
    let position = 0;
    let carry: Buffer = Buffer.alloc(0);
    let corrupt = 0;
    while (position < end) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - position));
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      position += read;
      const buf: Buffer =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let pos = 0;
      for (;;) {
        const nl = buf.indexOf(NEWLINE, pos);
        if (nl === -1) break;
        const body = decodeLine(buf, pos, nl);
        pos = nl + 1;
        let entry: T;
        try {
          if (body === undefined) throw new Error('checksum');
          entry = JSON.parse(body) as T;
        } catch {
          corrupt++;
          continue;
        }
        if (!filter || filter(entry)) yield entry;
      }
      carry = Buffer.from(buf.subarray(pos));
    }
    if (corrupt > 0) {
      this.corruptLinesSeen += corrupt;
      this.logger?.error('append log: damaged lines skipped while reading', {
        file: this.file,
        lines: corrupt,
      });
    }
  }

  readAll(filter?: (entry: T) => boolean): T[] {
    return [...this.iterate(filter)];
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** End of the last valid line: the file is cut there when something follows it. */
  private findGoodEnd(fd: number, size: number): number {
    if (size === 0) return 0;
    let window = Math.min(size, TAIL_WINDOW);
    for (;;) {
      const start = size - window;
      const buf = Buffer.allocUnsafe(window);
      readSync(fd, buf, 0, window, start);
      // Walk back over lines; the first valid complete one ends the good part.
      let end = buf.lastIndexOf(NEWLINE);
      while (end !== -1) {
        const prev = end === 0 ? -1 : buf.lastIndexOf(NEWLINE, end - 1);
        if (prev === -1 && start > 0) break; // line may begin before the window
        if (parseLine(buf, prev + 1, end) !== undefined) return start + end + 1;
        end = prev;
      }
      if (start === 0) return 0; // nothing valid at all
      if (window >= size) return 0;
      window = Math.min(size, window * 4);
    }
  }
}
