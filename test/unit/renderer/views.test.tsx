// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../src-renderer/App';
import { setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore, type FleetStore } from '../../../src-renderer/state/fleet-store';
import { startFleetSync, type FleetSync } from '../../../src-renderer/state/sync';
import { FakeConsoleApi, T0, agent, delta, metrics, server, snapshot } from './fixtures';
import { giveElementsASize } from './mount-console';

beforeAll(() => {
  setupI18n('en');
  giveElementsASize();
});

function fleet() {
  const agents = [
    agent('web-1', { serverId: 'alpha', hostname: 'alpha', labels: { role: 'web', env: 'prod' } }),
    agent('web-2', { serverId: 'beta', hostname: 'beta', labels: { role: 'web' }, agentVersion: '1.2.0' }),
    agent('db-1', { serverId: 'gamma', hostname: 'gamma', labels: { role: 'db' } }),
    agent('batch-1', {
      serverId: 'delta',
      hostname: 'delta',
      presence: 'offline',
      reason: 'ping_timeout',
      since: T0 - 5 * 60_000,
    }),
  ];
  const servers = [
    server('alpha', { agentIds: ['web-1'], metrics: metrics(12) }),
    server('beta', { agentIds: ['web-2'], metrics: metrics(87, 20) }),
    server('gamma', { agentIds: ['db-1'], metrics: metrics(45, 95) }),
    server('delta', { agentIds: ['batch-1'], presence: 'offline', onlineAgents: 0, metrics: metrics(99) }),
  ];
  return snapshot(10, agents, servers);
}

let api: FakeConsoleApi;
let store: FleetStore;
let sync: FleetSync;

async function renderApp(hash: string) {
  location.hash = hash;
  api = new FakeConsoleApi({
    getSnapshot: async () => fleet(),
    getAgentConnectionInfo: async () => ({
      urls: ['ws://10.0.0.5:8080/agent/v1'],
      token: 'tok-123456',
      tokenSource: 'generated',
      exampleCommand: 'agent --url ws://10.0.0.5:8080/agent/v1 --token tok-123456',
    }),
    getAgentDetail: async ({ agentId }) => {
      const a = store.getState().agents.get(agentId);
      return a
        ? {
            agent: a,
            server: store.getState().servers.get(a.serverId),
            presenceLog: [
              { state: 'online', at: T0 - 60_000, reason: 'connected' },
              { state: 'offline', at: T0 - 120_000, reason: 'connection_lost' },
            ],
          }
        : null;
    },
  });
  store = createFleetStore();
  sync = startFleetSync(api, store);
  const utils = render(
    <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
      <App />
    </ConsoleProvider>,
  );
  await waitFor(() => expect(store.getState().loaded).toBe(true));
  return utils;
}

const rowIds = () => screen.getAllByTestId('agent-row').map((r) => r.getAttribute('data-agent-id'));

beforeEach(() => {
  vi.useRealTimers();
});
afterEach(() => {
  sync.stop();
  cleanup();
});

describe('overview', () => {
  it('shows presence tiles, recently offline agents with reason in words, and the status bar', async () => {
    await renderApp('#/overview');
    expect(
      within(await screen.findByTestId('tile-online')).getByTestId('tile-online-value').textContent,
    ).toBe('3');
    expect(within(screen.getByTestId('tile-offline')).getByTestId('tile-offline-value').textContent).toBe(
      '1',
    );
    expect(screen.getByTestId('tile-servers').textContent).toContain('3 up · 1 down');

    const recent = screen.getByTestId('recently-offline');
    expect(within(recent).getByText('batch-1')).toBeTruthy();
    expect(within(recent).getByText('Ping timeout')).toBeTruthy();
    expect(recent.textContent).toMatch(/Offline for \d+/);

    const bar = screen.getByTestId('status-bar');
    expect(bar.textContent).toContain('Gateway listening on 0.0.0.0:8080');
    expect(bar.textContent).toContain('3 agents connected');
    expect(bar.textContent).toContain('0 violations');
    expect(bar.textContent).toContain('Console connected');
  });

  it('masks the agent token until revealed', async () => {
    await renderApp('#/overview');
    const panel = await screen.findByTestId('connect-panel');
    const token = await within(panel).findByTestId('agent-token');
    expect(token.textContent).not.toContain('tok-123456');
    expect(panel.textContent).not.toContain('tok-123456');
    fireEvent.click(within(panel).getByRole('button', { name: 'Show token' }));
    expect(token.textContent).toBe('tok-123456');
    expect(panel.textContent).toContain('--token tok-123456');
    expect(within(panel).getByRole('button', { name: 'Hide token' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
  });

  it('updates tiles when a delta arrives', async () => {
    await renderApp('#/overview');
    await screen.findByTestId('tile-online');
    act(() =>
      api.emit(
        'delta',
        delta(11, { agents: [agent('web-1', { presence: 'offline', reason: 'connection_lost' })] }),
      ),
    );
    expect(screen.getByTestId('tile-online-value').textContent).toBe('2');
    expect(screen.getByTestId('tile-offline-value').textContent).toBe('2');
    expect(within(screen.getByTestId('recently-offline')).getByText('Connection lost')).toBeTruthy();
  });
});

describe('agents list', () => {
  it('renders one row per agent with presence, server, CPU and RAM figures', async () => {
    await renderApp('#/agents');
    const rows = await screen.findAllByTestId('agent-row');
    expect(rows).toHaveLength(4);
    const web2 = rows.find((r) => r.getAttribute('data-agent-id') === 'web-2')!;
    expect(web2.getAttribute('data-presence')).toBe('online');
    expect(within(web2).getByText('Online')).toBeTruthy();
    expect(within(web2).getByText('beta')).toBeTruthy();
    expect(within(web2).getByText('87%')).toBeTruthy(); // CPU from the server's metrics
    expect(within(web2).getByText('20%')).toBeTruthy(); // RAM
    expect(within(web2).getByText('role=web')).toBeTruthy();
    // An offline agent shows no "current" figures.
    const batch = rows.find((r) => r.getAttribute('data-agent-id') === 'batch-1')!;
    expect(batch.getAttribute('data-presence')).toBe('offline');
    expect(within(batch).queryByText('99%')).toBeNull();
  });

  it('filters by name, host and label', async () => {
    await renderApp('#/agents');
    await screen.findAllByTestId('agent-row');
    const search = screen.getByRole('searchbox', { name: 'Search agents' });
    fireEvent.change(search, { target: { value: 'web' } });
    await waitFor(() => expect(rowIds().sort()).toEqual(['web-1', 'web-2']));
    fireEvent.change(search, { target: { value: 'gamma' } });
    await waitFor(() => expect(rowIds()).toEqual(['db-1']));
    fireEvent.change(search, { target: { value: 'env=prod' } });
    await waitFor(() => expect(rowIds()).toEqual(['web-1']));
    fireEvent.change(search, { target: { value: 'nothing-like-this' } });
    await waitFor(() => expect(screen.queryAllByTestId('agent-row')).toHaveLength(0));
    expect(screen.getByText(/No agent matches/)).toBeTruthy();
  });

  it('sorts by clicking column headers, toggling direction', async () => {
    await renderApp('#/agents');
    await screen.findAllByTestId('agent-row');
    expect(rowIds()).toEqual(['batch-1', 'db-1', 'web-1', 'web-2']); // name A→Z by default

    const cpuHeader = screen.getByRole('columnheader', { name: /CPU/ });
    fireEvent.click(within(cpuHeader).getByRole('button'));
    expect(cpuHeader.getAttribute('aria-sort')).toBe('descending');
    expect(rowIds()).toEqual(['web-2', 'db-1', 'web-1', 'batch-1']); // offline (no figure) last
    fireEvent.click(within(cpuHeader).getByRole('button'));
    expect(cpuHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(rowIds()).toEqual(['web-1', 'db-1', 'web-2', 'batch-1']);

    const statusHeader = screen.getByRole('columnheader', { name: /Status/ });
    fireEvent.click(within(statusHeader).getByRole('button'));
    expect(rowIds()[0]).toBe('batch-1'); // offline first: what needs attention
  });

  it('filters by presence', async () => {
    await renderApp('#/agents');
    await screen.findAllByTestId('agent-row');
    fireEvent.click(screen.getByRole('button', { name: 'Offline' }));
    expect(rowIds()).toEqual(['batch-1']);
    fireEvent.click(screen.getByRole('button', { name: 'All' }));
    expect(rowIds()).toHaveLength(4);
  });

  it('turns a row offline when a delta says so', async () => {
    await renderApp('#/agents');
    await screen.findAllByTestId('agent-row');
    act(() =>
      api.emit(
        'delta',
        delta(11, {
          agents: [
            agent('db-1', {
              serverId: 'gamma',
              hostname: 'gamma',
              presence: 'offline',
              reason: 'clean_disconnect',
            }),
          ],
        }),
      ),
    );
    const row = screen.getAllByTestId('agent-row').find((r) => r.getAttribute('data-agent-id') === 'db-1')!;
    expect(row.getAttribute('data-presence')).toBe('offline');
    expect(within(row).getByText('Offline')).toBeTruthy();
  });

  it('opens the agent detail on row click, with identity, presence and its log', async () => {
    await renderApp('#/agents');
    const rows = await screen.findAllByTestId('agent-row');
    fireEvent.click(rows.find((r) => r.getAttribute('data-agent-id') === 'web-1')!);
    await waitFor(() => expect(location.hash).toBe('#/agents/web-1'));
    const detailView = await screen.findByTestId('agent-detail');
    expect(within(detailView).getByText('env=prod')).toBeTruthy();
    const log = await within(detailView).findByTestId('presence-log');
    expect(within(log).getByText('Connection lost')).toBeTruthy();
    expect(within(screen.getByTestId('metrics-panel')).getByText('/data')).toBeTruthy();
    expect(api.calls.some((c) => c.channel === 'getAgentDetail')).toBe(true);
  });
});

describe('large fleets', () => {
  it('virtualizes: 5,000 agents render only the rows in view', async () => {
    location.hash = '#/agents';
    const many = Array.from({ length: 5000 }, (_, i) => agent(`agent-${String(i).padStart(4, '0')}`));
    api = new FakeConsoleApi({ getSnapshot: async () => snapshot(1, many) });
    store = createFleetStore();
    sync = startFleetSync(api, store);
    render(
      <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
        <App />
      </ConsoleProvider>,
    );
    const rows = await screen.findAllByTestId('agent-row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(100);
    expect(rows[0]!.getAttribute('data-agent-id')).toBe('agent-0000');
    expect(screen.getByRole('table', { name: 'Agents' }).getAttribute('aria-rowcount')).toBe('5001');
    expect(screen.getByTestId('agents-count').textContent).toBe('5,000 agents');
  });
});

describe('servers list', () => {
  it('lists servers with presence, agents online/total and the fullest disk', async () => {
    await renderApp('#/servers');
    const rows = await screen.findAllByTestId('server-row');
    expect(rows.map((r) => r.getAttribute('data-server-id'))).toEqual(['alpha', 'beta', 'delta', 'gamma']);
    const alpha = rows[0]!;
    expect(within(alpha).getByText('Up')).toBeTruthy();
    expect(within(alpha).getByText('1 / 1')).toBeTruthy();
    expect(within(alpha).getByText('91%')).toBeTruthy(); // /data is the fullest disk
    expect(rows[2]!.getAttribute('data-presence')).toBe('offline');
  });
});
