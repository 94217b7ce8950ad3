/**
 * Job events in, configuration out, against the real broker. Each test uses its own name prefix
 * (`topologyNames(prefix)`) so files sharing one broker never steal each other's messages.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMessageSchema, type AgentEvent, type JobEvent } from '../../src-shared';
import { resolveBrokerSettings, type BrokerSettings } from '../../src-main/hub/broker/broker-settings';
import { ConfigPublisher } from '../../src-main/hub/broker/config-publisher';
import { BrokerConnection } from '../../src-main/hub/broker/connection-manager';
import { attachJobEventsConsumer } from '../../src-main/hub/broker/job-events-consumer';
import { declareEventsTopology, topologyNames } from '../../src-main/hub/broker/topology';
import { ConfigOutbox } from '../../src-main/hub/configs/config-outbox';
import { ensureBroker, stopBroker, waitForStatus } from '../helpers/broker';

let url: string;
let good: BrokerSettings;
let admin: ChannelModel;
let ch: Channel;
const cleanup: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  url = await ensureBroker();
  const r = resolveBrokerSettings({ RABBITMQ_URL: url });
  if (r.kind !== 'ok') throw new Error('bad URL');
  good = r.settings;
  admin = await amqp.connect(url);
  admin.on('error', () => {});
  ch = await admin.createChannel();
  ch.on('error', () => {});
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await admin?.close();
  await stopBroker();
});

function jobEvent(overrides: Partial<JobEvent> = {}): JobEvent {
  return {
    type: 'job',
    eventId: randomUUID(),
    event: 'started',
    agentId: 'agent-1',
    jobId: 'job-1',
    name: 'backup',
    ts: Date.now(),
    ...overrides,
  };
}

async function connected(): Promise<BrokerConnection> {
  const conn = new BrokerConnection(good, { backoff: { initialMs: 100, maxMs: 300 } });
  cleanup.push(() => conn.stop());
  return conn;
}

async function drain(queue: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (;;) {
    const msg = await ch.get(queue, { noAck: true });
    if (!msg) return out;
    out.push(msg.content);
  }
}

describe('job events consumer', () => {
  it('handles valid events, acks them, dead-letters malformed ones, retries a failing handler once', async () => {
    const names = topologyNames(`t${randomUUID().slice(0, 8)}`);
    const conn = await connected();
    const seen: AgentEvent[] = [];
    let failNext = true;
    const { counters } = attachJobEventsConsumer(conn, {
      names,
      handle: (event, info) => {
        if (event.type === 'job' && event.jobId === 'flaky' && failNext) {
          failNext = false;
          expect(info.redelivered).toBe(false);
          throw new Error('store busy');
        }
        seen.push(event);
      },
    });
    conn.start();
    await waitForStatus(conn, (s) => s.state === 'connected');
    cleanup.push(async () => {
      for (const q of [names.hubEventsQueue, names.deadLetterQueue]) await ch.deleteQueue(q);
      for (const x of [names.eventsExchange, names.deadLetterExchange]) await ch.deleteExchange(x);
    });

    const pub = (key: string, body: string | object) =>
      ch.publish(
        names.eventsExchange,
        key,
        Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
        {
          persistent: true,
          contentType: 'application/json',
        },
      );
    const ok = jobEvent();
    pub('agent.agent-1.job', ok);
    pub('agent.agent-1.job', ok); // duplicate delivery: acked again; JobStore dedupes by eventId
    pub('agent.agent-1.job', '{not json');
    pub('agent.agent-1.job', { ...jobEvent(), event: 'exploded' });
    pub('agent.agent-2.job', jobEvent()); // body says agent-1: spoofed routing key
    pub('agent.agent-1.job', jobEvent({ jobId: 'flaky' }));
    pub('agent.dotted.id.job', jobEvent({ agentId: 'dotted.id' }));

    await expect.poll(() => counters.acked + counters.deadLettered, { timeout: 5_000 }).toBe(7);
    expect(counters).toEqual({ acked: 4, deadLettered: 3, retried: 1 });
    expect(seen.map((e) => e.eventId).filter((id) => id === ok.eventId)).toHaveLength(2);
    expect(seen.some((e) => e.type === 'job' && e.jobId === 'flaky')).toBe(true);
    await expect.poll(async () => (await ch.checkQueue(names.deadLetterQueue)).messageCount).toBe(3);
    expect((await ch.checkQueue(names.hubEventsQueue)).messageCount).toBe(0);
  });
});

describe('config publisher', () => {
  it('keeps changes in the durable outbox while the broker is unreachable, across an app restart', async () => {
    const names = topologyNames(`t${randomUUID().slice(0, 8)}`);
    const dataDir = mkdtempSync(join(tmpdir(), 'ac-outbox-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));

    // "Day 1": no broker reachable (closed port). Three changes; latest wins in the outbox.
    const offline = new BrokerConnection({ ...good, port: 1 }, { backoff: { initialMs: 50, maxMs: 100 } });
    const outbox1 = new ConfigOutbox(dataDir);
    const publisher1 = new ConfigPublisher(offline, outbox1, { names });
    publisher1.start();
    offline.start();
    outbox1.enqueue('agent-7', 1, { interval: 10 });
    outbox1.enqueue('agent-7', 2, { interval: 20 });
    outbox1.enqueue('agent-8', 1, { interval: 30 });
    await waitForStatus(offline, (s) => s.state === 'disconnected' && s.attempts >= 2);
    expect(outbox1.size).toBe(2);
    publisher1.stop();
    await offline.stop();

    // "Day 2": the app restarts with the broker reachable; the outbox is read back and delivered.
    const conn = await connected();
    const outbox2 = new ConfigOutbox(dataDir);
    expect(outbox2.size).toBe(2);
    const publisher = new ConfigPublisher(conn, outbox2, { names });
    publisher.start();
    cleanup.push(() => publisher.stop());
    conn.start();
    await waitForStatus(conn, (s) => s.state === 'connected');
    await expect.poll(() => outbox2.size, { timeout: 5_000 }).toBe(0);
    expect(publisher.confirmed).toBe(2);
    cleanup.push(async () => {
      for (const a of ['agent-7', 'agent-8']) await ch.deleteQueue(names.agentQueue(a));
      await ch.deleteExchange(names.commandsExchange);
    });

    const q7 = await ch.get(names.agentQueue('agent-7'), { noAck: true });
    expect(q7).not.toBe(false);
    if (!q7) return;
    expect(q7.properties.deliveryMode).toBe(2);
    expect(q7.properties.contentType).toBe('application/json');
    expect(q7.properties.headers?.['x-agent-id']).toBe('agent-7');
    const msg = ConfigMessageSchema.parse(JSON.parse(q7.content.toString()));
    expect(msg).toMatchObject({ agentId: 'agent-7', revision: 2, config: { interval: 20 } });
    expect(await drain(names.agentQueue('agent-7'))).toHaveLength(0); // only the latest revision
    const q8 = await drain(names.agentQueue('agent-8'));
    expect(q8).toHaveLength(1);

    // A change made while connected goes out immediately.
    const t0 = performance.now();
    const confirmedIn = new Promise<number>((resolve) => {
      const off = outbox2.onChange(() => {
        if (outbox2.size === 0) {
          off();
          resolve(performance.now() - t0);
        }
      });
    });
    outbox2.enqueue('agent-8', 2, { interval: 40 });
    console.log(`[broker-messaging] live config change confirmed in ${(await confirmedIn).toFixed(1)} ms`);
    const live = await drain(names.agentQueue('agent-8'));
    expect(JSON.parse(live[0]!.toString())).toMatchObject({ revision: 2, config: { interval: 40 } });
  });

  it('registerAgent declares the queue so a change for a never-connected agent is kept', async () => {
    const names = topologyNames(`t${randomUUID().slice(0, 8)}`);
    const dataDir = mkdtempSync(join(tmpdir(), 'ac-outbox-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const conn = await connected();
    const publisher = new ConfigPublisher(conn, new ConfigOutbox(dataDir), {
      names,
      knownAgents: () => ['registered-1'],
    });
    publisher.start();
    cleanup.push(() => publisher.stop());
    conn.start();
    await waitForStatus(conn, (s) => s.state === 'connected');
    await publisher.registerAgent('registered-2');
    for (const a of ['registered-1', 'registered-2']) {
      await expect(ch.checkQueue(names.agentQueue(a))).resolves.toMatchObject({ messageCount: 0 });
    }
    cleanup.push(async () => {
      for (const a of ['registered-1', 'registered-2']) await ch.deleteQueue(names.agentQueue(a));
      await ch.deleteExchange(names.commandsExchange);
    });
    // Topology declarations of both sides agree (re-declaring with the same arguments is accepted).
    await declareEventsTopology(ch, names);
    cleanup.push(async () => {
      for (const q of [names.hubEventsQueue, names.deadLetterQueue]) await ch.deleteQueue(q);
      for (const x of [names.eventsExchange, names.deadLetterExchange]) await ch.deleteExchange(x);
    });
  });
});
