import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../src-main/hub/logger';
import type { JournalStore } from '../../../src-main/hub/store/journal-store';

export function tempDir(prefix = 'store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The whole content of a store, as plain data, for deep equality. */
export function dump(store: JournalStore): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const coll of store.collections().sort()) {
    out[coll] = Object.fromEntries([...store.entries(coll)].sort(([a], [b]) => a.localeCompare(b)));
  }
  return out;
}

export function files(dir: string): string[] {
  return readdirSync(dir).sort();
}

export interface CapturedLog extends Logger {
  lines: { level: string; message: string; fields?: Record<string, unknown> }[];
}

export function captureLogger(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, fields });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
