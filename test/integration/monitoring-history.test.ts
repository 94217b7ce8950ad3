/**
 * Metrics and presence history end to end: a real hub, a raw WebSocket agent sending real protocol
 * messages, the console asking through hub.console.request (validated like every transport), and a
 * restart of the hub on the same data dir.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricsHistory, PresenceHistory, Sparklines } from '../../src-shared';
import { hello, metrics } from '../helpers/messages';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';

const hubs: TestHub[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of hubs.splice(0)) await t.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir?: string): Promise<TestHub> {
  const t = await startTestHub({}, { dataDir, keepDataDir: true });
  hubs.push(t);
  if (!dataDir) dirs.push(t.dataDir);
  return t;
}

async function connect(t: TestHub) {
  const agent = rawAgent(t.url);
  await agent.opened;
  agent.send(hello({ agentId: 'agent-1', hostname: 'srv-01' }));
  await waitFor(() => agent.received.find((m) => m.type === 'welcome'), 3000, 'welcome');
  return agent;
}

const request = <T>(t: TestHub, channel: string, input: unknown) =>
  t.hub.console.request(channel, input) as Promise<T>;
const values = (xs: (number | null)[] | undefined) => (xs ?? []).filter((x): x is number => x !== null);

describe('monitoring history through the console API', () => {
  it('keeps the metrics an agent sends and the presence bands, and survives a restart', async () => {
    const t = await start();
    const agent = await connect(t);
    agent.send(
      metrics({
        cpu: { percent: 37.5, cores: 4, load: [2.5, 1, 1] },
        memory: { usedBytes: 3 * 1024 ** 3, totalBytes: 12 * 1024 ** 3 },
        disks: [{ mount: '/', usedBytes: 40, totalBytes: 160 }],
        network: { rxBytesPerSec: 2048, txBytesPerSec: 1024 },
      }),
    );
    const hour = await waitFor(
      async () => {
        const h = await request<MetricsHistory | null>(t, 'getMetricsHistory', {
          serverId: 'srv-01',
          range: '1h',
        });
        return h && values(h.series.cpu).length > 0 ? h : undefined;
      },
      3000,
      'metrics in the 1h history',
    );
    // The test hub asks for metrics every 0.2 s: the 1h tier clamps that to 1 s buckets.
    expect(hour.stepMs).toBe(1000);
    expect(hour.t).toHaveLength(3600);
    expect(values(hour.series.cpu)).toEqual([37.5]);
    expect(values(hour.series.load1)).toEqual([2.5]);
    expect(values(hour.series.mem)).toEqual([25]);
    expect(values(hour.series.rx)).toEqual([2048]);
    expect(values(hour.series.tx)).toEqual([1024]);
    expect(values(hour.series['disk:/'])).toEqual([25]);

    const day = await request<MetricsHistory>(t, 'getMetricsHistory', { serverId: 'srv-01', range: '24h' });
    expect(day.stepMs).toBe(300_000);
    expect(values(day.series.cpu)).toEqual([37.5]);
    expect(values(day.max?.cpu)).toEqual([37.5]);
    const spark = await request<Sparklines>(t, 'getSparklines', undefined);
    expect(spark.cpu['srv-01']).toHaveLength(30);
    expect(values(spark.cpu['srv-01'])).toEqual([37.5]);

    agent.ws.close(1000);
    const offline = await waitFor(
      async () => {
        const p = await request<PresenceHistory | null>(t, 'getPresenceHistory', {
          kind: 'agent',
          id: 'agent-1',
          range: '24h',
        });
        return p?.offlineSince ? p : undefined;
      },
      3000,
      'offline in the presence history',
    );
    expect(offline.bands.map((b) => [b.state, b.reason])).toEqual([
      ['unknown', 'connected'], // before the hub ever saw it
      ['online', 'connected'],
      ['offline', 'clean_disconnect'],
    ]);
    expect(offline.offlineReason).toBe('clean_disconnect');
    expect(offline.uptimePercent).toBeGreaterThan(0);
    const server = await request<PresenceHistory>(t, 'getPresenceHistory', {
      kind: 'server',
      id: 'srv-01',
      range: '7d',
    });
    expect(server.bands.map((b) => b.state)).toEqual(['unknown', 'online', 'offline']);

    // Bad requests are refused by the contract's validation, not crashed on.
    await expect(
      request(t, 'getPresenceHistory', { kind: 'robot', id: 'x', range: '24h' }),
    ).rejects.toMatchObject({
      code: 'bad_request',
    });
    expect(await request(t, 'getPresenceHistory', { kind: 'agent', id: 'nobody', range: '7d' })).toBeNull();

    // Restart on the same data dir.
    await t.hub.stop();
    hubs.splice(hubs.indexOf(t), 1);
    // Not a timing assertion: the stop and the next start must fall in different milliseconds for
    // the downtime band to exist at all.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await start(t.dataDir);
    const after = await request<PresenceHistory>(again, 'getPresenceHistory', {
      kind: 'agent',
      id: 'agent-1',
      range: '24h',
    });
    expect(after.bands.map((b) => [b.state, b.reason])).toEqual([
      ['unknown', 'connected'],
      ['online', 'connected'],
      ['offline', 'clean_disconnect'],
      ['unknown', 'hub_shutdown'], // the hub was stopped
      ['unknown', 'connected'], // running again, agent not seen yet
    ]);
    expect(after.bands[1]).toEqual(offline.bands[1]);
    const restored = await request<MetricsHistory>(again, 'getMetricsHistory', {
      serverId: 'srv-01',
      range: '1h',
    });
    expect(values(restored.series.cpu)).toEqual([37.5]);
    expect(restored.t.indexOf(hour.t[hour.series.cpu!.findIndex((v) => v !== null)]!)).toBeGreaterThanOrEqual(
      0,
    );
  });
});
