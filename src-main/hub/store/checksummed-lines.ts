/**
 * Line format shared by the journal store, its snapshot and the append log:
 *
 *     <crc32 of body, 8 lowercase hex digits><space><body: one JSON value, no newline>\n
 *
 * The checksum is computed over the UTF-8 bytes of the body. A line whose checksum does not match
 * (torn write, bit rot, hand edit) is rejected as a whole; JSON.stringify never emits a raw newline,
 * so one record is always exactly one line.
 *
 * Also the few file-system helpers every file in this folder needs (write-all, fsync of a directory,
 * keep-a-copy-aside), all synchronous: the store is opened once at start and every write is a
 * synchronous group commit (see docs/adr/0001-registry-store.md).
 */
import { closeSync, copyFileSync, fsyncSync, openSync, writeSync } from 'node:fs';
import * as zlib from 'node:zlib';

const CRC_TABLE = /* @__PURE__ */ (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Pure-JS CRC-32 (IEEE), used only when `zlib.crc32` is missing (Node < 20.15). */
export function crc32Fallback(data: Uint8Array): number {
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const nativeCrc32 = (zlib as { crc32?: (data: string | Uint8Array) => number }).crc32;

export function crc32(data: string | Uint8Array): number {
  if (nativeCrc32) return nativeCrc32(data);
  return crc32Fallback(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** One checksummed line (with its trailing newline) for a JSON body. */
export function encodeLine(body: string): string {
  return `${hex8(crc32(body))} ${body}\n`;
}

/**
 * The same line as bytes. Prefer this for large bodies: it encodes the string to UTF-8 once and
 * checksums the bytes (crc32 over a JS string would encode it a second time).
 */
export function encodeLineBuffer(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const line = Buffer.allocUnsafe(bytes.length + 10);
  line.write(hex8(crc32(bytes)), 0, 'latin1');
  line[8] = SPACE;
  bytes.copy(line, 9);
  line[line.length - 1] = NEWLINE;
  return line;
}

const SPACE = 0x20;
export const NEWLINE = 0x0a;

/**
 * The body of the line `buf[start, end)` (end excludes the newline) if its checksum matches,
 * otherwise undefined.
 */
export function decodeLine(buf: Buffer, start: number, end: number): string | undefined {
  if (end - start < 10 || buf[start + 8] !== SPACE) return undefined;
  const expected = Number.parseInt(buf.toString('latin1', start, start + 8), 16);
  if (!Number.isFinite(expected)) return undefined;
  const body = buf.subarray(start + 9, end);
  if (crc32(body) !== expected) return undefined;
  return body.toString('utf8');
}

/** Parse a checksummed JSON line; undefined when the checksum or the JSON is bad. */
export function parseLine(buf: Buffer, start: number, end: number): unknown {
  const body = decodeLine(buf, start, end);
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Make a rename or a file creation in `dir` durable. Windows cannot open a directory for fsync
 * (EPERM/EISDIR); NTFS journals metadata itself, so those errors are ignored there.
 */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!(process.platform === 'win32' || code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM')) {
      throw error;
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Copy a damaged file to `<file>.corrupt-<timestamp>` (a copy, not a rename: the original stays
 * in place until a repaired version has durably replaced it, so a crash during the repair loses
 * nothing). Returns the copy's path.
 */
export function keepAside(file: string): string {
  let aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (let n = 1; ; n++) {
    try {
      copyFileSync(file, aside, 1 /* COPYFILE_EXCL */);
      return aside;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      aside = `${aside.replace(/~\d+$/, '')}~${n}`;
    }
  }
}
