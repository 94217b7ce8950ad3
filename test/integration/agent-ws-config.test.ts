/**
 * Configuration over the WebSocket (hub without a broker), with real sockets: the reference AgentClient
 * and the simulator against the test hub in test/unit/agent/fake-hub.ts, which sends `config` frames
 * and records `config.report` / `heartbeat`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Metrics } from '../../src-shared/agent-protocol';
import { MAX_BROKER_MESSAGE_BYTES } from '../../src-shared/broker-protocol';
import { AgentClient, type WsConfigOutcome } from '../../src-agent/client';
import {
  ConfigApplier,
  FileConfigStore,
  MemoryConfigStore,
  type ConfigStore,
} from '../../src-agent/config-apply';
import { REFERENCE_CONFIG_SCHEMA, agentConfigValidator } from '../../src-agent/config-schema';
import { startSimulator, type SimulatorHandle } from '../../src-agent/simulator';
import { FakeHub, type HubConnection } from '../unit/agent/fake-hub';

const fakeMetrics = (): Metrics => ({
  type: 'metrics',
  ts: Date.now(),
  cpu: { percent: 1, cores: 2, load: [0, 0, 0] },
  memory: { usedBytes: 1, totalBytes: 2 },
  disks: [],
  network: { rxBytesPerSec: 0, txBytesPerSec: 0 },
  uptimeSec: 1,
});

let hub: FakeHub;
let dir: string;
const clients: AgentClient[] = [];
let sim: SimulatorHandle | undefined;

beforeEach(async () => {
  hub = new FakeHub({ metricsIntervalSec: 0.2 });
  await hub.start();
  dir = mkdtempSync(join(os.tmpdir(), 'agent-ws-config-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await sim?.stop();
  sim = undefined;
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

function agent(options: { store?: ConfigStore; schema?: boolean; applier?: ConfigApplier } = {}) {
  const store = options.store ?? new FileConfigStore(join(dir, 'config.json'));
  const applier =
    options.applier ??
    new ConfigApplier({
      agentId: 'ws-agent-1',
      store,
      validate: agentConfigValidator(options.schema ? REFERENCE_CONFIG_SCHEMA : undefined),
    });
  const client = new AgentClient({
    url: hub.url,
    token: hub.token,
    identity: {
      agentId: 'ws-agent-1',
      name: 'ws agent',
      hostname: 'h1',
      platform: 'linux',
      agentVersion: '0.1.0-test',
      ...(options.schema ? { configSchema: REFERENCE_CONFIG_SCHEMA } : {}),
    },
    metrics: fakeMetrics,
    configApplier: applier,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  const outcomes: WsConfigOutcome[] = [];
  client.on('config', (r) => outcomes.push(r));
  client.on('error', () => undefined);
  clients.push(client);
  client.start();
  return { client, applier, outcomes };
}

async function online(): Promise<HubConnection> {
  await hub.waitFor(() => hub.connections[0]?.hello !== undefined, 5000, 'hello');
  const conn = hub.connections[0]!;
  await hub.waitFor(() => clients[0]?.state === 'online', 5000, 'online');
  return conn;
}

const waitReports = (conn: HubConnection, n: number) =>
  hub.waitFor(() => conn.reports.length >= n, 5000, `${n} config.report`);
const stripTs = (conn: HubConnection) => conn.reports.map(({ ts: _ts, ...rest }) => rest);

describe('AgentClient: configuration over the WebSocket', () => {
  it('applies a config: written durably, heartbeat with the new revision, then config.report applied', async () => {
    const { client, outcomes } = agent();
    const conn = await online();
    hub.sendConfig(conn, 1, { logLevel: 'debug' });
    await waitReports(conn, 1);
    expect(stripTs(conn)).toEqual([{ type: 'config.report', revision: 1, status: 'applied' }]);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({
      revision: 1,
      config: { logLevel: 'debug' },
    });
    // The heartbeat with the new revision precedes the report.
    const types = conn.messages.map((m) => m.type);
    const hb = conn.messages.findIndex((m) => m.type === 'heartbeat' && m.configRevision === 1);
    expect(hb).toBeGreaterThan(0);
    expect(hb).toBeLessThan(types.indexOf('config.report'));
    expect(client.currentConfigRevision).toBe(1);
    await hub.waitFor(() => conn.metrics.some((m) => m.message.configRevision === 1), 5000, 'metrics rev 1');
    expect(outcomes).toEqual([{ outcome: 'applied', revision: 1, reported: true }]);
    expect(conn.invalid).toEqual([]);
  });

  it('ignores an older revision, and reports the one in force again when it comes back', async () => {
    const { applier, outcomes } = agent();
    const conn = await online();
    hub.sendConfig(conn, 5, { logLevel: 'info' });
    await waitReports(conn, 1);
    const appliedAt = applier.current?.appliedAt;
    hub.sendConfig(conn, 3, { logLevel: 'error' });
    hub.sendConfig(conn, 5, { logLevel: 'warn' });
    await waitReports(conn, 2);
    await hub.waitFor(() => outcomes.length === 3, 5000, 'three outcomes');
    expect(stripTs(conn)).toEqual([
      { type: 'config.report', revision: 5, status: 'applied' },
      { type: 'config.report', revision: 5, status: 'applied' },
    ]);
    expect(outcomes.map((o) => [o.outcome, o.revision, o.reported])).toEqual([
      ['applied', 5, true],
      ['ignored', 3, false],
      ['ignored', 5, true],
    ]);
    // Not written again.
    expect(applier.current).toMatchObject({ revision: 5, appliedAt, config: { logLevel: 'info' } });
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).config).toEqual({ logLevel: 'info' });
  });

  it('reports a refused config with its error, and keeps running the previous one', async () => {
    const { client } = agent({ schema: true });
    const conn = await online();
    expect(conn.hello?.configSchema).toEqual(REFERENCE_CONFIG_SCHEMA);
    hub.sendConfig(conn, 1, { logLevel: 'warn' });
    hub.sendConfig(conn, 2, { rejectReason: 'port 80 already in use' });
    hub.sendConfig(conn, 3, { logLevel: 'verbose' });
    hub.sendConfig(conn, 2, { rejectReason: 'port 80 already in use' });
    await waitReports(conn, 3);
    expect(stripTs(conn)).toEqual([
      { type: 'config.report', revision: 1, status: 'applied' },
      { type: 'config.report', revision: 2, status: 'rejected', error: 'port 80 already in use' },
      {
        type: 'config.report',
        revision: 3,
        status: 'rejected',
        error: expect.stringMatching(/does not match the agent's schema: \/logLevel: /) as unknown as string,
      },
    ]);
    expect(client.currentConfigRevision).toBe(1);
    expect(client.stats()).toMatchObject({ configsApplied: 1, configsRejected: 2, configsIgnored: 1 });
  });

  it('refuses a config larger than it accepts or that is not an object, without dropping the connection', async () => {
    const { client, outcomes } = agent({ store: new MemoryConfigStore() });
    const conn = await online();
    // Larger than the 256 KiB the agent accepts, and than the 64 KiB frames of the hub's own limit.
    hub.sendConfig(conn, 1, { blob: 'x'.repeat(MAX_BROKER_MESSAGE_BYTES + 10) });
    hub.sendRaw(conn, { type: 'config', revision: 2, issuedAt: 1, config: ['not', 'an', 'object'] });
    hub.sendRaw(conn, { type: 'config', revision: 3, issuedAt: 1, config: 'logLevel=debug' });
    hub.sendRaw(conn, { type: 'config', revision: 'four', config: {} }); // no usable revision: no report
    hub.sendConfig(conn, 5, { logLevel: 'debug' });
    await waitReports(conn, 4);
    expect(conn.reports.map((r) => [r.revision, r.status])).toEqual([
      [1, 'rejected'],
      [2, 'rejected'],
      [3, 'rejected'],
      [5, 'applied'],
    ]);
    expect(conn.reports[0]!.error).toMatch(
      /configuration message of \d+ bytes exceeds the 262144 bytes this agent accepts/,
    );
    expect(conn.reports[1]!.error).toBe('"config" must be a JSON object, got an array');
    expect(conn.reports[2]!.error).toBe('"config" must be a JSON object, got a string');
    expect(outcomes.find((o) => o.outcome === 'invalid')?.reason).toMatch(/without a valid revision/);
    // Same connection all along.
    expect(hub.connections).toHaveLength(1);
    expect(conn.close).toBeUndefined();
    expect(client.state).toBe('online');
    expect(conn.invalid).toEqual([]);
  });

  it('retries a failed write once at once; a second failure is reported rejected', async () => {
    let failures = 1;
    const saved: number[] = [];
    const store: ConfigStore = {
      save: (state) => {
        if (failures-- > 0) return Promise.reject(new Error('EIO: disk on fire'));
        saved.push(state.revision);
        return Promise.resolve();
      },
    };
    const { client } = agent({ store });
    const conn = await online();
    hub.sendConfig(conn, 1, { a: 1 });
    await waitReports(conn, 1);
    expect(conn.reports[0]).toMatchObject({ revision: 1, status: 'applied' });
    failures = 2;
    hub.sendConfig(conn, 2, { a: 2 });
    await waitReports(conn, 2);
    expect(conn.reports[1]).toMatchObject({
      revision: 2,
      status: 'rejected',
      error: 'cannot store the configuration: EIO: disk on fire',
    });
    expect(saved).toEqual([1]);
    expect(client.currentConfigRevision).toBe(1);
  });

  it('shares the applier with the broker path: a revision applied there is not newer here', async () => {
    const applier = new ConfigApplier({ agentId: 'ws-agent-1', store: new MemoryConfigStore() });
    const announced: number[] = [];
    const { client, outcomes } = agent({ applier });
    const conn = await online();
    // As the RabbitMQ consumer would: apply revision 4 from a broker delivery, then announce.
    const body = { type: 'config', agentId: 'ws-agent-1', revision: 4, issuedAt: 1, config: { via: 'amqp' } };
    const d = await applier.handle(Buffer.from(JSON.stringify(body)));
    expect(d).toMatchObject({ outcome: 'applied' });
    client.configApplied(4);
    await hub.waitFor(
      () => conn.messages.some((m) => m.type === 'heartbeat' && m.configRevision === 4),
      5000,
      'heartbeat 4',
    );
    client.on('config', (r) => r.revision !== undefined && announced.push(r.revision));
    hub.sendConfig(conn, 4, { via: 'websocket' });
    await waitReports(conn, 1);
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'ignored', revision: 4, reported: true })]);
    expect(applier.current?.config).toEqual({ via: 'amqp' });
    // Only one heartbeat for revision 4: configApplied() with the same revision again is a no-op.
    client.configApplied(4);
    expect(conn.messages.filter((m) => m.type === 'heartbeat').length).toBe(1);
  });

  it('hello carries the revision in force after a reconnect', async () => {
    const { client } = agent({ store: new MemoryConfigStore() });
    const conn = await online();
    hub.sendConfig(conn, 9, { k: 'v' });
    await waitReports(conn, 1);
    conn.ws.terminate();
    await hub.waitFor(() => hub.connections[1]?.hello !== undefined, 5000, 'second hello');
    expect(hub.connections[1]!.hello!.configRevision).toBe(9);
    expect(client.currentConfigRevision).toBe(9);
  });

  it('refuses to build a hello larger than the hub accepts', () => {
    // Each part stays within its own cap (schema ≤ 32 KB, 32 labels of ≤ 256 characters); together, with
    // three-byte characters in the label values, they pass the 48 KB hello limit.
    const labels = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`label${i}`, '€'.repeat(256)]));
    expect(
      () =>
        new AgentClient({
          url: hub.url,
          token: hub.token,
          identity: {
            agentId: 'big',
            name: 'big',
            hostname: 'h',
            platform: 'linux',
            agentVersion: '1',
            labels,
            configSchema: { description: 'x'.repeat(30 * 1024) },
          },
          metrics: fakeMetrics,
        }),
    ).toThrow(/hello would be \d+ bytes, more than the 49152/);
  });
});

describe('simulator: configuration over the WebSocket', () => {
  it('--reject 3 of 10: three agents refuse with a clear error, seven apply; --schema declared', async () => {
    sim = startSimulator({
      url: hub.url,
      token: hub.token,
      count: 10,
      prefix: 'sim',
      connectRatePerSec: 1000,
      summaryEverySec: 0,
      configSchema: true,
      rejectFirst: 3,
      log: () => undefined,
    });
    await sim.waitForOnline(10, 10_000);
    await hub.waitFor(() => hub.connections.filter((c) => c.hello).length === 10, 5000, 'hellos');
    expect(hub.connections.every((c) => c.hello?.configSchema !== undefined)).toBe(true);
    for (const conn of hub.connections) hub.sendConfig(conn, 1, { logLevel: 'warn' });
    await hub.waitFor(() => hub.connections.every((c) => c.reports.length === 1), 5000, 'ten reports');
    const rejected = hub.connections
      .filter((c) => c.reports[0]!.status === 'rejected')
      .map((c) => [c.hello!.agentId, c.reports[0]!.error])
      .sort();
    expect(rejected).toEqual([
      ['sim-00001', 'simulated agent sim-00001 refuses configurations (--reject)'],
      ['sim-00002', 'simulated agent sim-00002 refuses configurations (--reject)'],
      ['sim-00003', 'simulated agent sim-00003 refuses configurations (--reject)'],
    ]);
    expect(sim.stats()).toMatchObject({ configsApplied: 7, configsRejected: 3 });
    expect(sim.configAppliers.map((a) => a.revision)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    // The schema is enforced by the simulated agents too.
    const conn = hub.connections.find((c) => c.hello!.agentId === 'sim-00010')!;
    hub.sendConfig(conn, 2, { logLevel: 'chatty' });
    await hub.waitFor(() => conn.reports.length === 2, 5000, 'schema refusal');
    expect(conn.reports[1]).toMatchObject({ status: 'rejected', error: expect.stringMatching(/\/logLevel/) });
  });

  it('applies a bulk change to 1,000 agents quickly', async () => {
    sim = startSimulator({
      url: hub.url,
      token: hub.token,
      count: 1000,
      connectRatePerSec: 5000,
      summaryEverySec: 0,
      configSchema: true,
      log: () => undefined,
    });
    await sim.waitForOnline(1000, 30_000);
    await hub.waitFor(() => hub.connections.filter((c) => c.hello).length === 1000, 10_000, 'hellos');
    const t0 = performance.now();
    for (const conn of hub.connections) {
      hub.sendConfig(conn, 1, { logLevel: 'debug', jobs: { backup: { command: 'b', schedule: '@daily' } } });
    }
    await hub.waitFor(() => hub.connections.every((c) => c.reports.length === 1), 20_000, '1000 reports');
    const ms = performance.now() - t0;
    expect(hub.connections.every((c) => c.reports[0]!.status === 'applied')).toBe(true);
    expect(sim.stats().configsApplied).toBe(1000);
    // Generous bound for loaded CI machines; typically well under a second on loopback.
    expect(ms).toBeLessThan(10_000);
  }, 60_000);
});
