/**
 * Replace a file atomically: write a temporary file next to it, fsync, rename over the target, fsync
 * the directory. A crash leaves either the old file or the new one, never a torn mix; a failed write
 * removes the temporary file and leaves the old one in place.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDir } from './checksummed-lines';

export interface AtomicWriteOptions {
  /** false only for tests and benchmarks. Default true. */
  fsync?: boolean;
  mode?: number;
}

export function writeFileAtomic(
  file: string,
  fill: (fd: number) => void,
  { fsync = true, mode = 0o600 }: AtomicWriteOptions = {},
): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    fill(fd);
    if (fsync) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, file);
  if (fsync) fsyncDir(dirname(file));
}
