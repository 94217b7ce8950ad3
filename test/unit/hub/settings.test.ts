import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../../src-main/hub/env-files';
import { redact } from '../../../src-main/hub/logger';
import { loadOrCreateSecret, resolveSettings, SettingsError } from '../../../src-main/hub/settings';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings', () => {
  it('uses defaults and generates a persistent agent token on first start', () => {
    const s = resolveSettings({}, dir);
    expect(s.gateway).toMatchObject({
      host: '0.0.0.0',
      port: 8765,
      pingIntervalSec: 10,
      metricsIntervalSec: 5,
      tokenSource: 'generated',
    });
    expect(s.gateway.token.length).toBeGreaterThanOrEqual(32);
    expect(resolveSettings({}, dir).gateway.token).toBe(s.gateway.token);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'hub-secrets.json')).mode & 0o077).toBe(0);
  });

  it('takes values from the environment, treating empty as unset', () => {
    const s = resolveSettings(
      {
        CENTRALIZER_GATEWAY_PORT: '9000',
        CENTRALIZER_AGENT_TOKEN: 'x'.repeat(20),
        CENTRALIZER_GATEWAY_HOST: '',
      },
      dir,
    );
    expect(s.gateway).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      token: 'x'.repeat(20),
      tokenSource: 'env',
    });
  });

  it.each([
    ['CENTRALIZER_GATEWAY_PORT', 'eighty'],
    ['CENTRALIZER_GATEWAY_PORT', '70000'],
    ['CENTRALIZER_AGENT_TOKEN', 'short'],
    ['CENTRALIZER_PING_INTERVAL_SEC', '-1'],
  ])('rejects %s=%s naming the key', (key, value) => {
    expect(() => resolveSettings({ [key]: value }, dir)).toThrow(SettingsError);
    expect(() => resolveSettings({ [key]: value }, dir)).toThrow(key);
  });

  it('keeps a corrupt secrets file aside and still starts', () => {
    writeFileSync(join(dir, 'hub-secrets.json'), '{ this is not json');
    const token = loadOrCreateSecret(dir, 'agentToken');
    expect(token.length).toBeGreaterThan(20);
    expect(readdirSync(dir).some((f) => f.startsWith('hub-secrets.json.corrupt-'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'hub-secrets.json'), 'utf8'))).toEqual({ agentToken: token });
  });

  it('merges .env files under the process environment', () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'CENTRALIZER_GATEWAY_PORT=9100\nRABBITMQ_USER=fromfile\n');
    const env = loadEnv([dir], { RABBITMQ_USER: 'fromenv' });
    expect(env).toMatchObject({ CENTRALIZER_GATEWAY_PORT: '9100', RABBITMQ_USER: 'fromenv' });
  });

  it('redacts secrets in log fields and URLs', () => {
    expect(redact({ password: 'hunter2', token: 'abc', host: 'h' })).toEqual({
      password: '***',
      token: '***',
      host: 'h',
    });
    expect(redact('amqp://user:secret@broker:5672/vh')).toBe('amqp://user:***@broker:5672/vh');
  });
});
