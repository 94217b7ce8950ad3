import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, MetricsSchema } from '../../src-shared/agent-protocol';
import { FakeHost, startSimulator, type SimulatorHandle } from '../../src-agent/simulator';
import { FakeHub } from '../unit/agent/fake-hub';

let hub: FakeHub;
let sim: SimulatorHandle | undefined;

beforeEach(async () => {
  hub = new FakeHub({ metricsIntervalSec: 0.25 });
  await hub.start();
});
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  await hub.stop();
});

describe('startSimulator (in process)', () => {
  it('brings N agents online over H hosts, staggered, and stops them cleanly', async () => {
    const lines: string[] = [];
    sim = startSimulator({
      url: `ws://127.0.0.1:${hub.port}`,
      token: hub.token,
      count: 200,
      hosts: 20,
      prefix: 'bench',
      connectRatePerSec: 2000,
      intervalJitter: true,
      summaryEverySec: 0.2,
      log: (line) => lines.push(line),
    });
    // Staggered: not everything is started synchronously.
    expect(sim.stats().started).toBeLessThan(200);
    await sim.allStarted;
    await sim.waitForOnline(200, 15_000);
    await hub.waitFor(
      () => hub.connections.filter((c) => c.metrics.length >= 2).length === 200,
      15_000,
      'metrics',
    );

    expect(hub.connections).toHaveLength(200);
    expect(hub.connections.every((c) => c.invalid.length === 0)).toBe(true);
    const ids = new Set(hub.connections.map((c) => c.hello!.agentId));
    expect(ids.size).toBe(200);
    expect(ids.has('bench-00001')).toBe(true);
    const hosts = new Map<string, number>();
    for (const c of hub.connections) hosts.set(c.hello!.hostname, (hosts.get(c.hello!.hostname) ?? 0) + 1);
    expect(hosts.size).toBe(20);
    expect([...hosts.values()].every((n) => n === 10)).toBe(true);
    for (const c of hub.connections)
      for (const m of c.metrics) expect(MetricsSchema.safeParse(m.message).success).toBe(true);

    const s = sim.stats();
    expect(s).toMatchObject({ total: 200, started: 200, online: 200, stopped: 0 });
    expect(s.metricsSent).toBeGreaterThanOrEqual(400);
    expect(lines.some((l) => /connected \d+\/200/.test(l))).toBe(true);

    await sim.stop();
    const closes = await Promise.all(hub.connections.map((c) => c.closed));
    expect(closes.every((c) => c.code === CloseCode.NORMAL)).toBe(true);
    expect(sim.stats().stopped).toBe(200);
  });

  it('connects from the local address it is given (one loopback address per simulator process)', async () => {
    sim = startSimulator({
      url: `ws://127.0.0.1:${hub.port}`,
      token: hub.token,
      count: 5,
      localAddress: '127.0.0.2',
      connectRatePerSec: 1000,
      summaryEverySec: 0,
      log: () => {},
    });
    await sim.waitForOnline(5, 10_000);
    expect(hub.connections.map((c) => c.remoteAddress)).toEqual(Array(5).fill('127.0.0.2'));
  });

  it('agents reconnect after the hub drops them all', async () => {
    sim = startSimulator({
      url: hub.url,
      token: hub.token,
      count: 30,
      connectRatePerSec: 1000,
      summaryEverySec: 0,
      backoff: { initialMs: 50, maxMs: 300 },
    });
    await sim.waitForOnline(30, 10_000);
    for (const c of hub.connections) c.ws.close(CloseCode.GOING_AWAY, 'hub shutting down');
    await hub.waitFor(() => hub.connections.length >= 60, 10_000, 'reconnects');
    await sim.waitForOnline(30, 10_000);
    expect(sim.stats().disconnects).toBe(30);
  });
});

describe('FakeHost', () => {
  it('produces plausible, valid metrics that evolve over time', () => {
    let now = 1_700_000_000_000;
    const host = new FakeHost('host-x', () => now);
    const samples = [];
    for (let i = 0; i < 500; i++) {
      now += 10_000;
      const m = host.sample();
      const parsed = MetricsSchema.safeParse(m);
      expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
      expect(m.disks.map((d) => d.mount)).toEqual(['/', '/data']);
      samples.push(m);
    }
    const cpus = new Set(samples.map((m) => m.cpu.percent));
    expect(cpus.size).toBeGreaterThan(50);
    expect(samples.at(-1)!.uptimeSec - samples[0]!.uptimeSec).toBe(499 * 10);
  });

  it('is deterministic per host name and consistent within one second', () => {
    const now = () => 1_700_000_000_000;
    const a = new FakeHost('same', now);
    const b = new FakeHost('same', now);
    expect(a.sample()).toEqual(b.sample());
    expect(a.sample()).toEqual(a.sample());
    expect(new FakeHost('other', now).sample()).not.toEqual(a.sample());
  });
});
