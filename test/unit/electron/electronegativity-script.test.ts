/**
 * scripts/electronegativity.mjs (`npm run security:electron`), run as a real process: it must pass
 * on this repository (no HIGH finding), fail on a tree with a HIGH finding, and fail when it cannot
 * scan at all. The network is stubbed inside the script, so this runs offline.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const script = join(root, 'scripts', 'electronegativity.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-electronegativity-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: root,
      env: { ...process.env, LANG: 'C' },
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

interface Summary {
  counts: Record<string, number>;
  findings: Array<{ id: string; severity: string; file: string }>;
}

const readSummary = (out: string): Summary =>
  JSON.parse(readFileSync(join(out, 'electronegativity.json'), 'utf8')) as Summary;

describe('scripts/electronegativity.mjs', () => {
  it('passes on this repository: no HIGH finding, reports written', async () => {
    const out = join(dir, 'out');
    const result = await run(['--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/findings: high 0, /);
    const summary = readSummary(out);
    expect(summary.counts.HIGH ?? 0).toBe(0);
    // The scan really looked at our code: it sees the preload and the CSP.
    expect(summary.findings.map((f) => f.id)).toContain('PRELOAD_JS_CHECK');
    expect(existsSync(join(out, 'electronegativity.csv'))).toBe(true);
    const sarif = JSON.parse(readFileSync(join(out, 'electronegativity.sarif'), 'utf8')) as {
      version: string;
      runs: Array<{ results: unknown[] }>;
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results).toHaveLength(summary.findings.length);
  }, 120_000);

  it('fails on a tree with a HIGH finding', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'src-main', 'electron'), { recursive: true });
    mkdirSync(join(tree, 'src-renderer'), { recursive: true });
    writeFileSync(
      join(tree, 'package.json'),
      JSON.stringify({ name: 'bad', devDependencies: { electron: '45.5.0' } }),
    );
    writeFileSync(
      join(tree, 'src-renderer', 'index.html'),
      `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'"><div></div>`,
    );
    writeFileSync(
      join(tree, 'src-main', 'electron', 'window.ts'),
      [
        "import { BrowserWindow } from 'electron';",
        'export const win = new BrowserWindow({',
        '  webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false },',
        '});',
        "void win.loadURL('http://example.com/');",
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const result = await run(['--root', tree, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAILED: HIGH severity findings/);
    const summary = readSummary(out);
    expect(summary.counts.HIGH).toBeGreaterThan(0);
    expect(summary.findings.filter((f) => f.severity === 'HIGH').map((f) => f.id)).toContain(
      'CONTEXT_ISOLATION_JS_CHECK',
    );
  }, 120_000);

  it('fails when there is nothing to scan', async () => {
    const result = await run(['--root', join(dir, 'missing'), '--out', join(dir, 'out')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAILED to run: .*nothing to scan/);
  });

  it('rejects an unknown argument', async () => {
    const result = await run(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown argument/);
  });
});
