/**
 * The Electron fuses flipped in the packaged app (electron-builder.yml `electronFuses`). Fuses
 * cannot be read back from a real binary here (no Electron download), so this pins the config that
 * electron-builder applies at pack time; docs/security.md argues each value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

/** The `electronFuses:` block as key → boolean (a flat block of `  key: true|false` lines). */
function readFuses(): Record<string, boolean> {
  const lines = readFileSync(join(root, 'electron-builder.yml'), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === 'electronFuses:');
  expect(start, 'electronFuses block').toBeGreaterThanOrEqual(0);
  const fuses: Record<string, boolean> = {};
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const match = /^ {2}(\w+):\s*(true|false)\s*$/.exec(line);
    if (!match) break;
    fuses[match[1]!] = match[2] === 'true';
  }
  return fuses;
}

describe('electronFuses', () => {
  it('flips every fuse that applies to this app', () => {
    expect(readFuses()).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
