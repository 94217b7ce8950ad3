/**
 * The agent's RabbitMQ side, in process, against a real broker: config consumer (apply, latest wins,
 * reject, write failure), event publisher (confirms, retry across an outage), and the simulator's fake
 * jobs and config consumers. Every test has its own topology prefix and agent ids.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatSchema } from '../../src-shared/agent-protocol';
import { ConfigReportSchema, Headers, JobEventSchema, type JobEvent } from '../../src-shared/broker-protocol';
import { BrokerLink, agentTopologyNames } from '../../src-agent/broker-link';
import { ConfigApplier, FileConfigStore, type StoredConfig } from '../../src-agent/config-apply';
import { ConfigConsumer } from '../../src-agent/config-consumer';
import { EventPublisher, jobEvent } from '../../src-agent/event-publisher';
import { startSimulator, type SimulatorHandle } from '../../src-agent/simulator';
import { ensureBroker, stopBroker } from '../helpers/broker';
import { BrokerFixture, TcpProxy, waitUntil } from '../unit/agent/broker-fixture';
import { FakeHub } from '../unit/agent/fake-hub';

let url: string;
let fx: BrokerFixture;
let dir: string;
const cleanup: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  url = await ensureBroker();
}, 120_000);
afterAll(async () => {
  await stopBroker();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function fixture(...agents: string[]): Promise<BrokerFixture> {
  fx = await new BrokerFixture(url).open();
  cleanup.push(() => fx.close());
  await fx.declareAgents(...agents);
  dir = mkdtempSync(join(os.tmpdir(), 'agent-broker-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return fx;
}

/** The reference agent's broker side, wired as cli.ts does. */
function agentSide(agentId: string, configFile: string, brokerUrl = url) {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const names = agentTopologyNames(fx.prefix);
  const link = new BrokerLink({
    url: brokerUrl,
    name: agentId,
    connections: 2,
    backoff: { initialMs: 50, maxMs: 300 },
    log,
  });
  const publisher = new EventPublisher(link, { names, log, retryMs: 100 });
  const store = new FileConfigStore(configFile);
  const announced: StoredConfig[] = [];
  let initial: StoredConfig | null = null;
  try {
    initial = store.load();
  } catch (error) {
    log(`${(error as Error).message}; starting without a configuration`); // as cli.ts does
  }
  const applier = new ConfigApplier({
    agentId,
    store,
    initial,
    onApplied: (s) => announced.push(s),
  });
  const consumer = new ConfigConsumer(link, publisher, [applier], { names, log });
  publisher.start();
  consumer.start();
  link.start();
  const stop = async () => {
    consumer.stop();
    publisher.stop();
    await link.stop();
  };
  cleanup.push(stop);
  return { link, publisher, applier, consumer, announced, lines, stop };
}

const readConfig = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as StoredConfig;

describe('config consumer (reference agent)', () => {
  it('applies a config: file written, acked, revision announced, applied report published', async () => {
    await fixture('ag-1');
    const file = join(dir, 'config.json');
    const a = agentSide('ag-1', file);
    await a.link.waitConnected();
    expect(await fx.consumerCount(fx.names.agentQueue('ag-1'))).toBe(1);

    await fx.publishConfig('ag-1', 1, { logLevel: 'debug', interval: 5 });
    await waitUntil(() => fx.eventsOf('config.report').length === 1, 10_000, 'the report');

    expect(readConfig(file)).toMatchObject({ revision: 1, config: { logLevel: 'debug', interval: 5 } });
    expect(readConfig(file).appliedAt).toBeGreaterThan(Date.now() - 60_000);
    const [recorded] = fx.events;
    expect(ConfigReportSchema.parse(recorded!.event)).toMatchObject({
      agentId: 'ag-1',
      revision: 1,
      status: 'applied',
    });
    expect(recorded!.routingKey).toBe('agent.ag-1.config');
    expect(recorded!.properties).toMatchObject({
      messageId: recorded!.event.eventId,
      deliveryMode: 2,
      contentType: 'application/json',
      type: 'config.report',
      headers: { [Headers.agentId]: 'ag-1' },
    });
    expect(a.announced.map((s) => s.revision)).toEqual([1]);
    expect(a.applier.revision).toBe(1);

    // Acked: after the consumer is gone nothing comes back to the queue.
    await a.stop();
    expect(await fx.depth(fx.names.agentQueue('ag-1'))).toBe(0);
    expect(a.lines.join('\n')).not.toContain('guest:guest');
  });

  it('latest wins: an older or equal revision is acked and ignored; hello revision comes from the file', async () => {
    await fixture('ag-2');
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ revision: 4, appliedAt: 1, config: { v: 4 } }));
    const a = agentSide('ag-2', file);
    expect(a.applier.revision).toBe(4);
    await a.link.waitConnected();

    await fx.publishConfig('ag-2', 3, { v: 3 });
    await fx.publishConfig('ag-2', 4, { v: 'again' });
    await fx.publishConfig('ag-2', 6, { v: 6 });
    await fx.publishConfig('ag-2', 5, { v: 5 });
    await waitUntil(
      () => a.consumer.counters.applied + a.consumer.counters.ignored === 4,
      10_000,
      'all four',
    );
    await waitUntil(() => fx.eventsOf('config.report').length === 1, 5_000, 'one report');
    expect(a.consumer.counters).toMatchObject({ applied: 1, ignored: 3, deadLettered: 0 });
    expect(readConfig(file)).toMatchObject({ revision: 6, config: { v: 6 } });
    expect(fx.eventsOf('config.report').map((r) => [r.revision, r.status])).toEqual([[6, 'applied']]);
    await a.stop();
    expect(await fx.depth(fx.names.agentQueue('ag-2'))).toBe(0);
  });

  it('rejects an invalid message without requeue and goes on with the next one', async () => {
    await fixture('ag-3');
    const file = join(dir, 'config.json');
    const a = agentSide('ag-3', file);
    await a.link.waitConnected();
    await fx.publishRaw('ag-3', Buffer.from('{ not json'));
    await fx.publishRaw(
      'ag-3',
      Buffer.from(JSON.stringify({ type: 'config', agentId: 'ag-3', revision: -1 })),
    );
    await fx.publishConfig('ag-3', 2, { ok: true });
    await waitUntil(() => fx.eventsOf('config.report').length === 1, 10_000, 'the report');
    expect(a.consumer.counters).toMatchObject({ deadLettered: 2, applied: 1, requeued: 0 });
    expect(a.lines.some((l) => l.includes('not valid JSON'))).toBe(true);
    expect(readConfig(file).revision).toBe(2);
    await a.stop();
    // Not requeued: nothing is left (a requeued or unacked message would be back in the queue).
    expect(await fx.depth(fx.names.agentQueue('ag-3'))).toBe(0);
  });

  it('refuses a config with rejectReason / reject: true and reports rejected with the error', async () => {
    await fixture('ag-4');
    const file = join(dir, 'config.json');
    const a = agentSide('ag-4', file);
    await a.link.waitConnected();
    await fx.publishConfig('ag-4', 1, { rejectReason: 'port 80 already in use' });
    await fx.publishConfig('ag-4', 2, { reject: true });
    await waitUntil(() => fx.eventsOf('config.report').length === 2, 10_000, 'two reports');
    const reports = fx.eventsOf('config.report');
    expect(reports.map((r) => [r.revision, r.status])).toEqual([
      [1, 'rejected'],
      [2, 'rejected'],
    ]);
    expect(reports[0]!.error).toBe('port 80 already in use');
    expect(reports[1]!.error).toMatch(/"reject": true/);
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    expect(a.announced).toEqual([]);
    expect(a.applier.revision).toBe(0);
  });

  it('a config it cannot write is requeued once, then reported rejected', async () => {
    await fixture('ag-5');
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const a = agentSide('ag-5', join(blocker, 'config.json')); // parent is a file: ENOTDIR / EEXIST
    await a.link.waitConnected();
    await fx.publishConfig('ag-5', 3, { a: 1 });
    await waitUntil(() => fx.eventsOf('config.report').length === 1, 10_000, 'the report');
    const [report] = fx.eventsOf('config.report');
    expect(report).toMatchObject({ revision: 3, status: 'rejected' });
    expect(report!.error).toMatch(/cannot store the configuration/);
    expect(a.consumer.counters).toMatchObject({ requeued: 1, rejected: 1 });
    await a.stop();
    expect(await fx.depth(fx.names.agentQueue('ag-5'))).toBe(0);
  });
});

describe('event publisher', () => {
  it('keeps events published during an outage and sends them after the reconnect (same eventId)', async () => {
    await fixture('ag-6');
    const broker = new URL(url);
    const proxy = new TcpProxy(broker.hostname, Number(broker.port || 5672));
    await proxy.start();
    cleanup.push(() => proxy.stop());
    const a = agentSide('ag-6', join(dir, 'config.json'), proxy.urlFor(url));
    await a.link.waitConnected();

    const before = jobEvent({ agentId: 'ag-6', jobId: 'j1', name: 'backup', event: 'started' });
    await a.publisher.publish(before);

    proxy.cut();
    await waitUntil(() => a.link.state === 'backoff' || a.link.state === 'connecting', 5_000, 'link down');
    const during = jobEvent({ agentId: 'ag-6', jobId: 'j1', name: 'backup', event: 'finished', exitCode: 0 });
    const confirmed = a.publisher.publish(during);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.publisher.pending).toBe(1);

    proxy.restore();
    await confirmed;
    await waitUntil(() => fx.eventsOf('job').length >= 2, 10_000, 'both job events');
    const ids = fx.eventsOf('job').map((e) => e.eventId);
    expect(ids).toContain(before.eventId);
    expect(ids).toContain(during.eventId);
    expect(a.publisher.pending).toBe(0);
    expect(a.lines.some((l) => /retrying in/.test(l))).toBe(true);
    // The consumer came back too.
    await waitUntil(
      async () => (await fx.consumerCount(fx.names.agentQueue('ag-6'))) === 1,
      10_000,
      'consumer',
    );
  });
});

describe('broker link', () => {
  it('retries a refused login with backoff and never logs the password', async () => {
    const bad = new URL(url);
    bad.password = 'wrong-secret-xyz';
    const lines: string[] = [];
    const link = new BrokerLink({
      url: bad.toString(),
      backoff: { initialMs: 50, maxMs: 100 },
      log: (l) => lines.push(l),
    });
    cleanup.push(() => link.stop());
    link.start();
    await waitUntil(() => lines.filter((l) => l.includes('retrying in')).length >= 2, 10_000, 'two retries');
    expect(link.state).not.toBe('connected');
    expect(link.displayUrl).toContain(':***@');
    expect(lines.join('\n')).not.toContain('wrong-secret-xyz');
    await link.stop();
    expect(link.state).toBe('stopped');
  });

  it('connects once the broker becomes reachable', async () => {
    await fixture('ag-7');
    const broker = new URL(url);
    const proxy = new TcpProxy(broker.hostname, Number(broker.port || 5672));
    await proxy.start();
    cleanup.push(() => proxy.stop());
    proxy.cut();
    const a = agentSide('ag-7', join(dir, 'config.json'), proxy.urlFor(url));
    await waitUntil(() => a.lines.some((l) => l.includes('retrying in')), 5_000, 'a failed attempt');
    proxy.restore();
    await a.link.waitConnected(10_000);
    await fx.publishConfig('ag-7', 1, {});
    await waitUntil(() => fx.eventsOf('config.report').length === 1, 10_000, 'the report');
  });
});

describe('simulator with a broker', () => {
  let hub: FakeHub;
  let sim: SimulatorHandle | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    await hub?.stop();
  });

  it('runs fake jobs that produce valid JobEvents: started → 25/50/75 → finished, or failed', async () => {
    await fixture();
    hub = new FakeHub({ metricsIntervalSec: 1 });
    await hub.start();
    sim = startSimulator({
      url: hub.url,
      token: hub.token,
      count: 6,
      prefix: `${fx.prefix}-sim`,
      connectRatePerSec: 1000,
      summaryEverySec: 0,
      log: () => undefined,
      broker: {
        url,
        topologyPrefix: fx.prefix,
        jobs: { intervalSec: 0.1, stepMs: 10, failureRate: 0.5, startImmediately: true },
      },
    });
    const ended = () =>
      fx.eventsOf('job').filter((e) => e.event === 'finished' || e.event === 'failed').length;
    await waitUntil(() => ended() >= 30, 20_000, '30 finished jobs');
    const { brokerLink } = sim;
    await sim.stop();
    expect(brokerLink?.state).toBe('stopped');

    expect(fx.invalidEvents).toEqual([]);
    const byJob = new Map<string, JobEvent[]>();
    for (const { event, routingKey, properties } of fx.events) {
      const job = JobEventSchema.parse(event);
      expect(routingKey).toBe(`agent.${job.agentId}.job`);
      expect(properties.messageId).toBe(job.eventId);
      expect(properties.headers?.[Headers.agentId]).toBe(job.agentId);
      byJob.set(job.jobId, [...(byJob.get(job.jobId) ?? []), job]);
    }
    expect(new Set(fx.eventsOf('job').map((e) => e.agentId)).size).toBe(6);
    let finished = 0;
    let failed = 0;
    for (const events of byJob.values()) {
      const kinds = events.map((e) => (e.event === 'progress' ? `p${e.progress}` : e.event));
      expect(kinds[0]).toBe('started');
      const last = events.at(-1)!;
      if (last.event === 'finished') {
        finished++;
        expect(kinds).toEqual(['started', 'p25', 'p50', 'p75', 'finished']);
        expect(last.exitCode).toBe(0);
      } else if (last.event === 'failed') {
        failed++;
        expect(last.exitCode).toBe(last.message === 'simulator stopped' ? 143 : 1);
        expect(last.message).toBeTruthy();
      }
      expect(new Set(events.map((e) => e.startedAt)).size).toBe(1);
    }
    expect(finished).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  });

  it('consumes configs for every simulated agent in memory, same reject rule, one connection', async () => {
    await fixture();
    hub = new FakeHub({ metricsIntervalSec: 5 });
    await hub.start();
    const prefix = `${fx.prefix}-cfg`;
    const ids = Array.from({ length: 20 }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
    await fx.declareAgents(...ids);
    sim = startSimulator({
      url: hub.url,
      token: hub.token,
      count: 20,
      prefix,
      connectRatePerSec: 1000,
      summaryEverySec: 0,
      log: () => undefined,
      broker: { url, topologyPrefix: fx.prefix, consumeConfig: true },
    });
    await sim.waitForOnline(20, 10_000);
    await sim.brokerLink!.waitConnected(10_000);
    for (const [i, id] of ids.entries()) {
      await fx.publishConfig(id, 1, i === 0 ? { rejectReason: 'nope' } : { n: i });
    }
    await waitUntil(() => fx.eventsOf('config.report').length === 20, 15_000, '20 reports');
    const reports = fx.eventsOf('config.report');
    expect(reports.filter((r) => r.status === 'applied')).toHaveLength(19);
    expect(reports.find((r) => r.agentId === ids[0])).toMatchObject({ status: 'rejected', error: 'nope' });
    expect(sim.configAppliers.map((a) => a.revision)).toEqual([0, ...Array(19).fill(1)]);
    expect(sim.stats()).toMatchObject({ configsApplied: 19, configsRejected: 1 });

    // The hub sees the new revision at once: a heartbeat with configRevision 1 from each applied agent.
    await waitUntil(
      () =>
        hub.connections.filter((c) =>
          c.messages.some((m) => m.type === 'heartbeat' && HeartbeatSchema.parse(m).configRevision === 1),
        ).length === 19,
      10_000,
      '19 heartbeats',
    );
    expect(sim.clients[1]!.stats().state).toBe('online');
  });
});
