/**
 * `npm run hub` flags (built dist/main/headless.js): --headless is accepted, --no-console runs the
 * hub without the UI server, a typo is an error with the usage, and the hub logs to its rotating
 * file in CENTRALIZER_LOG_DIR, whose path it prints.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/main/headless.js');
let dir: string;

beforeAll(() => {
  if (!existsSync(cli))
    spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({
  ...process.env,
  CENTRALIZER_DATA_DIR: join(dir, 'data'),
  CENTRALIZER_LOG_DIR: join(dir, 'logs'),
  CENTRALIZER_GATEWAY_HOST: '127.0.0.1',
  CENTRALIZER_GATEWAY_PORT: '0',
  CENTRALIZER_CONSOLE_PORT: '0',
  RABBITMQ_URL: '',
});

describe('headless CLI flags', () => {
  it('rejects an unknown argument with the usage and exit code 2', () => {
    const run = spawnSync(process.execPath, [cli, '--no-consol'], { cwd: dir, env: env(), encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown argument "--no-consol"');
    expect(run.stderr).toContain('--no-console');
  });

  it('prints the usage for --help and starts nothing', () => {
    const run = spawnSync(process.execPath, [cli, '--help'], { cwd: dir, env: env(), encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--headless');
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('--headless --no-console: hub only, log file written, stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, '--headless', '--no-console'], { cwd: dir, env: env() });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await expect.poll(() => out, { timeout: 20_000 }).toContain('console: off (--no-console)');
    const logFile = join(dir, 'logs', 'hub.log');
    expect(out).toContain(`logs:    ${logFile}`);
    expect(out).toMatch(/gateway: wss?:\/\/127\.0\.0\.1:\d+/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('gateway listening');
    expect(log).toContain('stopping {"signal":"SIGTERM"}');
  });
});
