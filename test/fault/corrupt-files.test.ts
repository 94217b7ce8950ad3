/**
 * Fault: every file the hub (and the desktop app) reads at start-up, damaged (garbage, truncated,
 * wrong shape). For each, a data folder seeded by a real run (agents' configurations, profiles,
 * alert rules, mutes) is copied, one file is damaged, and the hub is started on it: it must start
 * and serve, report the damage in its log naming the file, keep the damaged file aside
 * (`<name>.corrupt-<time>`) and carry on with the defaults or with what was valid.
 * A `.env` with a bad value is the deliberate exception: the hub refuses to start and names the key
 * (a wrong setting is not silently replaced by a default; settings.ts).
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AlertSettings, Profile } from '../../src-shared';
import type { Logger } from '../../src-main/hub/logger';
import { createSafeStorageSecretStore } from '../../src-main/electron/secret-store';
import { startTestHub } from '../helpers/hub';
import { ROOT } from '../helpers/processes';

vi.mock('electron', () => import('../unit/electron/electron-mock'));

const root = mkdtempSync(join(tmpdir(), 'ac-fault-corrupt-'));
const seed = join(root, 'seed');
const env = { CENTRALIZER_GATEWAY_TLS: 'off' };
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface LogLine {
  level: string;
  message: string;
  fields: string;
}
function captureLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void =>
      void lines.push({ level, message, fields: JSON.stringify(fields ?? {}) });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

beforeAll(async () => {
  mkdirSync(seed);
  const t = await startTestHub(env, { dataDir: seed, keepDataDir: true });
  const c = t.hub.console;
  for (let i = 1; i <= 5; i++) await c.request('sendConfig', { agentId: `cf-${i}`, config: { level: i } });
  await c.request('saveProfile', { name: 'web', description: '', selector: {}, config: { a: 1 } });
  await c.request('saveAlertRule', { name: 'hot', kind: 'cpu', threshold: 90, forSec: 30 });
  await c.request('addMute', {
    target: { kind: 'agent', agentId: 'cf-1' },
    until: Date.now() + 3_600_000,
    reason: 'seed',
  });
  await t.close();
  // Files that only exist after agents reported: create plausible ones to damage below.
  mkdirSync(join(seed, 'monitoring'), { recursive: true });
}, 60_000);

type Damage = 'garbage' | 'truncated' | 'wrong shape';
const damage = (file: string, how: Damage): void => {
  if (how === 'garbage') writeFileSync(file, Buffer.from('\x00\xff{{ not json at all \n\x01\x02', 'latin1'));
  else if (how === 'truncated') truncateSync(file, Math.max(1, Math.floor(readFileSync(file).length / 2)));
  else writeFileSync(file, JSON.stringify({ version: 99, surprise: [1, 2, 3] }));
};

interface Case {
  file: string;
  how: Damage;
  /** The file may not exist after the seed run (created by the damage). */
  create?: boolean;
  env?: Record<string, string>;
}
const cases: Case[] = [
  { file: 'registry/journal.jsonl', how: 'garbage' },
  { file: 'registry/snapshot.jsonl', how: 'garbage', create: true },
  { file: 'registry/audit.jsonl', how: 'garbage' },
  { file: 'config-outbox.json', how: 'truncated', create: true },
  { file: 'alert-settings.json', how: 'truncated' },
  { file: 'alerts.json', how: 'garbage', create: true },
  { file: 'broker-settings.json', how: 'wrong shape', create: true },
  // Read only when no CENTRALIZER_AGENT_TOKEN is set (the generated token lives there).
  { file: 'hub-secrets.json', how: 'garbage', create: true, env: { CENTRALIZER_AGENT_TOKEN: '' } },
  { file: 'enrollment.json', how: 'truncated', create: true },
  { file: 'monitoring/metrics-history.bin', how: 'garbage', create: true },
  { file: 'monitoring/presence-history.jsonl', how: 'garbage', create: true },
];

const results: string[] = [];
afterAll(() => {
  console.log(
    ['[fault corrupt-files] file | damage | started | reported in the log | kept aside as', ...results].join(
      '\n',
    ),
  );
});

describe('a damaged file at start-up', () => {
  for (const c of cases) {
    it(`${c.file} (${c.how}): starts, reports it, keeps it aside`, async () => {
      const dir = join(root, c.file.replace(/[/.]/g, '_'));
      cpSync(seed, dir, { recursive: true });
      const file = join(dir, c.file);
      if (!existsSync(file)) {
        expect(c.create, `${c.file} should exist after the seed run`).toBe(true);
        writeFileSync(file, '{"placeholder": true}\n');
      }
      damage(file, c.how);

      const lines: LogLine[] = [];
      const t = await startTestHub({ ...env, ...c.env }, { dataDir: dir, logger: captureLogger(lines) });
      try {
        expect(t.hub.status().gateway.state).toBe('listening');
        const snap = await t.snapshot(); // serves
        expect(snap.status).toBeTruthy();
        const reported = lines.filter(
          (l) =>
            (l.level === 'warn' || l.level === 'error') &&
            (l.fields.includes(basename(c.file)) || l.message.includes(basename(c.file))),
        );
        const aside = readdirSync(dirname(file)).filter((n) => n.startsWith(`${basename(c.file)}.corrupt-`));
        results.push(
          `  ${c.file} | ${c.how} | yes | ${reported.map((l) => `${l.level}: ${l.message}`).join('; ') || 'NO'} | ${aside.join(', ') || 'NOT KEPT'}`,
        );
        expect(reported.length, `a warn/error log line naming ${c.file}`).toBeGreaterThan(0);
        expect(aside.length, `${c.file}.corrupt-<time> next to it`).toBeGreaterThan(0);
        // The rest of the folder still loads: what was not damaged is still there.
        if (!c.file.startsWith('registry/')) {
          const profiles = (await t.hub.console.request('listProfiles', undefined)) as Profile[];
          expect(profiles.map((p) => p.name)).toContain('web');
        }
        if (c.file !== 'alert-settings.json') {
          const alerts = (await t.hub.console.request('getAlertSettings', undefined)) as AlertSettings;
          expect(alerts.rules.map((r) => r.name)).toContain('hot');
        }
      } finally {
        await t.close();
      }
    });
  }

  it('desktop app secrets.json (garbage, mocked Electron): kept aside and reported', () => {
    const dir = join(root, 'electron-user-data');
    mkdirSync(dir);
    writeFileSync(join(dir, 'secrets.json'), 'garbage{');
    const lines: LogLine[] = [];
    const store = createSafeStorageSecretStore(dir, captureLogger(lines));
    expect(store.get('broker.password')).toBeUndefined();
    const aside = readdirSync(dir).filter((n) => n.startsWith('secrets.json.corrupt-'));
    const reported = lines.filter((l) => l.level === 'error' && l.fields.includes('secrets.json'));
    results.push(
      `  (electron userData) secrets.json | garbage | yes | ${reported.map((l) => `${l.level}: ${l.message}`).join('; ') || 'NO'} | ${aside.join(', ') || 'NOT KEPT'}`,
    );
    expect(aside.length).toBe(1);
    expect(reported.length).toBeGreaterThan(0);
  });

  it('.env with a bad value: the hub refuses to start and names the key', async () => {
    const dir = join(root, 'dotenv');
    cpSync(seed, dir, { recursive: true });
    writeFileSync(join(dir, '.env'), 'CENTRALIZER_PING_INTERVAL_SEC=often\n');
    const refused = startNodeIn(dir);
    const code = await refused.exit;
    results.push(
      `  .env | bad value | no (exit ${code}, by design) | ${refused.output().trim().split('\n')[0]} | (left in place)`,
    );
    expect(code).toBe(2);
    expect(refused.output()).toContain('CENTRALIZER_PING_INTERVAL_SEC');
  });
});

/** The headless hub with its working directory in `dir`, so it reads `dir/.env`. */
function startNodeIn(dir: string) {
  const child = spawn(process.execPath, [join(ROOT, 'dist/main/headless.js')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      CENTRALIZER_DATA_DIR: dir,
      CENTRALIZER_LOG_DIR: join(dir, 'logs'),
      CENTRALIZER_GATEWAY_PORT: '0',
      CENTRALIZER_CONSOLE_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { exit, output: () => out };
}
