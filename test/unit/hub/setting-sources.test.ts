import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BrokerSettingsView, SettingSourceEntry } from '../../../src-shared';
import { executableDir, readEnvLayers } from '../../../src-main/hub/env-files';
import { describeHubSettingSources, MASKED } from '../../../src-main/hub/setting-sources';
import { createHub } from '../../../src-main/hub/hub';
import { silentLogger } from '../../../src-main/hub/logger';

let dir: string;
let exeDir: string;
let cwd: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-sources-'));
  exeDir = join(dir, 'app');
  cwd = join(dir, 'cwd');
  mkdirSync(exeDir);
  mkdirSync(cwd);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const envBroker: BrokerSettingsView = {
  source: 'env',
  host: 'mq.env',
  port: 5672,
  username: 'guest',
  vhost: '/',
  tls: false,
  hasPassword: true,
  secretBackend: 'unavailable',
};

const entry = (view: { settings: SettingSourceEntry[] }, key: string): SettingSourceEntry => {
  const found = view.settings.find((s) => s.key === key);
  if (!found) throw new Error(`no entry for ${key}`);
  return found;
};

describe('settings precedence: environment > .env (first folder first) > default', () => {
  it('says for each key which place won and which lost', () => {
    writeFileSync(
      join(exeDir, '.env'),
      'CENTRALIZER_GATEWAY_PORT=9000\nCENTRALIZER_LOG_LEVEL=debug\nCENTRALIZER_CONSOLE_PORT=9100\n',
    );
    writeFileSync(join(cwd, '.env'), 'CENTRALIZER_CONSOLE_PORT=9200\n');
    const layers = readEnvLayers([cwd, exeDir, join(dir, 'missing')], { CENTRALIZER_GATEWAY_PORT: '9999' });
    // The merged env the hub runs with agrees with what the screen says.
    expect(layers.merged.CENTRALIZER_GATEWAY_PORT).toBe('9999');
    expect(layers.merged.CENTRALIZER_CONSOLE_PORT).toBe('9200');
    expect(layers.merged.CENTRALIZER_LOG_LEVEL).toBe('debug');

    const view = describeHubSettingSources({
      layers,
      broker: envBroker,
      dataDir: dir,
      logFile: '/l/hub.log',
    });
    expect(entry(view, 'CENTRALIZER_GATEWAY_PORT')).toEqual({
      key: 'CENTRALIZER_GATEWAY_PORT',
      value: '9999',
      secret: false,
      source: { kind: 'environment', variable: 'CENTRALIZER_GATEWAY_PORT' },
      shadowed: [{ kind: 'envFile', path: join(exeDir, '.env') }],
    });
    expect(entry(view, 'CENTRALIZER_CONSOLE_PORT')).toMatchObject({
      value: '9200',
      source: { kind: 'envFile', path: join(cwd, '.env') },
      shadowed: [{ kind: 'envFile', path: join(exeDir, '.env') }],
    });
    expect(entry(view, 'CENTRALIZER_LOG_LEVEL')).toMatchObject({
      value: 'debug',
      source: { kind: 'envFile', path: join(exeDir, '.env') },
    });
    expect(entry(view, 'CENTRALIZER_PING_INTERVAL_SEC')).toMatchObject({
      value: '10',
      source: { kind: 'default' },
    });
    expect(entry(view, 'CENTRALIZER_CONSOLE_TOKEN')).toMatchObject({
      value: null,
      source: { kind: 'unset' },
    });
    expect(entry(view, 'CENTRALIZER_AGENT_TOKEN')).toMatchObject({
      value: MASKED,
      source: { kind: 'generated' },
    });
    expect(view.envFiles).toEqual([
      { path: join(cwd, '.env'), found: true },
      { path: join(exeDir, '.env'), found: true },
      { path: join(dir, 'missing', '.env'), found: false },
    ]);
    expect(view.logFile).toBe('/l/hub.log');
  });

  it('an empty value means "not set" and falls through to the next place', () => {
    writeFileSync(join(exeDir, '.env'), 'CENTRALIZER_GATEWAY_HOST=10.0.0.5\n');
    const layers = readEnvLayers([exeDir], { CENTRALIZER_GATEWAY_HOST: '' });
    const view = describeHubSettingSources({ layers, broker: envBroker, dataDir: dir, logFile: null });
    expect(entry(view, 'CENTRALIZER_GATEWAY_HOST')).toMatchObject({
      value: '10.0.0.5',
      source: { kind: 'envFile', path: join(exeDir, '.env') },
    });
  });

  it('masks secrets and URL credentials wherever they come from', () => {
    writeFileSync(
      join(exeDir, '.env'),
      'RABBITMQ_PASSWORD=hunter2\nCENTRALIZER_AGENT_TOKEN=abcdefghijklmnopqrstuvwxyz\n',
    );
    const layers = readEnvLayers([exeDir], { RABBITMQ_URL: 'amqp://bob:s3cret@mq:5672/' });
    const view = describeHubSettingSources({ layers, broker: envBroker, dataDir: dir, logFile: null });
    expect(entry(view, 'RABBITMQ_PASSWORD')).toMatchObject({ value: MASKED, secret: true });
    expect(entry(view, 'CENTRALIZER_AGENT_TOKEN')).toMatchObject({
      value: MASKED,
      secret: true,
      source: { kind: 'envFile', path: join(exeDir, '.env') },
    });
    expect(entry(view, 'RABBITMQ_URL').value).toBe('amqp://bob:***@mq:5672/');
    expect(JSON.stringify(view)).not.toMatch(/hunter2|s3cret|abcdefghijklmnop/);
  });

  it('broker settings saved in the app win over the environment and .env for the keys they cover', () => {
    writeFileSync(join(exeDir, '.env'), 'RABBITMQ_HOST=mq.file\nRABBITMQ_HEARTBEAT_SEC=30\n');
    const layers = readEnvLayers([exeDir], { RABBITMQ_HOST: 'mq.env', RABBITMQ_URL: 'amqp://mq.url' });
    const saved: BrokerSettingsView = {
      ...envBroker,
      source: 'settings',
      host: 'mq.saved',
      hasPassword: false,
    };
    const view = describeHubSettingSources({ layers, broker: saved, dataDir: dir, logFile: null });
    expect(entry(view, 'RABBITMQ_HOST')).toMatchObject({
      value: 'mq.saved',
      source: { kind: 'userSettings' },
      shadowed: [
        { kind: 'environment', variable: 'RABBITMQ_HOST' },
        { kind: 'envFile', path: join(exeDir, '.env') },
      ],
    });
    expect(entry(view, 'RABBITMQ_URL')).toMatchObject({ value: null, source: { kind: 'userSettings' } });
    expect(entry(view, 'RABBITMQ_PASSWORD')).toMatchObject({ value: null, source: { kind: 'userSettings' } });
    expect(entry(view, 'RABBITMQ_HEARTBEAT_SEC')).toMatchObject({ value: '30', source: { kind: 'envFile' } });
  });
});

describe('the hub answers getSettingSources', () => {
  it('from the layers it was started with', async () => {
    writeFileSync(join(exeDir, '.env'), 'CENTRALIZER_GATEWAY_PORT=0\n');
    const layers = readEnvLayers([exeDir], { CENTRALIZER_CONSOLE_PORT: '0' });
    const hub = createHub({
      mode: 'headless',
      dataDir: join(dir, 'data'),
      env: layers.merged,
      envLayers: layers,
      logFile: '/var/log/agent-centralizer/hub.log',
      logger: silentLogger,
    });
    const view = (await hub.console.request('getSettingSources', undefined)) as Awaited<
      ReturnType<typeof describeHubSettingSources>
    >;
    expect(entry(view, 'CENTRALIZER_GATEWAY_PORT').source).toEqual({
      kind: 'envFile',
      path: join(exeDir, '.env'),
    });
    expect(entry(view, 'CENTRALIZER_CONSOLE_PORT').source).toEqual({
      kind: 'environment',
      variable: 'CENTRALIZER_CONSOLE_PORT',
    });
    expect(view.logFile).toBe('/var/log/agent-centralizer/hub.log');
    expect(view.dataDir).toBe(join(dir, 'data'));
    await hub.stop();
  });
});

describe('executableDir: where the packaged app looks for its .env', () => {
  it('uses the portable exe folder, the AppImage folder, the folder around the .app, or the exe folder', () => {
    expect(executableDir('C:\\Temp\\x\\app.exe', { PORTABLE_EXECUTABLE_DIR: 'D:\\Tools' }, 'win32')).toBe(
      'D:\\Tools',
    );
    expect(
      executableDir('/tmp/.mount_x/agent-centralizer', { APPIMAGE: '/home/u/Apps/AC.AppImage' }, 'linux'),
    ).toBe('/home/u/Apps');
    expect(
      executableDir('/Applications/Agent Centralizer.app/Contents/MacOS/Agent Centralizer', {}, 'darwin'),
    ).toBe('/Applications');
    expect(executableDir('/opt/Agent Centralizer/agent-centralizer', {}, 'linux')).toBe(
      '/opt/Agent Centralizer',
    );
  });
});
