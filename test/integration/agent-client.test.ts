import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AGENT_WS_PATH,
  CloseCode,
  HelloSchema,
  MetricsSchema,
  PROTOCOL_VERSION,
  type Metrics,
} from '../../src-shared/agent-protocol';
import {
  AgentClient,
  normalizeHubUrl,
  redactUrl,
  secondsToMs,
  type AgentClientEvents,
  type AgentClientOptions,
  type DisconnectInfo,
} from '../../src-agent/client';
import { createMetricsSampler } from '../../src-agent/metrics';
import { FakeHub } from '../unit/agent/fake-hub';

const fakeMetrics = (): Metrics => ({
  type: 'metrics',
  ts: Date.now(),
  cpu: { percent: 12.5, cores: 4, load: [0.5, 0.4, 0.3] },
  memory: { usedBytes: 1e9, totalBytes: 4e9 },
  disks: [{ mount: '/', fs: 'ext4', usedBytes: 1e10, totalBytes: 5e10 }],
  network: { rxBytesPerSec: 100, txBytesPerSec: 50 },
  uptimeSec: 1234,
});

/** Like events.once, but does not reject on 'error' (the client emits transport errors as it retries). */
function once<K extends keyof AgentClientEvents>(
  client: AgentClient,
  event: K,
): Promise<AgentClientEvents[K]> {
  return new Promise((resolve) => {
    (client.once as (e: K, l: (...args: AgentClientEvents[K]) => void) => AgentClient)(event, (...args) =>
      resolve(args),
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let hub: FakeHub;
const clients: AgentClient[] = [];

function makeClient(overrides: Partial<AgentClientOptions> = {}): AgentClient {
  const client = new AgentClient({
    url: overrides.url ?? hub.url,
    token: hub.token,
    identity: {
      agentId: 'agent-test-1',
      name: 'Test agent',
      hostname: 'host-a',
      platform: 'linux',
      arch: 'x64',
      agentVersion: '0.1.0-test',
      labels: { env: 'test', role: 'db' },
      configRevision: 7,
    },
    metrics: fakeMetrics,
    backoff: { initialMs: 50, maxMs: 200, stableAfterMs: 10_000 },
    ...overrides,
  });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  hub = new FakeHub({ metricsIntervalSec: 0.2 });
  await hub.start();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await hub.stop();
});

describe('AgentClient against a real ws hub', () => {
  it('authenticates with a Bearer header and sends a valid hello first', async () => {
    const client = makeClient();
    const welcomed = once(client, 'welcome');
    client.start();
    await hub.waitFor(() => hub.connections[0]?.hello !== undefined, 5000, 'hello');
    const conn = hub.connections[0]!;
    expect(conn.headers.authorization).toBe(`Bearer ${hub.token}`);
    expect(conn.invalid).toEqual([]);
    expect(conn.messages[0]?.type).toBe('hello');
    const hello = HelloSchema.parse(conn.messages[0]);
    expect(hello).toMatchObject({
      protocol: PROTOCOL_VERSION,
      agentId: 'agent-test-1',
      name: 'Test agent',
      hostname: 'host-a',
      platform: 'linux',
      arch: 'x64',
      agentVersion: '0.1.0-test',
      labels: { env: 'test', role: 'db' },
      configRevision: 7,
    });
    const [welcome] = await welcomed;
    expect(welcome.metricsIntervalSec).toBe(0.2);
    expect(client.state).toBe('online');
  });

  it('sends metrics at the interval from welcome (fractional seconds)', async () => {
    const client = makeClient();
    client.start();
    await hub.waitFor(() => (hub.connections[0]?.metrics.length ?? 0) >= 5, 5000, '5 metrics');
    const conn = hub.connections[0]!;
    expect(conn.invalid).toEqual([]);
    for (const { message } of conn.metrics) {
      expect(MetricsSchema.safeParse(message).success).toBe(true);
      expect(message.configRevision).toBe(7);
    }
    const times = conn.metrics.map((m) => m.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    // 200 ms from the hub, not the agent's own default; loose bounds for a busy CI machine.
    expect(mean).toBeGreaterThan(150);
    expect(mean).toBeLessThan(350);
    expect(client.stats().metricsSent).toBeGreaterThanOrEqual(5);
  });

  it('sends real host metrics from the sampler that pass the contract', async () => {
    const sampler = createMetricsSampler();
    const client = makeClient({ metrics: () => sampler.sample() });
    client.start();
    await hub.waitFor(() => (hub.connections[0]?.metrics.length ?? 0) >= 2, 5000, 'metrics');
    expect(hub.connections[0]!.invalid).toEqual([]);
  });

  it('reconnects after the hub drops the connection, and after 1001', async () => {
    const client = makeClient();
    const disconnects: DisconnectInfo[] = [];
    client.on('disconnected', (info) => disconnects.push(info));
    client.start();
    await hub.waitFor(() => hub.connections[0]?.hello !== undefined, 5000, 'first hello');
    hub.connections[0]!.ws.terminate();
    await hub.waitFor(() => hub.connections[1]?.hello !== undefined, 5000, 'second hello');
    hub.connections[1]!.ws.close(CloseCode.GOING_AWAY, 'hub shutting down');
    await hub.waitFor(() => (hub.connections[2]?.metrics.length ?? 0) >= 1, 5000, 'third connection metrics');
    expect(disconnects.map((d) => d.code)).toEqual([1006, CloseCode.GOING_AWAY]);
    expect(disconnects.every((d) => d.willReconnect && d.delayMs !== undefined && d.delayMs <= 200)).toBe(
      true,
    );
    expect(disconnects[1]!.reason).toBe('hub shutting down');
    expect(client.state).toBe('online');
    expect(hub.connections.every((c) => c.hello?.agentId === 'agent-test-1')).toBe(true);
  });

  it('reconnects when the hub is down at first and comes up later', async () => {
    const port = hub.port;
    const url = hub.url;
    await hub.stop();
    const client = makeClient({ url });
    const failures: DisconnectInfo[] = [];
    client.on('disconnected', (info) => failures.push(info));
    client.start();
    await sleep(300);
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(client.state).not.toBe('stopped');
    hub = new FakeHub({ metricsIntervalSec: 0.2 });
    await hub.start(port); // same port: the client finds it on its next attempt
    await hub.waitFor(() => (hub.connections[0]?.metrics.length ?? 0) >= 1, 5000, 'metrics after hub start');
    expect(failures.every((f) => f.willReconnect && f.code === 1006)).toBe(true);
    expect(client.state).toBe('online');
  });

  it('does NOT reconnect after close 4004 (replaced)', async () => {
    const client = makeClient();
    const stopped = once(client, 'stopped');
    const disconnected = once(client, 'disconnected');
    client.start();
    await hub.waitFor(() => hub.connections[0]?.hello !== undefined, 5000, 'hello');
    hub.connections[0]!.ws.close(CloseCode.REPLACED, 'replaced by a newer connection');
    const [info] = await disconnected;
    expect(info).toMatchObject({ code: CloseCode.REPLACED, willReconnect: false });
    const [reason] = await stopped;
    expect(reason).toContain('4004');
    await sleep(500); // > 2 × maxMs of backoff: a reconnect would have happened
    expect(hub.connections).toHaveLength(1);
    expect(client.state).toBe('stopped');
  });

  it('does NOT reconnect after close 4005 (unsupported protocol)', async () => {
    const client = makeClient();
    const stopped = once(client, 'stopped');
    client.start();
    await hub.waitFor(() => hub.connections[0]?.hello !== undefined, 5000, 'hello');
    hub.connections[0]!.ws.close(CloseCode.UNSUPPORTED_PROTOCOL, 'protocol 1 not supported');
    await stopped;
    await sleep(400);
    expect(hub.connections).toHaveLength(1);
  });

  it('backs off slowly after a protocol violation close (4002)', async () => {
    const client = makeClient({ backoff: { initialMs: 50, maxMs: 1000 } });
    const disconnected = once(client, 'disconnected');
    client.start();
    await hub.waitFor(() => hub.connections[0]?.hello !== undefined, 5000, 'hello');
    hub.connections[0]!.ws.close(CloseCode.PROTOCOL_VIOLATION, 'too many violations');
    const [info] = await disconnected;
    expect(info.willReconnect).toBe(true);
    expect(info.delayMs).toBeGreaterThanOrEqual(500);
  });

  it('reports HTTP 401 for a bad token and keeps retrying slowly', async () => {
    const client = makeClient({ token: 'wrong-token', backoff: { initialMs: 50, maxMs: 400 } });
    const disconnected = once(client, 'disconnected');
    client.start();
    const [info] = await disconnected;
    expect(info.httpStatus).toBe(401);
    expect(info.willReconnect).toBe(true);
    expect(info.delayMs).toBeGreaterThanOrEqual(200);
    expect(hub.refused).toBe(1);
    expect(hub.connections).toHaveLength(0);
  });

  it('stop() closes with 1000 and resolves when closed', async () => {
    const client = makeClient();
    client.start();
    await hub.waitFor(() => (hub.connections[0]?.metrics.length ?? 0) >= 1, 5000, 'metrics');
    const stopped = once(client, 'stopped');
    await client.stop();
    expect(client.state).toBe('stopped');
    await stopped;
    const close = await hub.connections[0]!.closed;
    expect(close.code).toBe(CloseCode.NORMAL);
    const sent = hub.connections[0]!.metrics.length;
    await sleep(500);
    expect(hub.connections).toHaveLength(1);
    expect(hub.connections[0]!.metrics.length).toBe(sent);
    // Idempotent.
    await client.stop();
  });

  it('stop() resolves while connecting and while waiting to retry', async () => {
    const idle = makeClient();
    await idle.stop();
    expect(idle.state).toBe('stopped');

    const retrying = makeClient({
      url: 'ws://127.0.0.1:1/agent/v1',
      backoff: { initialMs: 5000, maxMs: 5000 },
    });
    retrying.start();
    await once(retrying, 'disconnected');
    expect(retrying.state).toBe('backoff');
    await retrying.stop();
    expect(retrying.state).toBe('stopped');

    const connecting = makeClient();
    connecting.start();
    expect(connecting.state).toBe('connecting');
    await connecting.stop();
    expect(connecting.state).toBe('stopped');
  });

  it('survives anything the hub sends and keeps reporting', async () => {
    const client = makeClient();
    const hubErrors: unknown[] = [];
    client.on('hubError', (frame) => hubErrors.push(frame));
    client.start();
    await hub.waitFor(() => (hub.connections[0]?.metrics.length ?? 0) >= 1, 5000, 'metrics');
    const ws = hub.connections[0]!.ws;
    ws.send('not json {');
    ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    ws.send('null');
    ws.send('[]');
    ws.send('"welcome"');
    ws.send(JSON.stringify({ type: 'reboot-now' }));
    ws.send(JSON.stringify({ type: 'welcome', protocol: 99, metricsIntervalSec: -1 }));
    ws.send(
      JSON.stringify({
        type: 'welcome',
        protocol: 1,
        metricsIntervalSec: 0.2,
        pingIntervalSec: 5,
        serverTime: 'x',
      }),
    );
    ws.send(
      JSON.stringify({ type: 'error', code: 'invalid', message: 'cpu.percent: too big', violations: 1 }),
    );
    ws.send(JSON.stringify({ type: 'error', code: 'not-a-code', message: 'x', violations: 1 }));
    ws.send('{"type":"welcome","__proto__":{"polluted":true}}');
    const before = hub.connections[0]!.metrics.length;
    await hub.waitFor(() => hub.connections[0]!.metrics.length >= before + 3, 5000, 'more metrics');
    expect(client.state).toBe('online');
    expect(hubErrors).toEqual([
      { type: 'error', code: 'invalid', message: 'cpu.percent: too big', violations: 1 },
    ]);
    expect(client.stats().ignored).toBe(10);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(hub.connections).toHaveLength(1);
  });

  it('a throwing listener does not break the client', async () => {
    const client = makeClient();
    client.on('welcome', () => {
      throw new Error('listener bug');
    });
    client.on('metrics', () => {
      throw new Error('listener bug');
    });
    client.start();
    await hub.waitFor(() => (hub.connections[0]?.metrics.length ?? 0) >= 3, 5000, 'metrics');
    expect(client.state).toBe('online');
  });

  it('drops a connection that never gets a welcome and tries again', async () => {
    await hub.stop();
    hub = new FakeHub({ sendWelcome: false });
    await hub.start();
    const client = makeClient({ welcomeTimeoutMs: 200 });
    client.start();
    await hub.waitFor(() => hub.connections.length >= 2, 5000, 'a second connection');
    expect(hub.connections[0]!.close?.code).toBe(1006);
  });

  it('does not send invalid metrics from a broken provider', async () => {
    let n = 0;
    const client = makeClient({
      metrics: () => {
        n++;
        if (n === 1) throw new Error('sensor exploded');
        if (n === 2) return { ...fakeMetrics(), cpu: { percent: 250, cores: 4, load: [0, 0, 0] } };
        return fakeMetrics();
      },
    });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    client.start();
    await hub.waitFor(() => (hub.connections[0]?.metrics.length ?? 0) >= 2, 5000, 'metrics');
    expect(hub.connections[0]!.invalid).toEqual([]);
    expect(errors.some((e) => e.includes('sensor exploded'))).toBe(true);
    expect(errors.some((e) => e.includes('invalid'))).toBe(true);
    expect(client.stats().metricsSkipped).toBe(2);
  });

  it('spreads metrics with jitter: first send within one interval', async () => {
    const client = makeClient({ metricsJitter: 0.1 });
    client.start();
    await hub.waitFor(() => (hub.connections[0]?.metrics.length ?? 0) >= 3, 5000, 'metrics');
  });
});

describe('client helpers', () => {
  it('secondsToMs accepts fractional seconds and clamps silly values', () => {
    expect(secondsToMs(0.2)).toBe(200);
    expect(secondsToMs(10)).toBe(10_000);
    expect(secondsToMs(0.0001)).toBe(100);
    expect(secondsToMs(1e12)).toBeLessThan(2 ** 31);
  });

  it('normalizeHubUrl fills the default path and maps http(s)', () => {
    expect(normalizeHubUrl('ws://127.0.0.1:8765', AGENT_WS_PATH)).toBe('ws://127.0.0.1:8765/agent/v1');
    expect(normalizeHubUrl('https://hub.example/', AGENT_WS_PATH)).toBe('wss://hub.example/agent/v1');
    expect(normalizeHubUrl('ws://h:1/custom', AGENT_WS_PATH)).toBe('ws://h:1/custom');
    expect(() => normalizeHubUrl('ftp://h', AGENT_WS_PATH)).toThrow(/ws:\/\//);
    expect(() => normalizeHubUrl('not a url', AGENT_WS_PATH)).toThrow(/valid URL/);
  });

  it('redactUrl drops credentials and query', () => {
    expect(redactUrl('ws://user:secret@h:1/agent/v1?token=abc')).toBe('ws://h:1/agent/v1');
  });

  it('rejects an invalid identity up front', () => {
    expect(
      () =>
        new AgentClient({
          url: 'ws://127.0.0.1:1',
          token: 't',
          identity: { agentId: 'has spaces', name: 'x', hostname: 'h', platform: 'linux', agentVersion: '1' },
          metrics: fakeMetrics,
        }),
    ).toThrow(/agent id/);
  });
});
