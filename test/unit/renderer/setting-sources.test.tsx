// @vitest-environment happy-dom
/** Settings → "Where settings come from": each value with its source, shadowed places, log file path. */
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SettingSourcesView } from '../../../src-shared';
import { SettingSources } from '../../../src-renderer/components/settings/SettingSources';
import { i18next, setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore } from '../../../src-renderer/state/fleet-store';
import { FakeConsoleApi } from './fixtures';

const VIEW: SettingSourcesView = {
  dataDir: '/home/op/.config/Agent Centralizer',
  logFile: '/home/op/.config/Agent Centralizer/logs/hub.log',
  envFiles: [{ path: '/opt/Agent Centralizer/.env', found: true }],
  settings: [
    {
      key: 'CENTRALIZER_GATEWAY_PORT',
      value: '9999',
      secret: false,
      source: { kind: 'environment', variable: 'CENTRALIZER_GATEWAY_PORT' },
      shadowed: [{ kind: 'envFile', path: '/opt/Agent Centralizer/.env' }],
    },
    {
      key: 'CENTRALIZER_LOG_LEVEL',
      value: 'debug',
      secret: false,
      source: { kind: 'envFile', path: '/opt/Agent Centralizer/.env' },
      shadowed: [],
    },
    {
      key: 'CENTRALIZER_PING_INTERVAL_SEC',
      value: '10',
      secret: false,
      source: { kind: 'default' },
      shadowed: [],
    },
    {
      key: 'RABBITMQ_HOST',
      value: 'mq.saved',
      secret: false,
      source: { kind: 'userSettings' },
      shadowed: [],
    },
    {
      key: 'RABBITMQ_PASSWORD',
      value: '••••••••',
      secret: true,
      source: { kind: 'userSettings' },
      shadowed: [],
    },
    { key: 'CENTRALIZER_CONSOLE_TOKEN', value: null, secret: true, source: { kind: 'unset' }, shadowed: [] },
  ],
};

function renderWith(handler: () => Promise<SettingSourcesView>) {
  const api = new FakeConsoleApi({ getSettingSources: handler });
  render(
    <ConsoleProvider value={{ api, store: createFleetStore(), transportKind: 'memory' }}>
      <SettingSources />
    </ConsoleProvider>,
  );
  return api;
}

beforeAll(() => setupI18n('en'));
afterEach(async () => {
  cleanup();
  await act(() => i18next.changeLanguage('en'));
});

const row = (key: string) => screen.getByTestId(`source-${key}`);

describe('SettingSources', () => {
  it('shows each value and where it comes from, and what it overrides', async () => {
    const api = renderWith(async () => VIEW);
    expect(await screen.findByTestId('source-CENTRALIZER_GATEWAY_PORT')).toBeTruthy();
    expect(api.calls.map((c) => c.channel)).toEqual(['getSettingSources']);
    const port = row('CENTRALIZER_GATEWAY_PORT');
    expect(within(port).getByText('9999')).toBeTruthy();
    expect(port.textContent).toContain('environment variable CENTRALIZER_GATEWAY_PORT');
    expect(port.textContent).toContain('overrides .env at /opt/Agent Centralizer/.env');
    expect(row('CENTRALIZER_LOG_LEVEL').textContent).toContain('.env at /opt/Agent Centralizer/.env');
    expect(row('CENTRALIZER_PING_INTERVAL_SEC').textContent).toContain('built-in default');
    expect(row('RABBITMQ_HOST').textContent).toContain('user settings (saved on this screen)');
    expect(row('CENTRALIZER_CONSOLE_TOKEN').textContent).toContain('not set');
  });

  it('shows secrets only masked, labelled as hidden', async () => {
    renderWith(async () => VIEW);
    const password = await screen.findByTestId('source-RABBITMQ_PASSWORD');
    expect(within(password).getByLabelText('secret, hidden').textContent).toBe('••••••••');
  });

  it('shows the log file path with a copy button, and the .env files looked at', async () => {
    renderWith(async () => VIEW);
    const log = await screen.findByTestId('log-file-path');
    expect(log.textContent).toContain('/home/op/.config/Agent Centralizer/logs/hub.log');
    expect(within(log).getByRole('button', { name: /log file path/i })).toBeTruthy();
    const section = screen.getByTestId('setting-sources');
    expect(section.textContent).toContain('/opt/Agent Centralizer/.env (found)');
  });

  it('says when there is no log file', async () => {
    renderWith(async () => ({ ...VIEW, logFile: null }));
    expect(await screen.findByText('No log file: the hub logs to its console only.')).toBeTruthy();
  });

  it('reports a failed load instead of an empty table', async () => {
    renderWith(async () => Promise.reject(new Error('hub unreachable')));
    expect((await screen.findByRole('alert')).textContent).toContain('hub unreachable');
  });

  it('speaks Portuguese too', async () => {
    await act(() => i18next.changeLanguage('pt-BR'));
    renderWith(async () => VIEW);
    expect((await screen.findByTestId('source-CENTRALIZER_PING_INTERVAL_SEC')).textContent).toContain(
      'padrão embutido',
    );
    expect(screen.getByText('De onde vêm as configurações')).toBeTruthy();
  });
});
