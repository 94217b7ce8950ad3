/**
 * scripts/start.mjs (`npm start`), run as a real process. The Electron binary is replaced through
 * ELECTRON_OVERRIDE_DIST_PATH (honoured by the electron package), so no download is attempted.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const script = join(root, 'scripts', 'start.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-start-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('scripts/start.mjs', () => {
  it('explains a missing Electron binary and points at npm run hub (--no-fallback)', async () => {
    const emptyDist = join(dir, 'empty-electron-dist');
    const { code, stderr } = await run(['--no-fallback'], { ELECTRON_OVERRIDE_DIST_PATH: emptyDist });
    expect(code).toBe(1);
    expect(stderr).toContain('The Electron binary is not available');
    expect(stderr).toContain(emptyDist);
    expect(stderr).toContain('npx install-electron');
    expect(stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(stderr).toContain('npm run hub');
    expect(stderr).not.toContain('Building'); // reported before any build work
  });

  it.skipIf(process.platform === 'win32')(
    'runs Electron on the project and exits with its exit code (--no-build)',
    async () => {
      const argsFile = join(dir, 'args.txt');
      const fake = join(dir, 'electron');
      writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > "${argsFile}"\nexit 7\n`);
      chmodSync(fake, 0o755);
      const { code } = await run(['--no-build', '--', '--inspect-me'], {
        ELECTRON_OVERRIDE_DIST_PATH: dir,
        ELECTRON_RUN_AS_NODE: '1',
      });
      expect(code).toBe(7);
      expect(readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual([root, '--inspect-me']);
    },
  );

  it.skipIf(process.platform === 'win32')('forwards SIGTERM to Electron', async () => {
    const marker = join(dir, 'got-term');
    const pidFile = join(dir, 'fake.pid');
    const fake = join(dir, 'electron');
    writeFileSync(
      fake,
      [
        `#!${process.execPath}`,
        "const { writeFileSync } = require('node:fs');",
        `writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
        `process.on('SIGTERM', () => { writeFileSync(${JSON.stringify(marker)}, 'term'); process.exit(0); });`,
        'setInterval(() => {}, 1000);',
        "console.log('started');",
      ].join('\n'),
    );
    chmodSync(fake, 0o755);
    const child = spawn(process.execPath, [script, '--no-build'], {
      cwd: dir,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.kill('SIGTERM');
      const code = await Promise.race([
        closed,
        new Promise<string>((r) => setTimeout(() => r('timeout'), 10_000)),
      ]);
      expect(code).toBe(0);
      expect(readFileSync(marker, 'utf8')).toBe('term');
    } finally {
      // Never leave the fake behind, whatever happened.
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
      child.kill('SIGKILL');
    }
  });
});
