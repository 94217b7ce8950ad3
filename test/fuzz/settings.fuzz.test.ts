/**
 * Fuzz: settings from outside the code. Environment and `.env` files (resolveSettings, loadEnv,
 * resolveBrokerSettings), the hub's generated-secrets file (hub-secrets.json) and the broker settings
 * saved from the console (broker-settings.json).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src-main/hub/env-files';
import { loadOrCreateSecret, resolveSettings, SettingsError } from '../../src-main/hub/settings';
import { resolveBrokerSettings, type BrokerEnv } from '../../src-main/hub/broker/broker-settings';
import { SavedBrokerSettings } from '../../src-main/hub/broker/saved-broker-settings';
import { memorySecretStore } from '../../src-main/hub/secret-store';
import { silentLogger } from '../../src-main/hub/logger';
import { CredentialStore } from '../../src-main/hub/enrollment/credential-store';
import { fileCredentials } from '../../src-agent/credential-file';
import { anyValue, hostileKey, hostileString, junkText, toJsonText } from './arbitraries';
import { assertClearMessage, assertNoPollution, fuzz, timeoutFor } from './harness';

/** Hub keys that take plain values (the TLS ones read or generate certificates: tested elsewhere). */
const HUB_KEYS = [
  'CENTRALIZER_AGENT_MAX_BUFFERED_KB',
  'CENTRALIZER_AGENT_MSG_BURST',
  'CENTRALIZER_AGENT_MSG_RATE',
  'CENTRALIZER_AGENT_TOKEN',
  'CENTRALIZER_BROKER_RETRY_MAX_SEC',
  'CENTRALIZER_CONSOLE_HOST',
  'CENTRALIZER_CONSOLE_PORT',
  'CENTRALIZER_CONSOLE_TOKEN',
  'CENTRALIZER_GATEWAY_HOST',
  'CENTRALIZER_GATEWAY_PORT',
  'CENTRALIZER_JOB_HISTORY_MAX',
  'CENTRALIZER_JOB_RETENTION_HOURS',
  'CENTRALIZER_LOG_LEVEL',
  'CENTRALIZER_MAX_CONNECTIONS',
  'CENTRALIZER_METRICS_INTERVAL_SEC',
  'CENTRALIZER_PING_INTERVAL_SEC',
  'CENTRALIZER_TOPOLOGY_PREFIX',
  'CENTRALIZER_WEBHOOK_MAX_ATTEMPTS',
  'CENTRALIZER_WEBHOOK_RETRY_BASE_MS',
  'CENTRALIZER_WEBHOOK_TIMEOUT_MS',
];
const BROKER_KEYS = [
  'RABBITMQ_URL',
  'RABBITMQ_HOST',
  'RABBITMQ_PORT',
  'RABBITMQ_USER',
  'RABBITMQ_PASSWORD',
  'RABBITMQ_VHOST',
  'RABBITMQ_TLS',
  'RABBITMQ_HEARTBEAT_SEC',
];

const settingValue = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '-1',
    '8765',
    '65536',
    '1e3',
    '0x10',
    ' 5 ',
    'NaN',
    'Infinity',
    'true',
    'debug',
  ),
  fc.constantFrom('0.5', '3600', '3601', 'abcdefghijklmnop-token', 'prefix-1', 'UPPER', '10', '100000'),
  hostileString,
);
const percentJunk = fc.constantFrom(
  '%',
  '%E0%A4%A',
  '%zz',
  '%00',
  '%C0%AF',
  '@',
  ':',
  '/',
  '[::1]',
  '?',
  '#',
);
const brokerUrl = fc
  .tuple(
    fc.constantFrom('amqp', 'amqps', 'http', 'AMQP', ''),
    fc.oneof(fc.string({ maxLength: 8 }), percentJunk),
    fc.oneof(fc.string({ maxLength: 8 }), percentJunk),
    fc.oneof(fc.constantFrom('localhost', '127.0.0.1', '[::1]', '', 'h st'), fc.string({ maxLength: 8 })),
    fc.oneof(
      fc.constantFrom('', ':5672', ':0', ':99999', ':x'),
      fc.nat({ max: 70_000 }).map((n) => `:${n}`),
    ),
    fc.oneof(
      fc.constantFrom('', '/', '/%2F', '/vh'),
      percentJunk.map((p) => `/${p}`),
    ),
    fc.oneof(
      fc.constant(''),
      fc.constantFrom('?heartbeat=10', '?heartbeat=-1', '?heartbeat=x', '?heartbeat=1e9'),
    ),
  )
  .map(
    ([scheme, user, pass, host, port, vhost, query]) =>
      `${scheme}://${user}:${pass}@${host}${port}${vhost}${query}`,
  );

const env = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...HUB_KEYS, ...BROKER_KEYS), settingValue, { maxKeys: 8 }),
    fc.option(brokerUrl, { nil: undefined }),
    fc.dictionary(hostileKey, fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  )
  .map(([known, url, other]) => ({
    ...other,
    ...known,
    ...(url === undefined ? {} : { RABBITMQ_URL: url }),
  }));

/** A rejection names the key (or, inside RABBITMQ_URL, the URL's `heartbeat` parameter). */
const KEY_IN_MESSAGE = /CENTRALIZER_[A-Z_]+|RABBITMQ_[A-Z_]+|^heartbeat /;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-fuzz-settings-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  assertNoPollution();
});

describe('fuzz: settings', () => {
  it(
    'resolveSettings / resolveBrokerSettings: a result, or an error that names the key',
    () => {
      const dataDir = join(dir, 'hub');
      fuzz('hub settings', env, (e) => {
        let outcome: 'accepted' | 'rejected' = 'accepted';
        try {
          const s = resolveSettings(e, dataDir);
          expect(s.gateway.token.length).toBeGreaterThanOrEqual(16);
        } catch (error) {
          if (!(error instanceof SettingsError)) throw new Error(`threw ${String(error)}`);
          assertClearMessage('resolveSettings', error.message);
          expect(error.message).toMatch(KEY_IN_MESSAGE);
          outcome = 'rejected';
        }
        const broker = resolveBrokerSettings(e as BrokerEnv);
        if (broker.kind === 'invalid') {
          assertClearMessage('resolveBrokerSettings', broker.problem);
          expect(broker.problem).toMatch(KEY_IN_MESSAGE);
          // The password must not leak into what the UI and logs show: a marker password must
          // not appear in the problem reported for the same settings.
          const marker = 'pw-marker-9f3b';
          const probe = resolveBrokerSettings({ ...(e as BrokerEnv), RABBITMQ_PASSWORD: marker });
          if (probe.kind === 'invalid') expect(probe.problem).not.toContain(marker);
          outcome = 'rejected';
        }
        return outcome;
      });
    },
    timeoutFor('hub settings', 1),
  );

  it('regression: a bad %-escape in RABBITMQ_URL says where (it was a bare "URI malformed")', () => {
    const result = resolveBrokerSettings({ RABBITMQ_URL: 'amqp://user:50%off@localhost:5672/' });
    expect(result).toEqual({
      kind: 'invalid',
      problem: 'RABBITMQ_URL: the password has an invalid %-escape (write a literal % as %25)',
    });
  });

  it(
    '.env files: any text loads without throwing, the environment wins, and the result resolves or names the key',
    () => {
      const envDir = join(dir, 'envfile');
      mkdirSync(envDir, { recursive: true });
      const line = fc.oneof(
        fc
          .tuple(fc.constantFrom(...HUB_KEYS, ...BROKER_KEYS, '__proto__', 'constructor'), settingValue)
          .map(([k, v]) => `${k}=${v}`),
        fc
          .tuple(fc.constantFrom(...HUB_KEYS), fc.string({ maxLength: 12 }))
          .map(([k, v]) => `export ${k}="${v}`),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('# comment', '=', 'A=`x', "B='unterminated", 'C="a\\nb"', '\u0000=1', '   '),
      );
      const text = fc.oneof(
        fc.array(line, { maxLength: 12 }).map((ls) => ls.join('\n')),
        junkText(fc.constant('A=1')),
      );
      fuzz('.env file', text, (t) => {
        writeFileSync(join(envDir, '.env'), t);
        const loaded = loadEnv([envDir], { CENTRALIZER_LOG_LEVEL: 'warn' });
        expect(loaded.CENTRALIZER_LOG_LEVEL).toBe('warn');
        for (const value of Object.values(loaded)) expect(typeof value).toBe('string');
        try {
          resolveSettings({ ...loaded, CENTRALIZER_AGENT_TOKEN: 'fuzz-token-0123456789' }, join(dir, 'hub'));
          return 'accepted';
        } catch (error) {
          if (!(error instanceof SettingsError)) throw new Error(`threw ${String(error)}`);
          expect(error.message).toMatch(KEY_IN_MESSAGE);
          return 'rejected';
        }
      });
    },
    timeoutFor('.env file', 2),
  );

  it(
    'hub-secrets.json: any content gives a usable token; a bad file is kept aside, a good one reused',
    () => {
      const valid = fc.record({ agentToken: fc.string({ minLength: 1, maxLength: 40 }) });
      const content = fc.oneof(
        valid.map(toJsonText),
        anyValue.map(toJsonText),
        junkText(valid.map(toJsonText)),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
      );
      let n = 0;
      fuzz('hub secrets file', content, (text) => {
        const d = join(dir, `secrets-${n++}`);
        mkdirSync(d);
        writeFileSync(join(d, 'hub-secrets.json'), text);
        const token = loadOrCreateSecret(d, 'agentToken');
        expect(token.length).toBeGreaterThan(0);
        expect(loadOrCreateSecret(d, 'agentToken')).toBe(token); // stored for the next start
        let previous: unknown;
        try {
          previous = (JSON.parse(text) as Record<string, unknown>).agentToken;
        } catch {
          previous = undefined;
        }
        const kept = readdirSync(d).some((f) => f.startsWith('hub-secrets.json.corrupt-'));
        rmSync(d, { recursive: true, force: true });
        if (typeof previous === 'string' && previous !== '' && token === previous) return 'accepted';
        return kept ? 'rejected' : 'accepted';
      });
    },
    timeoutFor('hub secrets file', 3),
  );

  it(
    'broker-settings.json: any content opens; a bad file is kept aside and the env settings apply',
    () => {
      const valid = fc.record({
        host: fc.string({ maxLength: 20 }),
        port: fc.integer({ min: -5, max: 70_000 }),
        username: fc.string({ maxLength: 10 }),
        vhost: fc.string({ maxLength: 10 }),
        tls: fc.boolean(),
      });
      const content = fc.oneof(
        valid.map(toJsonText),
        anyValue.map(toJsonText),
        junkText(valid.map(toJsonText)),
      );
      let n = 0;
      fuzz('broker settings file', content, (text) => {
        const d = join(dir, `broker-${n++}`);
        mkdirSync(d);
        const file = join(d, 'broker-settings.json');
        writeFileSync(file, text);
        const saved = new SavedBrokerSettings(d, memorySecretStore(), {}, silentLogger);
        const view = saved.view();
        const active = saved.active();
        if (active.kind === 'invalid') assertClearMessage('saved broker settings', active.problem);
        const keptAside = !existsSync(file);
        rmSync(d, { recursive: true, force: true });
        if (keptAside) {
          expect(view.source).toBe('none');
          return 'rejected';
        }
        // `null` is what the file holds after the settings were cleared: nothing saved.
        expect(view.source).toBe(text.trim() === 'null' ? 'none' : 'settings');
        return 'accepted';
      });
    },
    timeoutFor('broker settings file', 3),
  );

  it(
    "enrollment.json (the hub's credential hashes): any content opens; a bad file is kept aside",
    () => {
      const record = fc.record({
        hash: fc.constantFrom('a'.repeat(64), '0123456789abcdef'.repeat(4), 'nothex'),
        status: fc.constantFrom('active', 'pending', 'other'),
        enrolledAt: fc.nat(),
        name: fc.string({ maxLength: 10 }),
        hostname: fc.string({ maxLength: 10 }),
      });
      const valid = fc.record({
        version: fc.constant(1),
        approvalMode: fc.boolean(),
        agents: fc.dictionary(fc.constantFrom('a1', 'constructor', 'toString', 'x.y'), record, {
          maxKeys: 3,
        }),
        revoked: fc.constant([]),
        queueDeletes: fc.constant([]),
      });
      const content = fc.oneof(
        valid.map(toJsonText),
        anyValue.map(toJsonText),
        junkText(valid.map(toJsonText)),
      );
      let n = 0;
      fuzz('enrollment file', content, (text) => {
        const d = join(dir, `enroll-${n++}`);
        mkdirSync(d);
        writeFileSync(join(d, 'enrollment.json'), text);
        const store = new CredentialStore(d, silentLogger);
        expect(store.lookup('ac1_not-a-credential').state).toBe('unknown');
        expect(store.get('hasOwnProperty')).toBeUndefined(); // never an inherited member
        const aside = readdirSync(d).some((f) => f.startsWith('enrollment.json.corrupt-'));
        rmSync(d, { recursive: true, force: true });
        return aside ? 'rejected' : 'accepted';
      });
    },
    timeoutFor('enrollment file', 3),
  );

  it(
    "the agent's credential file: any content gives a usable credential or none, never a throw",
    () => {
      const content = fc.oneof(
        fc.string({ unit: fc.constantFrom(...'abcXYZ019_-'), minLength: 32, maxLength: 64 }),
        junkText(fc.constant('ac1_0123456789abcdefghijklmnopqrstuvwxyz')),
        fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b).toString('latin1')),
      );
      let n = 0;
      fuzz('agent credential file', content, (text) => {
        const file = join(dir, `credential-${n++}`);
        writeFileSync(file, text, { mode: 0o600 });
        const credential = fileCredentials(file).load();
        rmSync(file, { force: true });
        if (credential === undefined) return 'rejected';
        expect(credential).not.toMatch(/\s/);
        expect(credential.length).toBeGreaterThan(0);
        return 'accepted';
      });
    },
    timeoutFor('agent credential file', 3),
  );
});
