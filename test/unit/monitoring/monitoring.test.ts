import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HelloSchema, type MetricsView } from '../../../src-shared';
import { FleetState } from '../../../src-main/hub/fleet/fleet-state';
import {
  createMonitoring,
  monitoringFiles,
  type Monitoring,
} from '../../../src-main/hub/monitoring/monitoring';
import { hello, metrics } from '../../helpers/messages';
import { captureLogger, tempDir } from '../store/helpers';

const MIN = 60_000;
const T0 = Math.floor(1_700_000_000_000 / 300_000) * 300_000;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

/** Monitoring wired to a real FleetState the way hub.ts wires it, with a settable clock. */
function setup(dataDir: string, startedAt: number) {
  let clock = startedAt;
  const logger = captureLogger();
  const monitoring: Monitoring = createMonitoring({
    dataDir,
    logger,
    fleet: () => fleet,
    startedAt,
    metricsIntervalSec: 5,
    now: () => clock,
  });
  const fleet: FleetState = new FleetState({ agent: () => {}, server: () => {} }, undefined, [
    monitoring.observer,
  ]);
  cleanups.unshift(() => monitoring.close());
  return { monitoring, fleet, logger, h: monitoring.handlers, at: (t: number) => (clock = t) };
}

function newDataDir(): string {
  const t = tempDir('monitoring-');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('createMonitoring', () => {
  it('records presence and metrics from the fleet and answers the console requests', async () => {
    const m = setup(newDataDir(), T0);
    m.fleet.agentOnline(HelloSchema.parse(hello()), undefined, T0 + MIN);
    m.fleet.agentMetrics(
      'agent-1',
      metrics({ cpu: { percent: 12.5, cores: 2, load: [0.7, 0, 0] } }),
      T0 + MIN,
    );
    m.fleet.agentOffline('agent-1', 'ping_timeout', T0 + 3 * MIN);
    m.at(T0 + 4 * MIN);

    const agent = await m.h.getPresenceHistory({ kind: 'agent', id: 'agent-1', range: '24h' });
    expect(agent).toMatchObject({
      kind: 'agent',
      id: 'agent-1',
      range: '24h',
      from: T0 + 4 * MIN - 86_400_000,
    });
    expect(agent!.bands.slice(-2)).toEqual([
      { state: 'online', from: T0 + MIN, to: T0 + 3 * MIN, reason: 'connected' },
      { state: 'offline', from: T0 + 3 * MIN, to: T0 + 4 * MIN, reason: 'ping_timeout' },
    ]);
    expect(agent!.uptimePercent).toBeCloseTo((2 / 3) * 100, 1);
    expect(agent).toMatchObject({ offlineSince: T0 + 3 * MIN, offlineReason: 'ping_timeout' });
    const server = await m.h.getPresenceHistory({ kind: 'server', id: 'srv-01', range: '7d' });
    expect(server!.bands.at(-1)).toMatchObject({ state: 'offline', reason: 'all_agents_offline' });

    const hour = await m.h.getMetricsHistory({ serverId: 'srv-01', range: '1h' });
    expect(hour!.series.cpu!.filter((v) => v !== null)).toEqual([12.5]);
    expect(hour!.series.load1!.filter((v) => v !== null)).toEqual([0.7]);
    expect(hour!.series['disk:/']!.filter((v) => v !== null)).toEqual([10]);
    const spark = await m.h.getSparklines(undefined);
    expect(spark.cpu['srv-01']!.filter((v) => v !== null)).toEqual([12.5]);
    expect(await m.h.getMetricsHistory({ serverId: 'nope', range: '24h' })).toBeNull();
  });

  it('unknown subject → null; a registered subject never seen → one unknown band', async () => {
    const m = setup(newDataDir(), T0);
    m.fleet.registerKnown(
      {
        agentId: 'known',
        name: 'Known',
        hostname: 'srv-k',
        platform: 'linux',
        agentVersion: '1',
        labels: {},
        lastSeen: 0,
        configRevision: 0,
      },
      T0,
    );
    m.at(T0 + MIN);
    expect(await m.h.getPresenceHistory({ kind: 'agent', id: 'nobody', range: '24h' })).toBeNull();
    for (const [kind, id] of [
      ['agent', 'known'],
      ['server', 'srv-k'],
    ] as const) {
      const r = await m.h.getPresenceHistory({ kind, id, range: '24h' });
      expect(r!.bands).toEqual([
        { state: 'unknown', from: T0 + MIN - 86_400_000, to: T0 + MIN, reason: 'connected' },
      ]);
      expect(r!.uptimePercent).toBeNull();
    }
  });

  it('a restart on the same data dir keeps both histories, with the downtime unknown', async () => {
    const dataDir = newDataDir();
    const a = setup(dataDir, T0);
    a.fleet.agentOnline(HelloSchema.parse(hello()), undefined, T0 + MIN);
    a.fleet.agentMetrics('agent-1', metrics({ cpu: { percent: 77, cores: 2, load: [1, 1, 1] } }), T0 + MIN);
    a.fleet.agentOffline('agent-1', 'hub_shutdown', T0 + 2 * MIN);
    a.at(T0 + 2 * MIN);
    a.monitoring.close();
    expect(existsSync(monitoringFiles(dataDir).metrics)).toBe(true);
    expect(existsSync(monitoringFiles(dataDir).presence)).toBe(true);

    const b = setup(dataDir, T0 + 10 * MIN);
    b.at(T0 + 12 * MIN);
    b.fleet.agentOnline(HelloSchema.parse(hello()), undefined, T0 + 11 * MIN);
    const r = await b.h.getPresenceHistory({ kind: 'agent', id: 'agent-1', range: '24h' });
    expect(r!.bands.slice(-4)).toEqual([
      { state: 'online', from: T0 + MIN, to: T0 + 2 * MIN, reason: 'connected' },
      { state: 'unknown', from: T0 + 2 * MIN, to: T0 + 10 * MIN, reason: 'hub_shutdown' },
      { state: 'unknown', from: T0 + 10 * MIN, to: T0 + 11 * MIN, reason: 'connected' },
      { state: 'online', from: T0 + 11 * MIN, to: T0 + 12 * MIN, reason: 'connected' },
    ]);
    expect(r!.uptimePercent).toBe(100);
    const day = await b.h.getMetricsHistory({ serverId: 'srv-01', range: '24h' });
    expect(day!.series.cpu!.filter((v) => v !== null)).toEqual([77]);
  });

  it('bad input from the observer path is logged, never thrown into the fleet', () => {
    const m = setup(newDataDir(), T0);
    const broken = { receivedAt: T0, disks: null } as unknown as MetricsView;
    expect(() => m.monitoring.observer.metrics('srv-x', broken)).not.toThrow();
    expect(m.logger.lines.some((l) => l.level === 'error' && /metrics history/.test(l.message))).toBe(true);
  });
});
