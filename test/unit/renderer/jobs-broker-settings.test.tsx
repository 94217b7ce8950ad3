// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  BrokerReasonCode,
  BrokerSettingsView,
  BrokerState,
  BrokerStatus,
} from '../../../src-shared/broker-protocol';
import { ConsoleError } from '../../../src-shared/console-channels';
import type { FleetSnapshot } from '../../../src-shared/fleet';
import { App } from '../../../src-renderer/App';
import { i18next, setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore, type FleetStore } from '../../../src-renderer/state/fleet-store';
import { startFleetSync, type FleetSync } from '../../../src-renderer/state/sync';
import { validateBrokerForm } from '../../../src-renderer/views/SettingsView';
import { FakeConsoleApi, T0, agent, brokerStatus, deferred, delta, job, snapshot, status } from './fixtures';
import { giveElementsASize } from './mount-console';

beforeAll(() => {
  setupI18n('en');
  giveElementsASize();
});

const BROKER_SETTINGS: BrokerSettingsView = {
  source: 'settings',
  host: 'mq.example',
  port: 5672,
  username: 'hub',
  vhost: '/',
  tls: false,
  hasPassword: true,
  secretBackend: 'os',
};

function fleet(overrides: Partial<FleetSnapshot> = {}, broker?: BrokerStatus, outbox = 0): FleetSnapshot {
  const base = snapshot(
    10,
    [
      agent('web-1', { name: 'Web one' }),
      agent('db-1', { name: 'Database', configRevision: 3, desiredRevision: 3, configStatus: 'in_sync' }),
    ],
    [],
  );
  const st = status();
  if (broker) st.broker = broker;
  st.configOutbox = outbox;
  return {
    ...base,
    status: st,
    jobs: [
      job('web-1', 'j1', { name: 'backup-db', progress: 42, startedAt: T0 - 90_000 }),
      job('web-1', 'j2', {
        name: 'deploy',
        state: 'failed',
        exitCode: 3,
        message: 'rsync: connection refused',
        startedAt: T0 - 600_000,
        finishedAt: T0 - 590_000,
        durationMs: 10_000,
      }),
      job('db-1', 'j1', {
        name: 'vacuum',
        state: 'succeeded',
        exitCode: 0,
        startedAt: T0 - 300_000,
        finishedAt: T0 - 240_000,
        durationMs: 60_000,
      }),
      job('db-1', 'j3', { name: 'reindex', startedAt: T0 - 5_000 }),
    ],
    ...overrides,
  };
}

let api: FakeConsoleApi;
let store: FleetStore;
let sync: FleetSync | undefined;

async function renderApp(
  hash: string,
  { snap = fleet(), handlers = {} }: { snap?: FleetSnapshot; handlers?: FakeConsoleApi['handlers'] } = {},
) {
  location.hash = hash;
  api = new FakeConsoleApi({
    getSnapshot: async () => snap,
    getAgentConnectionInfo: async () => ({
      urls: ['ws://10.0.0.5:8080/agent/v1'],
      token: 'tok-123456',
      tokenSource: 'generated',
      exampleCommand: 'agent --url ws://10.0.0.5:8080/agent/v1 --token tok-123456',
    }),
    getAgentDetail: async ({ agentId }) => {
      const a = store.getState().agents.get(agentId);
      return a ? { agent: a, presenceLog: [] } : null;
    },
    getBrokerSettings: async () => BROKER_SETTINGS,
    ...handlers,
  });
  store = createFleetStore();
  sync = startFleetSync(api, store);
  render(
    <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
      <App />
    </ConsoleProvider>,
  );
  await waitFor(() => expect(store.getState().loaded).toBe(true));
}

afterEach(() => {
  sync?.stop();
  sync = undefined;
  cleanup();
});

const jobKeys = () =>
  screen
    .queryAllByTestId('job-row')
    .map((r) => r.getAttribute('data-job-key'))
    .sort();

// ---- jobs ---------------------------------------------------------------------------------------

describe('jobs view', () => {
  it('shows every job in Recent with state, agent link, progress, exit code and message', async () => {
    await renderApp('#/jobs');
    const rows = await screen.findAllByTestId('job-row');
    expect(jobKeys()).toEqual(['db-1/j1', 'db-1/j3', 'web-1/j1', 'web-1/j2']);
    const backup = rows.find((r) => r.getAttribute('data-job-key') === 'web-1/j1')!;
    expect(backup.getAttribute('data-job-state')).toBe('running');
    expect(within(backup).getByText('Running')).toBeTruthy();
    expect(within(backup).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('42');
    const link = within(backup).getByRole('link', { name: 'Web one' });
    expect(link.getAttribute('href')).toBe('#/agents/web-1');
    const deploy = rows.find((r) => r.getAttribute('data-job-key') === 'web-1/j2')!;
    expect(within(deploy).getByText('Failed')).toBeTruthy();
    expect(within(deploy).getByText('3')).toBeTruthy();
    expect(within(deploy).getByText('rsync: connection refused')).toBeTruthy();
    expect(within(deploy).getByText('10 sec')).toBeTruthy(); // reported duration
    expect(within(deploy).queryByRole('progressbar')).toBeNull();
    // Started: relative text with the absolute time as tooltip.
    expect(within(deploy).getByText(/ago/).getAttribute('title')).toMatch(/2025/);
  });

  it('filters by tab, state, agent and name', async () => {
    await renderApp('#/jobs/running');
    await screen.findAllByTestId('job-row');
    expect(jobKeys()).toEqual(['db-1/j3', 'web-1/j1']);
    fireEvent.click(screen.getByTestId('jobs-tab-failed'));
    await waitFor(() => expect(jobKeys()).toEqual(['web-1/j2']));
    expect(location.hash).toBe('#/jobs/failed');
    fireEvent.click(screen.getByTestId('jobs-tab-recent'));
    await waitFor(() => expect(jobKeys()).toHaveLength(4));

    fireEvent.change(screen.getByTestId('jobs-state-filter'), { target: { value: 'succeeded' } });
    expect(jobKeys()).toEqual(['db-1/j1']);
    fireEvent.change(screen.getByTestId('jobs-state-filter'), { target: { value: 'all' } });

    const agentFilter = screen.getByTestId('jobs-agent-filter');
    expect(
      within(agentFilter)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['All agents', 'Database', 'Web one']);
    fireEvent.change(agentFilter, { target: { value: 'db-1' } });
    expect(jobKeys()).toEqual(['db-1/j1', 'db-1/j3']);

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search jobs by name' }), {
      target: { value: 'VAC' },
    });
    await waitFor(() => expect(jobKeys()).toEqual(['db-1/j1']));
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search jobs by name' }), {
      target: { value: 'nothing' },
    });
    await waitFor(() => expect(jobKeys()).toEqual([]));
    expect(screen.getByText('No job matches these filters.')).toBeTruthy();
  });

  it('moves a job between tabs when a delta finishes it, and drops removed jobs', async () => {
    await renderApp('#/jobs/running');
    await screen.findAllByTestId('job-row');
    act(() =>
      api.emit(
        'delta',
        delta(11, {
          jobs: [job('db-1', 'j3', { name: 'reindex', state: 'failed', exitCode: 1, finishedAt: T0 })],
          removedJobs: ['web-1/j2'],
        }),
      ),
    );
    expect(jobKeys()).toEqual(['web-1/j1']);
    fireEvent.click(screen.getByTestId('jobs-tab-failed'));
    await waitFor(() => expect(jobKeys()).toEqual(['db-1/j3']));
  });

  it('shows running and failed counts on the overview tiles', async () => {
    await renderApp('#/overview');
    const running = await screen.findByTestId('tile-jobs-running');
    expect(within(running).getByTestId('tile-jobs-running-value').textContent).toBe('2');
    expect(running.textContent).toContain('on 2 agents');
    expect(running.getAttribute('href')).toBe('#/jobs/running');
    const failed = screen.getByTestId('tile-jobs-failed');
    expect(within(failed).getByTestId('tile-jobs-failed-value').textContent).toBe('1');
    expect(failed.getAttribute('href')).toBe('#/jobs/failed');
    act(() => api.emit('delta', delta(11, { jobs: [job('db-1', 'j3', { state: 'failed' })] })));
    expect(screen.getByTestId('tile-jobs-running-value').textContent).toBe('1');
    expect(screen.getByTestId('tile-jobs-failed-value').textContent).toBe('2');
  });

  it('lists the agent’s jobs on its detail page, running first', async () => {
    await renderApp('#/agents/web-1');
    const card = await screen.findByTestId('agent-jobs');
    const rows = within(card).getAllByTestId('agent-job-row');
    expect(rows.map((r) => r.getAttribute('data-job-key'))).toEqual(['web-1/j1', 'web-1/j2']);
    expect(within(card).getByTestId('agent-jobs-running').textContent).toBe('1 running');
    expect(within(card).getByRole('link', { name: 'All jobs' }).getAttribute('href')).toBe(
      '#/jobs/recent/web-1',
    );
  });
});

// ---- broker status ------------------------------------------------------------------------------

const REASONS = {
  not_configured: 'No broker configured',
  invalid_settings: 'Invalid broker settings',
  unreachable: 'Broker host unreachable',
  auth_failed: 'Wrong user or password',
  vhost_missing: 'Virtual host missing',
  tls_error: 'TLS error',
  not_amqp: 'Not a RabbitMQ (AMQP) server',
  blocked: 'Broker is blocking publishers',
  connection_lost: 'Connection to the broker lost',
  closed_by_broker: 'Connection closed by the broker',
  setup_failed: 'Broker queues could not be set up',
  other: 'Broker error',
} satisfies Record<BrokerReasonCode, string>;

describe('broker status', () => {
  it.each<[BrokerState, string]>([
    ['not_configured', 'Broker: Not configured'],
    ['connecting', 'Broker: Connecting'],
    ['connected', 'Broker: Connected'],
    ['blocked', 'Broker: Blocked'],
    ['disconnected', 'Broker: Disconnected'],
  ])('status bar says %s in words', async (state, words) => {
    const broker = brokerStatus({
      state,
      reason: state === 'connected' || state === 'connecting' ? null : 'unreachable',
      reasonText: state === 'disconnected' ? 'Cannot reach mq.example:5672.' : null,
      nextRetryAt: state === 'disconnected' ? T0 + 5_000 : null,
      attempts: state === 'disconnected' ? 4 : 0,
    });
    await renderApp('#/overview', { snap: fleet({}, broker) });
    const item = screen.getByTestId('status-broker');
    expect(item.getAttribute('data-broker-state')).toBe(state);
    expect(item.textContent).toBe(words);
    const tooltip = item.getAttribute('title') ?? '';
    expect(tooltip).toContain('URL: amqp://hub:***@mq.example:5672/%2F');
    expect(tooltip).toMatch(/Since .*2025/);
    if (state === 'disconnected') {
      expect(tooltip).toContain('Cannot reach mq.example:5672.');
      expect(tooltip).toContain('4 failed attempts');
      expect(tooltip).toMatch(/Next attempt/);
    }
  });

  it('shows a banner with the hub’s words when disconnected, and updates from deltas', async () => {
    const broker = brokerStatus({
      state: 'disconnected',
      reason: 'auth_failed',
      reasonText: 'The broker refused user “hub”: check the user name and password.',
      detail: 'ACCESS_REFUSED - Login was refused',
      since: T0 - 120_000,
      nextRetryAt: Date.now() + 60_000,
    });
    await renderApp('#/overview', { snap: fleet({}, broker) });
    const banner = screen.getByTestId('broker-banner');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('The message broker is disconnected');
    expect(within(banner).getByText('Wrong user or password')).toBeTruthy();
    expect(within(banner).getByTestId('broker-banner-text').textContent).toBe(
      'The broker refused user “hub”: check the user name and password.',
    );
    expect(banner.textContent).toMatch(/Since .* ago/);
    expect(banner.textContent).toMatch(/Next attempt in/);
    expect(banner.textContent).toContain('ACCESS_REFUSED');
    expect(within(banner).getByRole('link', { name: 'Broker settings' }).getAttribute('href')).toBe(
      '#/settings',
    );

    const st = status();
    st.broker = brokerStatus({
      state: 'blocked',
      reason: 'blocked',
      reasonText: 'Memory alarm on the broker.',
    });
    act(() => api.emit('delta', delta(11, { status: st })));
    expect(screen.getByTestId('broker-banner').textContent).toContain(
      'The message broker is blocking publishers',
    );
    expect(screen.getByTestId('broker-banner').textContent).toContain('Memory alarm on the broker.');

    st.broker = brokerStatus({ state: 'connected' });
    act(() => api.emit('delta', delta(12, { status: { ...st } })));
    expect(screen.queryByTestId('broker-banner')).toBeNull();
    expect(screen.getByTestId('status-broker').getAttribute('data-broker-state')).toBe('connected');
  });

  it('has a title in words for every reason code', async () => {
    for (const [code, words] of Object.entries(REASONS)) {
      expect(i18next.t(`broker.reason.${code as BrokerReasonCode}`)).toBe(words);
    }
    await renderApp('#/overview', {
      snap: fleet({}, brokerStatus({ state: 'disconnected', reason: 'vhost_missing', reasonText: 'x' })),
    });
    expect(within(screen.getByTestId('broker-banner')).getByText('Virtual host missing')).toBeTruthy();
  });

  it('shows "not configured" calmly, with a link to Settings, and the outbox backlog', async () => {
    await renderApp('#/overview', { snap: fleet({}, undefined, 3) });
    expect(screen.queryByTestId('broker-banner')).toBeNull();
    const note = screen.getByTestId('broker-not-configured');
    expect(note.getAttribute('role')).toBeNull();
    expect(note.className).not.toContain('error');
    expect(note.textContent).toContain('No message broker configured');
    expect(within(note).getByRole('link', { name: 'Configure the broker' }).getAttribute('href')).toBe(
      '#/settings',
    );
    expect(screen.getByTestId('config-outbox').textContent).toContain(
      '3 configurations waiting for the broker',
    );
    expect(screen.getByTestId('status-outbox').textContent).toBe('3 configs waiting');
  });

  it('shows no outbox notice when nothing waits', async () => {
    await renderApp('#/overview', { snap: fleet({}, brokerStatus()) });
    expect(screen.queryByTestId('config-outbox')).toBeNull();
    expect(screen.queryByTestId('broker-not-configured')).toBeNull();
  });
});

// ---- settings -----------------------------------------------------------------------------------

async function openSettings(
  settings: Partial<BrokerSettingsView> = {},
  handlers: FakeConsoleApi['handlers'] = {},
) {
  await renderApp('#/settings', {
    handlers: { getBrokerSettings: async () => ({ ...BROKER_SETTINGS, ...settings }), ...handlers },
  });
  await screen.findByTestId('broker-host');
}
const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const brokerCalls = () =>
  api.calls.filter((c) => c.channel === 'saveBrokerSettings' || c.channel === 'testBrokerConnection');

describe('settings: broker form', () => {
  it('prefills from getBrokerSettings and says where the settings come from', async () => {
    await openSettings({ source: 'env', tls: true, vhost: 'prod' });
    expect(input('broker-host').value).toBe('mq.example');
    expect(input('broker-port').value).toBe('5672');
    expect(input('broker-user').value).toBe('hub');
    expect(input('broker-vhost').value).toBe('prod');
    expect(input('broker-tls').checked).toBe(true);
    expect(input('broker-password').value).toBe('');
    expect(screen.getByTestId('broker-source').textContent).toContain('.env or the environment');
  });

  it('validates before sending: invalid port → inline error and no call', async () => {
    await openSettings();
    fireEvent.change(input('broker-port'), { target: { value: '70000' } });
    fireEvent.change(input('broker-host'), { target: { value: '   ' } });
    fireEvent.click(screen.getByTestId('broker-save'));
    expect(screen.getByTestId('broker-port-error').textContent).toBe('Enter a whole number from 1 to 65535.');
    expect(input('broker-port').getAttribute('aria-invalid')).toBe('true');
    expect(input('broker-port').getAttribute('aria-describedby')).toBe(
      screen.getByTestId('broker-port-error').id,
    );
    expect(screen.getByTestId('broker-host-error').textContent).toBe('Required.');
    fireEvent.click(screen.getByTestId('broker-test'));
    expect(brokerCalls()).toEqual([]);
    for (const bad of ['0', '-1', '12.5', 'abc', '']) {
      fireEvent.change(input('broker-port'), { target: { value: bad } });
      fireEvent.click(screen.getByTestId('broker-test'));
    }
    expect(brokerCalls()).toEqual([]);
  });

  it('validateBrokerForm mirrors the contract schema', () => {
    const form = { host: ' mq ', port: '5671', username: 'u', password: '', vhost: '/', tls: true };
    expect(validateBrokerForm(form, true)).toEqual({
      input: { host: 'mq', port: 5671, username: 'u', vhost: '/', tls: true },
      errors: {},
    });
    expect(validateBrokerForm({ ...form, password: 'pw' }, true).input?.password).toBe('pw');
    expect(validateBrokerForm({ ...form, password: 'pw' }, false).input).not.toHaveProperty('password');
    expect(validateBrokerForm({ ...form, username: '', vhost: '' }, true).errors).toEqual({
      username: { key: 'required' },
      vhost: { key: 'required' },
    });
    expect(validateBrokerForm({ ...form, host: 'h'.repeat(256) }, true).errors.host).toEqual({
      key: 'tooLong',
      max: 255,
    });
    expect(validateBrokerForm({ ...form, port: '65535' }, true).input?.port).toBe(65535);
    expect(validateBrokerForm({ ...form, port: '65536' }, true).errors.port).toEqual({ key: 'port' });
  });

  it('tests the connection and shows success with latency and server version', async () => {
    await openSettings(
      {},
      {
        testBrokerConnection: async () => ({
          ok: true,
          url: 'amqp://hub:***@mq.example:5672/%2F',
          latencyMs: 12.4,
          serverVersion: '3.10.8',
          product: 'RabbitMQ',
        }),
      },
    );
    fireEvent.change(input('broker-password'), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByTestId('broker-test'));
    const result = await screen.findByTestId('broker-result');
    expect(result.getAttribute('data-result')).toBe('ok');
    expect(result.textContent).toContain('Connection succeeded');
    expect(result.textContent).toContain('12 ms');
    expect(result.textContent).toContain('RabbitMQ 3.10.8');
    expect(api.calls.find((c) => c.channel === 'testBrokerConnection')?.input).toEqual({
      host: 'mq.example',
      port: 5672,
      username: 'hub',
      password: 's3cret',
      vhost: '/',
      tls: false,
    });
  });

  it('shows the diagnosis message and detail when the test fails', async () => {
    await openSettings(
      {},
      {
        testBrokerConnection: async () => ({
          ok: false,
          url: 'amqp://hub:***@mq.example:5672/%2F',
          diagnosis: {
            code: 'unreachable',
            message: 'Nothing answers at mq.example:5672. Check the host name, the port and the firewall.',
            detail: 'connect ECONNREFUSED 10.0.0.9:5672',
          },
        }),
      },
    );
    fireEvent.click(screen.getByTestId('broker-test'));
    const result = await screen.findByTestId('broker-result');
    expect(result.getAttribute('data-result')).toBe('failed');
    expect(result.getAttribute('role')).toBe('alert');
    expect(result.textContent).toContain('Connection failed: Broker host unreachable');
    expect(result.textContent).toContain('Check the host name, the port and the firewall.');
    expect(result.textContent).toContain('ECONNREFUSED');
  });

  it('saves and shows the resulting state; a kept password is not sent', async () => {
    const saved = deferred<BrokerStatus>();
    await openSettings({}, { saveBrokerSettings: () => saved.promise });
    fireEvent.change(input('broker-host'), { target: { value: 'mq2.example' } });
    fireEvent.click(screen.getByTestId('broker-save'));
    expect((screen.getByTestId('broker-save') as HTMLButtonElement).disabled).toBe(true);
    expect(api.calls.find((c) => c.channel === 'saveBrokerSettings')?.input).toEqual({
      host: 'mq2.example',
      port: 5672,
      username: 'hub',
      vhost: '/',
      tls: false,
    });
    await act(async () => saved.resolve(brokerStatus({ state: 'connected' })));
    const result = await screen.findByTestId('broker-result');
    expect(result.getAttribute('data-result')).toBe('saved');
    expect(result.textContent).toContain('Saved. Broker: Connected');
  });

  it('shows a server-side ConsoleError message inline', async () => {
    await openSettings(
      {},
      {
        saveBrokerSettings: async () => {
          throw new ConsoleError('bad_request', 'host: must not contain spaces');
        },
      },
    );
    fireEvent.click(screen.getByTestId('broker-save'));
    const result = await screen.findByTestId('broker-result');
    expect(result.getAttribute('data-result')).toBe('error');
    expect(result.textContent).toBe('The hub refused the request: host: must not contain spaces');
  });

  it('password field per secret backend: os, basic_text, unavailable', async () => {
    await openSettings({ secretBackend: 'os', hasPassword: true });
    expect(input('broker-password').placeholder).toBe('stored — leave empty to keep');
    expect(input('broker-password').disabled).toBe(false);
    expect(screen.queryByTestId('broker-basic-text')).toBeNull();
    cleanup();
    sync?.stop();

    await openSettings({ secretBackend: 'os', hasPassword: false });
    expect(input('broker-password').placeholder).toBe('');
    cleanup();
    sync?.stop();

    await openSettings({ secretBackend: 'basic_text' });
    expect(screen.getByTestId('broker-basic-text').textContent).toContain(
      'Passwords are only obfuscated: this Linux session has no keyring',
    );
    expect(input('broker-password').disabled).toBe(false);
    cleanup();
    sync?.stop();

    await openSettings(
      { secretBackend: 'unavailable', source: 'env' },
      {
        testBrokerConnection: async () => ({
          ok: false,
          url: null,
          diagnosis: { code: 'other', message: 'x' },
        }),
      },
    );
    const password = input('broker-password');
    expect(password.disabled).toBe(true);
    expect(password.placeholder).toBe('from .env or the environment');
    const hint = document.getElementById(password.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toContain('RABBITMQ_PASSWORD');
    fireEvent.click(screen.getByTestId('broker-test'));
    await screen.findByTestId('broker-result');
    expect(api.calls.find((c) => c.channel === 'testBrokerConnection')?.input).not.toHaveProperty('password');
  });

  it('shows the gateway read-only, with the token masked until revealed', async () => {
    await openSettings();
    const gw = screen.getByTestId('gateway-settings');
    expect(within(gw).getByTestId('gateway-listen').textContent).toBe('0.0.0.0:8080');
    expect(gw.textContent).toContain('every 15 sec');
    expect(gw.textContent).toContain('every 5 sec');
    const token = await screen.findByTestId('agent-token');
    expect(token.textContent).not.toContain('tok-123456');
  });
});

// ---- configuration card ------------------------------------------------------------------------

describe('configuration card', () => {
  const editor = () => screen.getByTestId('config-editor') as HTMLTextAreaElement;

  it('refuses invalid JSON and non-objects inline, sending nothing', async () => {
    await renderApp('#/agents/db-1', {
      handlers: { sendConfig: async () => ({ agentId: 'db-1', revision: 4, changed: true }) },
    });
    await screen.findByTestId('config-card');
    expect(screen.getByTestId('config-running-revision').textContent).toBe('3');
    fireEvent.change(editor(), { target: { value: '{"interval": 5,' } });
    fireEvent.click(screen.getByTestId('config-send'));
    expect(screen.getByTestId('config-error').textContent).toMatch(/^Not valid JSON: /);
    expect(editor().getAttribute('aria-invalid')).toBe('true');
    for (const value of ['[1, 2]', 'null', '42', '"text"']) {
      fireEvent.change(editor(), { target: { value } });
      fireEvent.click(screen.getByTestId('config-send'));
      expect(screen.getByTestId('config-error').textContent).toBe(
        'The configuration must be a JSON object ({ … }).',
      );
    }
    expect(api.calls.filter((c) => c.channel === 'sendConfig')).toEqual([]);
  });

  it('sends the parsed object, shows "queued", then "applied" when the agent reports the revision', async () => {
    await renderApp('#/agents/db-1', {
      handlers: { sendConfig: async ({ agentId }) => ({ agentId, revision: 4, changed: true }) },
    });
    await screen.findByTestId('config-card');
    fireEvent.change(editor(), { target: { value: '{ "interval": 5, "paths": ["/var/log"] }' } });
    fireEvent.click(screen.getByTestId('config-send'));
    const statusEl = await screen.findByTestId('config-status');
    expect(api.calls.find((c) => c.channel === 'sendConfig')?.input).toEqual({
      agentId: 'db-1',
      config: { interval: 5, paths: ['/var/log'] },
    });
    expect(statusEl.getAttribute('data-config-state')).toBe('queued');
    expect(statusEl.textContent).toContain('Revision 4 queued');
    expect(screen.queryByTestId('config-error')).toBeNull();

    act(() =>
      api.emit(
        'delta',
        delta(11, {
          agents: [
            agent('db-1', {
              name: 'Database',
              configRevision: 4,
              desiredRevision: 4,
              configStatus: 'in_sync',
            }),
          ],
        }),
      ),
    );
    expect(screen.getByTestId('config-status').getAttribute('data-config-state')).toBe('applied');
    expect(screen.getByTestId('config-status').textContent).toBe('Revision 4 applied.');
    expect(screen.getByTestId('config-running-revision').textContent).toBe('4');
  });

  it('prefills the editor with the agent’s current override when the hub has it', async () => {
    await renderApp('#/agents/db-1', {
      handlers: {
        getAgentConfig: async () => ({
          agentId: 'db-1',
          status: 'in_sync',
          desiredRevision: 3,
          reportedRevision: 3,
          override: { interval: 10 },
          profiles: [],
          assignedProfiles: [],
          effective: { interval: 10 },
          revisions: [],
          ledger: [],
        }),
      },
    });
    await waitFor(() => expect(JSON.parse(editor().value)).toEqual({ interval: 10 }));
  });

  it('shows a send failure inline', async () => {
    await renderApp('#/agents/db-1', {
      handlers: {
        sendConfig: async () => {
          throw new ConsoleError('bad_request', 'config: too large');
        },
      },
    });
    await screen.findByTestId('config-card');
    fireEvent.change(editor(), { target: { value: '{}' } });
    fireEvent.click(screen.getByTestId('config-send'));
    expect((await screen.findByTestId('config-send-error')).textContent).toBe(
      'Could not send: config: too large',
    );
  });
});
