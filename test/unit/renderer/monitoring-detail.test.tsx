// @vitest-environment happy-dom
/**
 * Server and agent detail pages: history charts (uPlot replaced by a recorder: happy-dom has no
 * canvas), presence timeline, offline notice; and the lists' sparklines and offline detail.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FleetSnapshot, MetricsView } from '../../../src-shared/fleet';
import type { MetricsHistory, PresenceBand, PresenceHistory } from '../../../src-shared/monitoring';
import { App } from '../../../src-renderer/App';
import { layoutPresenceBands, timePerState } from '../../../src-renderer/components/charts/presence-bands';
import { formatUptime } from '../../../src-renderer/components/PresenceTimeline';
import { setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore, type FleetStore } from '../../../src-renderer/state/fleet-store';
import { startFleetSync, type FleetSync } from '../../../src-renderer/state/sync';
import { FakeConsoleApi, T0, agent, delta, metrics, server, snapshot } from './fixtures';
import { giveElementsASize } from './mount-console';

const plots = vi.hoisted(() => {
  interface Recorded {
    opts: { series: { label?: string }[]; bands?: { series: [number, number] }[] };
    data: unknown[][];
    setData: unknown[][][];
    destroyed: boolean;
  }
  return { all: [] as Recorded[] };
});

vi.mock('uplot', () => ({
  default: class FakeUPlot {
    rec: (typeof plots.all)[number];
    constructor(opts: (typeof plots.all)[number]['opts'], data: unknown[][]) {
      this.rec = { opts, data, setData: [], destroyed: false };
      plots.all.push(this.rec);
    }
    setData(data: unknown[][]) {
      this.rec.setData.push(data);
    }
    setSize() {}
    destroy() {
      this.rec.destroyed = true;
    }
  },
}));

beforeAll(() => {
  setupI18n('en');
  giveElementsASize();
});

const STEP = 5_000;
const HOUR = 3_600_000;

function history(range: '1h' | '24h', n: number, cpu: (i: number) => number | null): MetricsHistory {
  const step = range === '1h' ? STEP : 300_000;
  const t = Array.from({ length: n }, (_, i) => T0 - (n - 1 - i) * step);
  const col = (f: (v: number) => number) => t.map((_, i) => (cpu(i) === null ? null : f(cpu(i) as number)));
  const series = {
    cpu: col((v) => v),
    load1: col((v) => v / 100),
    mem: col(() => 40),
    rx: col(() => 1e5),
    tx: col(() => 1e3),
    'disk:/': col(() => 40),
  };
  return {
    serverId: 'alpha',
    range,
    stepMs: step,
    t,
    series,
    ...(range === '24h' ? { max: { ...series, cpu: col((v) => v + 10) } } : {}),
  };
}

function presence(
  range: '24h' | '7d',
  bands: PresenceBand[],
  uptimePercent: number | null,
  id = 'alpha',
): PresenceHistory {
  const span = range === '24h' ? 24 * HOUR : 7 * 24 * HOUR;
  return { kind: 'server', id, range, from: T0 - span, to: T0, bands, uptimePercent };
}

let sync: FleetSync | undefined;
afterEach(() => {
  sync?.stop();
  cleanup();
  plots.all.length = 0;
});

async function renderAt(hash: string, api: FakeConsoleApi, snap: FleetSnapshot): Promise<FleetStore> {
  location.hash = hash;
  api.handlers.getSnapshot = async () => snap;
  const store = createFleetStore();
  sync = startFleetSync(api, store);
  render(
    <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
      <App />
    </ConsoleProvider>,
  );
  await waitFor(() => expect(store.getState().loaded).toBe(true));
  return store;
}

describe('presence timeline layout', () => {
  const from = T0 - 1000;
  it('places bands as percentages of the range, clipped to it', () => {
    const bands: PresenceBand[] = [
      { state: 'unknown', from: from - 500, to: from + 250, reason: 'hub_shutdown' },
      { state: 'online', from: from + 250, to: from + 750, reason: 'connected' },
      { state: 'offline', from: from + 750, to: T0 + 99, reason: 'ping_timeout' },
    ];
    const segments = layoutPresenceBands(bands, from, T0);
    expect(segments.map((s) => [s.state, s.left, s.width])).toEqual([
      ['unknown', 0, 25],
      ['online', 25, 50],
      ['offline', 75, 25],
    ]);
    expect(timePerState(bands, from, T0)).toEqual({ unknown: 250, online: 500, offline: 250 });
  });

  it('merges runs of bands too short to see, keeping the worst state, and never merges long bands', () => {
    const bands: PresenceBand[] = [{ state: 'online', from, to: from + 500, reason: 'connected' }];
    // 50 flaps of 2 ms each (1/10 of the 1/50 minimum width), then a long online band.
    for (let i = 0; i < 50; i++) {
      const a = from + 500 + i * 4;
      bands.push({ state: 'offline', from: a, to: a + 2, reason: 'ping_timeout' });
      bands.push({ state: 'online', from: a + 2, to: a + 4, reason: 'connected' });
    }
    bands.push({ state: 'online', from: from + 700, to: T0, reason: 'connected' });
    const segments = layoutPresenceBands(bands, from, T0, 50);
    expect(segments[0]).toMatchObject({ state: 'online', left: 0, width: 50, bands: 1 });
    const merged = segments.slice(1, -1);
    expect(merged.length).toBe(10); // 200 ms of flapping in runs of ≥ 20 ms
    for (const m of merged) expect(m).toMatchObject({ state: 'offline', reason: 'ping_timeout', bands: 10 });
    expect(segments.at(-1)).toMatchObject({ state: 'online', left: 70, width: 30, bands: 1 });
  });

  it('formats uptime rounding down: almost 100 % is not 100 %', () => {
    expect(formatUptime(99.999, 'en')).toBe('99.99%');
    expect(formatUptime(100, 'en')).toBe('100%');
    expect(formatUptime(87.5, 'en')).toBe('87.5%');
  });
});

describe('server detail', () => {
  function api() {
    return new FakeConsoleApi({
      getServerDetail: async () => null,
      getMetricsHistory: async ({ range }) => history(range, 4, (i) => (i === 0 ? null : 10 * i)),
      getPresenceHistory: async ({ range }) =>
        presence(
          range,
          [
            { state: 'online', from: T0 - 24 * HOUR, to: T0 - 6 * HOUR, reason: 'agent_online' },
            { state: 'offline', from: T0 - 6 * HOUR, to: T0, reason: 'all_agents_offline' },
          ],
          75,
        ),
    });
  }

  it('charts the 1 h history, adds live samples, switches to 24 h with max bands, and cleans up', async () => {
    const fake = api();
    const m: MetricsView = { ...metrics(30), receivedAt: T0 };
    await renderAt('#/servers/alpha', fake, snapshot(1, [], [server('alpha', { metrics: m })]));
    const card = await screen.findByTestId('metrics-history');
    await waitFor(() => expect(card.getAttribute('data-state')).toBe('ready'));
    expect(fake.calls.find((c) => c.channel === 'getMetricsHistory')?.input).toEqual({
      serverId: 'alpha',
      range: '1h',
    });
    expect(card.getAttribute('data-points')).toBe('3');
    // The history's "/" plus "/data", reported by the live sample already in the store.
    expect(screen.getByTestId('chart-disks').getAttribute('data-series')).toBe('2');

    // One chart per group (the disks chart was made again when "/data" joined); CPU gets [t, cpu].
    await waitFor(() => expect(plots.all.filter((p) => !p.destroyed).length).toBe(5));
    const cpu = plots.all[0];
    expect(cpu?.opts.series.map((s) => s.label)).toEqual(['Time', 'CPU']);
    // The first bucket is empty in every series: the chart starts at the second.
    expect(cpu?.data).toEqual([
      history('1h', 4, () => 0)
        .t.slice(1)
        .map((ms) => ms / 1000),
      [10, 20, 30],
    ]);
    expect(within(screen.getByTestId('chart-cpu')).getByText('CPU: now 30%, peak 30%')).toBeTruthy();

    // A live sample one bucket later slides the window without a new request.
    const historyCalls = () => fake.calls.filter((c) => c.channel === 'getMetricsHistory').length;
    const before = historyCalls();
    act(() =>
      fake.emit(
        'delta',
        delta(2, { servers: [server('alpha', { metrics: { ...metrics(55), receivedAt: T0 + STEP } })] }),
      ),
    );
    await waitFor(() => expect(cpu?.setData.at(-1)?.[1]).toEqual([10, 20, 30, 55]));
    expect(card.getAttribute('data-points')).toBe('4');
    expect(historyCalls()).toBe(before);

    fireEvent.click(within(screen.getByTestId('history-range')).getByRole('button', { name: '24 h' }));
    await waitFor(() => expect(card.getAttribute('data-range')).toBe('24h'));
    await waitFor(() => expect(plots.all.filter((p) => !p.destroyed).length).toBe(5));
    const day = plots.all.filter((p) => !p.destroyed)[0];
    expect(day?.opts.series.map((s) => s.label)).toEqual(['Time', 'CPU', 'CPU (max)']);
    expect(day?.opts.bands?.map((b) => b.series)).toEqual([[2, 1]]);
    expect(day?.data[2]).toEqual([20, 30, 40]);
    expect(screen.getByText(/shaded band/)).toBeTruthy();

    cleanup();
    expect(plots.all.every((p) => p.destroyed)).toBe(true);
  });

  it('says so when the hub has no history, and shows presence history with uptime and who is down since when', async () => {
    const fake = api();
    fake.handlers.getMetricsHistory = async () => null;
    await renderAt(
      '#/servers/alpha',
      fake,
      snapshot(
        1,
        [],
        [server('alpha', { presence: 'offline', since: T0 - 6 * HOUR, reason: 'all_agents_offline' })],
      ),
    );
    expect((await screen.findByTestId('history-empty')).textContent).toBe(
      'The hub has no history for this server yet.',
    );
    expect(plots.all.length).toBe(0);

    expect(screen.getByTestId('offline-since').textContent).toMatch(
      /^Down since .+ \(All agents offline\)for /,
    );
    const timeline = await screen.findByTestId('presence-timeline');
    const segments = timeline.querySelectorAll('.timeline-seg');
    expect([...segments].map((s) => s.getAttribute('data-state'))).toEqual(['online', 'offline']);
    expect((segments[1] as HTMLElement).style.left).toBe('75%');
    expect((segments[1] as HTMLElement).style.width).toBe('25%');
    expect(segments[1]?.getAttribute('title')).toContain('All agents offline');
    expect(screen.getByTestId('uptime').textContent).toBe('75%');
    expect(timeline.getAttribute('aria-label')).toContain('uptime 75%, offline 6 hr in total');

    fireEvent.click(within(screen.getByTestId('presence-range')).getByRole('button', { name: '7 d' }));
    await waitFor(() =>
      expect(
        fake.calls.some(
          (c) => c.channel === 'getPresenceHistory' && (c.input as { range: string }).range === '7d',
        ),
      ).toBe(true),
    );
    await waitFor(() => expect(screen.getByTestId('presence-history').getAttribute('data-range')).toBe('7d'));
  });
});

describe('agent detail and lists', () => {
  it('shows the agent offline since when and why, and its presence timeline', async () => {
    const fake = new FakeConsoleApi({
      getAgentDetail: async () => null,
      getPresenceHistory: async ({ kind, id, range }) => ({
        ...presence(
          range,
          [{ state: 'unknown', from: T0 - 24 * HOUR, to: T0, reason: 'hub_shutdown' }],
          null,
          id,
        ),
        kind,
      }),
    });
    await renderAt(
      '#/agents/a1',
      fake,
      snapshot(1, [agent('a1', { presence: 'offline', since: T0 - 60_000, reason: 'ping_timeout' })]),
    );
    expect((await screen.findByTestId('offline-since')).textContent).toMatch(
      /^Offline since .+ \(Ping timeout\)/,
    );
    await waitFor(() =>
      expect(screen.getByTestId('presence-history').getAttribute('data-state')).toBe('ready'),
    );
    expect(fake.calls.find((c) => c.channel === 'getPresenceHistory')?.input).toEqual({
      kind: 'agent',
      id: 'a1',
      range: '24h',
    });
    expect(screen.getByTestId('uptime').textContent).toBe('—');
  });

  it('draws CPU sparklines in the servers list and says since when a server is down', async () => {
    const fake = new FakeConsoleApi({
      getSparklines: async () => ({
        stepMs: 60_000,
        from: T0 - 30 * 60_000,
        cpu: { alpha: [10, null, 30, 95] },
      }),
    });
    await renderAt(
      '#/servers',
      fake,
      snapshot(
        1,
        [],
        [
          server('alpha', { metrics: metrics(95) }),
          server('beta', { presence: 'offline', since: T0 - 60_000, reason: 'all_agents_offline' }),
        ],
      ),
    );
    const rows = await screen.findAllByTestId('server-row');
    const alpha = rows.find((r) => r.getAttribute('data-server-id') === 'alpha') as HTMLElement;
    const spark = await within(alpha).findByTestId('sparkline');
    expect(spark.getAttribute('aria-label')).toBe('CPU over the last 30 minutes: now 95%, peak 95%');
    expect(spark.querySelector('path')?.getAttribute('d')).toMatch(/^M0 /);
    expect(spark.getAttribute('class')).toContain('sparkline-crit');

    const beta = rows.find((r) => r.getAttribute('data-server-id') === 'beta') as HTMLElement;
    expect(within(beta).getByTestId('sparkline-empty')).toBeTruthy();
    const detail = within(beta).getByTestId('presence-detail');
    expect(detail.textContent).toMatch(/^since .+ · All agents offline$/);
    expect(detail.parentElement?.getAttribute('title')).toMatch(/^Down since .+ \(All agents offline\)$/);
    expect(fake.calls.filter((c) => c.channel === 'getSparklines').length).toBe(1);
  });
});
