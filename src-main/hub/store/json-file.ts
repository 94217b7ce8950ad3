/**
 * Crash-safe JSON file: writes go to a temporary file that is fsynced and then renamed over the
 * target, so a crash (even kill -9) mid-write leaves either the old or the new content, never half.
 * A file that cannot be parsed or validated is kept aside (`<name>.corrupt-<time>`) and reported;
 * the caller starts from its default instead of refusing to start.
 */
import { readFileSync, renameSync, writeSync } from 'node:fs';
import type { z } from 'zod';
import type { Logger } from '../logger';
import { writeFileAtomic } from './atomic-file';

export function readJsonFile<T>(file: string, schema: z.ZodType<T>, fallback: () => T, logger?: Logger): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback();
    throw error;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    throw new Error(parsed.error.issues[0]?.message ?? 'invalid content');
  } catch (error) {
    const aside = `${file}.corrupt-${Date.now()}`;
    renameSync(file, aside);
    logger?.error('store file was corrupt; kept aside and started empty', {
      file,
      aside,
      error: String(error),
    });
    return fallback();
  }
}

export function writeJsonFileAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, (fd) => writeSync(fd, JSON.stringify(value)));
}
