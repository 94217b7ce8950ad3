// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FleetSnapshot, ServerView } from '../../../src-shared/fleet';
import type { AlertView } from '../../../src-shared/monitoring';
import { App } from '../../../src-renderer/App';
import {
  cellAt,
  cellOrigin,
  countHealth,
  gridLayout,
  moveFocus,
  orderServers,
  sameMembers,
  serverHealth,
  unhealthyServers,
} from '../../../src-renderer/components/charts/fleet-grid';
import { setupI18n } from '../../../src-renderer/i18n';
import { latestAlerts, subjectRoute } from '../../../src-renderer/state/alert-order';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore } from '../../../src-renderer/state/fleet-store';
import { routeHref } from '../../../src-renderer/state/router';
import { startFleetSync, type FleetSync } from '../../../src-renderer/state/sync';
import { FakeConsoleApi, T0, agent, brokerStatus, delta, metrics, server, snapshot } from './fixtures';

beforeAll(() => setupI18n('en'));

function alert(id: string, overrides: Partial<AlertView> = {}): AlertView {
  return {
    id,
    ruleId: 'r1',
    ruleName: 'Agent offline',
    kind: 'agent_offline',
    severity: 'warning',
    subject: { kind: 'agent', id: `agent-${id}`, name: `Agent ${id}` },
    state: 'firing',
    startedAt: T0 - 120_000,
    firedAt: T0 - 60_000,
    message: `message ${id}`,
    muted: false,
    timeline: [],
    ...overrides,
  };
}

describe('server health', () => {
  it('down = offline, not seen = unknown, up over 90 % of CPU, memory or a disk = hot, else ok', () => {
    expect(serverHealth(server('a', { presence: 'offline', metrics: metrics(5) }))).toBe('offline');
    expect(serverHealth(server('a', { presence: 'unknown' }))).toBe('unknown');
    expect(serverHealth(server('a', { metrics: metrics(91) }))).toBe('hot');
    expect(serverHealth(server('a', { metrics: metrics(10, 95) }))).toBe('hot');
    const disksOk = metrics(10);
    disksOk.disks = [{ mount: '/', fs: 'ext4', usedBytes: 90, totalBytes: 100 }];
    expect(serverHealth(server('a', { metrics: disksOk }))).toBe('ok');
    // The fixture's /data disk is 91 % full.
    expect(serverHealth(server('a', { metrics: metrics(10) }))).toBe('hot');
    expect(serverHealth(server('a'))).toBe('ok');
    expect(
      countHealth([server('a', { presence: 'offline' }), server('b'), server('c', { presence: 'unknown' })]),
    ).toEqual({ offline: 1, unknown: 1, hot: 0, ok: 1 });
  });
});

describe('grid layout', () => {
  it('gives a few servers big cells and 5,000 small ones, within the height limit', () => {
    const few = gridLayout(4, 1100);
    expect(few.cell).toBe(28);
    expect(few.rows).toBe(1);

    const many = gridLayout(5000, 1100);
    expect(many.cols * many.rows).toBeGreaterThanOrEqual(5000);
    expect(many.height).toBeLessThanOrEqual(360);
    expect(many.cell).toBeGreaterThanOrEqual(6);
    expect(many.cols * (many.cell + many.gap) - many.gap).toBeLessThanOrEqual(1100);
    // The next size up would not fit in the height.
    const bigger = many.cell + 1;
    const gap = bigger >= 12 ? 3 : bigger >= 7 ? 2 : 1;
    const cols = Math.floor((1100 + gap) / (bigger + gap));
    expect(Math.ceil(5000 / cols) * (bigger + gap) - gap).toBeGreaterThan(360);

    // Too many for the height even at the smallest cell: the grid grows taller instead of shrinking more.
    const huge = gridLayout(100_000, 400);
    expect(huge.cell).toBe(4);
    expect(huge.height).toBeGreaterThan(360);
    expect(gridLayout(0, 800)).toMatchObject({ rows: 0, height: 0 });
  });

  it('hit-tests points (gaps count as the cell before them) and moves focus with arrow keys', () => {
    const l = gridLayout(10, 4 * 28 + 3 * 3); // 4 columns of 28 px cells, 3 px gaps
    expect(l.cols).toBe(4);
    expect(cellOrigin(l, 5)).toEqual({ x: 31, y: 31 });
    expect(cellAt(l, 0, 0)).toBe(0);
    expect(cellAt(l, 30, 2)).toBe(0);
    expect(cellAt(l, 31, 2)).toBe(1);
    expect(cellAt(l, 40, 40)).toBe(5);
    expect(cellAt(l, 100, 70)).toBe(-1); // row 2, column 3 = index 11 ≥ 10
    expect(cellAt(l, -1, 0)).toBe(-1);

    expect(moveFocus(l, -1, 'ArrowRight')).toBe(0);
    expect(moveFocus(l, 0, 'ArrowLeft')).toBe(0);
    expect(moveFocus(l, 0, 'ArrowRight')).toBe(1);
    expect(moveFocus(l, 3, 'ArrowRight')).toBe(3);
    expect(moveFocus(l, 1, 'ArrowDown')).toBe(5);
    expect(moveFocus(l, 7, 'ArrowDown')).toBe(7);
    expect(moveFocus(l, 5, 'ArrowUp')).toBe(1);
    expect(moveFocus(l, 9, 'ArrowRight')).toBe(9);
    expect(moveFocus(l, 4, 'End')).toBe(9);
    expect(moveFocus(l, 4, 'Home')).toBe(0);
  });

  it('orders cells by hostname, naturally, and lists the unhealthy worst first', () => {
    const servers = [
      server('s10', { hostname: 'web-10' }),
      server('s2', { hostname: 'web-2', presence: 'unknown' }),
      server('s1', { hostname: 'db-1', metrics: metrics(99) }),
      server('s3', { hostname: 'web-3', presence: 'offline' }),
    ];
    const order = orderServers(servers);
    expect(order).toEqual(['s1', 's2', 's3', 's10']);
    const map = new Map(servers.map((s) => [s.serverId, s]));
    expect(sameMembers(order, map)).toBe(true);
    map.delete('s2');
    map.set('s4', server('s4'));
    expect(sameMembers(order, map)).toBe(false);
    expect(unhealthyServers(servers).map((s) => s.serverId)).toEqual(['s3', 's1', 's2']);
  });
});

describe('dashboard alerts order', () => {
  it('lists firing before resolved, newest first within each, at most the limit', () => {
    const alerts = [
      alert('old-firing', { firedAt: T0 - 600_000 }),
      alert('new-resolved', { state: 'resolved', firedAt: T0 - 50_000, resolvedAt: T0 - 1_000 }),
      alert('new-firing', { firedAt: T0 - 10_000 }),
      alert('old-resolved', { state: 'resolved', firedAt: T0 - 900_000, resolvedAt: T0 - 800_000 }),
    ];
    expect(latestAlerts(alerts).map((a) => a.id)).toEqual([
      'new-firing',
      'old-firing',
      'new-resolved',
      'old-resolved',
    ]);
    expect(latestAlerts(alerts, 2).map((a) => a.id)).toEqual(['new-firing', 'old-firing']);
  });

  it('puts critical before warning among firing alerts, whatever their age', () => {
    const alerts = [
      alert('new-warning', { firedAt: T0 - 1_000 }),
      alert('old-critical', { firedAt: T0 - 900_000, severity: 'critical' }),
      alert('resolved-critical', { state: 'resolved', severity: 'critical', resolvedAt: T0 }),
    ];
    expect(latestAlerts(alerts).map((a) => a.id)).toEqual([
      'old-critical',
      'new-warning',
      'resolved-critical',
    ]);
  });

  it('links each alert to its subject', () => {
    expect(routeHref(subjectRoute(alert('a').subject))).toBe('#/agents/agent-a');
    expect(
      routeHref(subjectRoute(alert('b', { subject: { kind: 'server', id: 'db 1', name: 'db 1' } }).subject)),
    ).toBe('#/servers/db%201');
    expect(
      routeHref(
        subjectRoute(
          alert('c', { subject: { kind: 'job', id: 'agent-7/backup', name: 'backup on 7' } }).subject,
        ),
      ),
    ).toBe('#/jobs/failed/agent-7');
  });
});

describe('overview dashboard', () => {
  let sync: FleetSync | undefined;
  afterEach(() => {
    sync?.stop();
    cleanup();
  });

  function fleetSnapshot(): FleetSnapshot {
    const servers: ServerView[] = [
      server('alpha', { metrics: metrics(12, 20) }),
      server('beta', { metrics: metrics(95, 20) }),
      server('gamma', {
        presence: 'offline',
        onlineAgents: 0,
        since: T0 - 30_000,
        reason: 'all_agents_offline',
      }),
      server('delta', { presence: 'unknown' }),
    ];
    // Healthy disks, so only the CPU makes beta hot.
    for (const s of servers)
      if (s.metrics) s.metrics.disks = [{ mount: '/', fs: 'ext4', usedBytes: 1, totalBytes: 10 }];
    const snap = snapshot(1, [agent('a1', { serverId: 'alpha' })], servers);
    snap.status.alerts = { active: 2, critical: 1, failedDeliveries: 0 };
    snap.status.broker = brokerStatus({ state: 'disconnected', reason: 'unreachable' });
    snap.alerts = [
      alert('resolved-1', { state: 'resolved', resolvedAt: T0 - 1_000 }),
      alert('firing-old', { firedAt: T0 - 500_000, severity: 'critical' }),
      alert('firing-new', {
        firedAt: T0 - 5_000,
        subject: { kind: 'server', id: 'beta', name: 'beta' },
        message: 'CPU at 95 %',
      }),
    ];
    return snap;
  }

  async function renderOverview() {
    location.hash = '#/overview';
    const api = new FakeConsoleApi({
      getSnapshot: async () => fleetSnapshot(),
      getAgentConnectionInfo: async () => ({
        urls: [],
        token: 'x',
        tokenSource: 'generated',
        exampleCommand: 'agent',
      }),
    });
    const store = createFleetStore();
    sync = startFleetSync(api, store);
    render(
      <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
        <App />
      </ConsoleProvider>,
    );
    await waitFor(() => expect(store.getState().loaded).toBe(true));
    return { api };
  }

  it('shows the alert, broker and gateway tiles next to the existing ones', async () => {
    await renderOverview();
    for (const id of [
      'tile-online',
      'tile-offline',
      'tile-total',
      'tile-servers',
      'tile-jobs-running',
      'tile-jobs-failed',
    ])
      expect(screen.getByTestId(id)).toBeTruthy();
    expect(screen.getByTestId('tile-alerts-value').textContent).toBe('2');
    expect(screen.getByTestId('tile-alerts').textContent).toContain('1 critical');
    expect(screen.getByTestId('tile-alerts').getAttribute('href')).toBe('#/alerts/active');
    expect(screen.getByTestId('tile-broker-value').textContent).toBe('Disconnected');
    expect(screen.getByTestId('tile-broker').className).toContain('tile-bad');
    expect(screen.getByTestId('tile-gateway-value').textContent).toBe('Listening');
    expect(screen.getByTestId('tile-gateway').textContent).toContain('ws://10.0.0.5:8080/agent/v1');
  });

  it('lists the latest alerts firing first, critical first, each linking to its subject', async () => {
    const { api } = await renderOverview();
    const items = screen.getAllByTestId('dashboard-alert');
    // The Alerts view's order: firing, then critical before warning, then newest.
    expect(items.map((i) => i.getAttribute('data-alert-id'))).toEqual([
      'firing-old',
      'firing-new',
      'resolved-1',
    ]);
    expect(items[0]?.textContent).toContain('Critical');
    expect(items[1]?.getAttribute('href')).toBe('#/servers/beta');
    expect(items[1]?.textContent).toContain('CPU at 95 %');
    expect(items[2]?.textContent).toContain('Resolved');

    // A delta resolving the critical one moves it below the one still firing.
    act(() =>
      api.emit(
        'delta',
        delta(2, {
          alerts: [
            alert('firing-old', {
              state: 'resolved',
              firedAt: T0 - 500_000,
              resolvedAt: T0,
              severity: 'critical',
            }),
          ],
        }),
      ),
    );
    expect(screen.getAllByTestId('dashboard-alert').map((i) => i.getAttribute('data-alert-id'))).toEqual([
      'firing-new',
      'firing-old',
      'resolved-1',
    ]);
  });

  it('shows the fleet grid legend with counts, and the servers needing attention as links', async () => {
    await renderOverview();
    const grid = screen.getByTestId('fleet-grid');
    expect(grid.getAttribute('data-total')).toBe('4');
    expect(grid.getAttribute('aria-label')).toBe('Fleet grid: 4 servers, 1 down, 1 above 90 %');
    const legend = screen.getByTestId('fleet-legend');
    expect(legend.textContent).toContain('Up: 1');
    expect(legend.textContent).toContain('Above 90 %: 1');
    expect(legend.textContent).toContain('Down: 1');
    expect(legend.textContent).toContain('Not seen yet: 1');
    const attention = within(screen.getByTestId('attention')).getAllByTestId('attention-server');
    expect(attention.map((a) => a.getAttribute('href'))).toEqual([
      '#/servers/gamma',
      '#/servers/beta',
      '#/servers/delta',
    ]);
    expect(attention[1]?.textContent).toContain('CPU at 95%');
  });

  it('moves through the grid with the arrow keys, announces the server, and opens it with Enter', async () => {
    await renderOverview();
    const grid = screen.getByTestId('fleet-grid');
    grid.focus();
    // Cells are in hostname order: alpha, beta, delta, gamma.
    fireEvent.keyDown(grid, { key: 'ArrowRight' });
    expect(screen.getByTestId('fleet-grid-announce').textContent).toContain('alpha: Up · CPU 12%');
    fireEvent.keyDown(grid, { key: 'End' });
    expect(screen.getByTestId('fleet-grid-announce').textContent).toBe('gamma: Down · no metrics');
    expect(screen.getByTestId('fleet-grid-tooltip').textContent).toBe('gammaDown · no metrics');
    fireEvent.keyDown(grid, { key: 'Enter' });
    await waitFor(() => expect(location.hash).toBe('#/servers/gamma'));
  });
});
