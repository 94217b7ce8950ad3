/**
 * RabbitMQ side:
 *  1. job events consumed per second by the hub, next to a bare amqplib consumer with the same
 *     prefetch (200, manual ack after JSON.parse), both draining the same number of events queued
 *     beforehand, in the same run;
 *  2. configuration fan-out: one bulk change to N online agents that consume their queues (the
 *     simulator with --consume-config), from the request until each agent's "applied" reaches the
 *     console, p50/p99.
 * Uses RABBITMQ_URL when it answers, else a throwaway node (scripts/rabbitmq.mjs) it stops after.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import WebSocket from 'ws';
import { startBroker, stopBroker } from '../scripts/rabbitmq.mjs';
import { percentile, round, startHub, startSimulator, until } from './lib.mjs';

const PREFETCH = 200;

async function reachable(url) {
  try {
    const conn = await amqp.connect(url, { timeout: 3000 });
    await conn.close();
    return true;
  } catch {
    return false;
  }
}

async function withBroker(fn) {
  const shared = process.env.RABBITMQ_URL;
  if (shared && (await reachable(shared))) return fn(shared);
  const dir = mkdtempSync(join(tmpdir(), 'ac-bench-mq-'));
  const { url } = await startBroker({ dir });
  try {
    return await fn(url);
  } finally {
    await stopBroker({ dir });
  }
}

/** N job events for `jobs` jobs (started, 3 × progress, finished), published with confirms. */
async function publishEvents(url, exchange, count) {
  const conn = await amqp.connect(url);
  const channel = await conn.createConfirmChannel();
  const perJob = 5;
  for (let i = 0; i < count; i++) {
    const job = Math.floor(i / perJob);
    const step = i % perJob;
    const agentId = `mq-${job % 100}`;
    const event = {
      type: 'job',
      eventId: `e-${i}`,
      event: step === 0 ? 'started' : step === perJob - 1 ? 'finished' : 'progress',
      agentId,
      jobId: `j-${job}`,
      name: 'backup',
      ts: Date.now(),
      progress: step * 25,
      ...(step === perJob - 1 ? { exitCode: 0 } : {}),
    };
    const ok = channel.publish(exchange, `agent.${agentId}.job`, Buffer.from(JSON.stringify(event)), {
      persistent: true,
      contentType: 'application/json',
      headers: { 'x-agent-id': agentId, 'x-protocol': 1 },
    });
    if (!ok) await new Promise((r) => channel.once('drain', r));
  }
  await channel.waitForConfirms();
  await conn.close();
}

async function bareConsumer(url, count) {
  const prefix = `bench-bare-${Date.now()}`;
  const conn = await amqp.connect(url);
  const setup = await conn.createChannel();
  const exchange = `${prefix}.events`;
  const queue = `${prefix}.queue`;
  await setup.assertExchange(exchange, 'topic', { durable: true });
  await setup.assertQueue(queue, { durable: true });
  await setup.bindQueue(queue, exchange, 'agent.*.*');
  await publishEvents(url, exchange, count);
  const channel = await conn.createChannel();
  await channel.prefetch(PREFETCH);
  let consumed = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    void channel.consume(queue, (msg) => {
      if (!msg) return;
      JSON.parse(msg.content.toString('utf8'));
      channel.ack(msg);
      if (++consumed === count) resolve();
    });
  });
  const ms = performance.now() - started;
  await setup.deleteQueue(queue);
  await setup.deleteExchange(exchange);
  await conn.close();
  return { ms, rate: (count * 1000) / ms };
}

async function hubConsumer(url, count) {
  const prefix = `bench-hub-${Date.now()}`;
  const env = { RABBITMQ_URL: url, CENTRALIZER_TOPOLOGY_PREFIX: prefix };
  // First run declares the topology; the events wait in the hub's durable queue while it is down.
  const first = await startHub({ env });
  await until(() => first.stats.length > 0, 10_000, 'hub stats');
  await first.stop();
  await publishEvents(url, `${prefix}.events`, count);
  const hub = await startHub({ env, statsMs: 200 });
  try {
    await until(() => hub.latest()?.brokerEvents >= count, 120_000, `${count} events consumed`, 20);
    const lines = hub.stats;
    const firstBusy = lines.findIndex((s) => s.brokerEvents > 0);
    const last = lines.findIndex((s) => s.brokerEvents >= count);
    // From the line before the first consumed event to the line that saw the last: ±200 ms.
    const ms = lines[last].at - lines[Math.max(0, firstBusy - 1)].at;
    return { ms, rate: (count * 1000) / ms };
  } finally {
    const conn = await amqp.connect(url);
    const channel = await conn.createChannel();
    await channel.deleteQueue(`${prefix}.hub.events`).catch(() => {});
    await conn.close().catch(() => {});
    await hub.stop();
  }
}

/** Resolves once every queue exists and has at least one consumer (checked one by one, passively). */
async function untilConsumers(url, queues, timeoutMs = 120_000) {
  const conn = await amqp.connect(url);
  const deadline = Date.now() + timeoutMs;
  try {
    let todo = queues;
    while (todo.length > 0) {
      if (Date.now() > deadline) throw new Error(`${todo.length} agent queues still without a consumer`);
      const waiting = [];
      for (const queue of todo) {
        // A missing queue closes the channel (404): a fresh channel per check keeps that contained.
        const ch = await conn.createChannel();
        ch.on('error', () => {});
        const ok = await ch.checkQueue(queue).catch(() => undefined);
        if (!ok || ok.consumerCount < 1) waiting.push(queue);
        await ch.close().catch(() => {});
      }
      todo = waiting;
      if (todo.length > 0) await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Bulk change to `agents` online agents; ms from the request to each agent's applied delta. */
async function fanOut(url, agents, log) {
  const prefix = `bench-fan-${Date.now()}`;
  const hub = await startHub({ env: { RABBITMQ_URL: url, CENTRALIZER_TOPOLOGY_PREFIX: prefix } });
  const sim = startSimulator({
    url: hub.gatewayUrl,
    count: agents,
    prefix: 'fan',
    rate: 1000,
    extra: ['--amqp-url', url, '--consume-config', '--topology-prefix', prefix],
  });
  const ws = new WebSocket(hub.bridgeUrl);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const agentsView = new Map();
    let target = 0;
    const appliedAt = new Map();
    const pending = new Map();
    let nextId = 1;
    const call = (channel, input) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, channel, input }));
      });
    ws.on('message', (data) => {
      const at = performance.now();
      const message = JSON.parse(data.toString());
      if (message.kind === 'result') {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) p?.resolve(message.value);
        else p?.reject(new Error(message.error.message));
        return;
      }
      if (message.event !== 'delta') return;
      for (const a of message.payload.agents) {
        agentsView.set(a.agentId, a);
        if (target && a.configRevision >= target && !appliedAt.has(a.agentId)) appliedAt.set(a.agentId, at);
      }
    });
    const snapshot = await call('getSnapshot');
    for (const a of snapshot.agents) agentsView.set(a.agentId, a);
    await until(
      () => [...agentsView.values()].filter((a) => a.presence === 'online').length >= agents,
      120_000,
      `${agents} agents online`,
      250,
    );
    const ids = [...agentsView.keys()].filter((id) => id.startsWith('fan'));
    // Online is not ready: each agent then declares its queue and attaches a consumer, and RabbitMQ
    // spends a core for several seconds on 1,000 of them. A fixed 3 s wait let the fan-out overlap
    // that setup (p99 3.9–4.8 s instead of 1.5–1.8 s). Wait until every agent's queue has its consumer.
    const setup = performance.now();
    await untilConsumers(
      url,
      ids.map((id) => `${prefix}.agent.${id}`),
    );
    log(`  every agent queue has its consumer ${round((performance.now() - setup) / 1000)} s after online`);
    if (ids.some((id) => agentsView.get(id).configRevision !== 0))
      throw new Error('agents already configured');
    // Fresh agents run revision 0; the bulk gives each its revision 1. Applied = the agent reports it.
    target = 1;
    const started = performance.now();
    await call('bulkApply', {
      target: { agentIds: ids },
      action: { kind: 'patch', patch: { bench: Date.now() } },
    });
    const acceptedMs = performance.now() - started;
    await until(() => appliedAt.size >= ids.length, 120_000, 'every agent applied', 20);
    const latencies = ids.map((id) => appliedAt.get(id) - started);
    // Where the time goes, from the hub's own ledger (hub clock, ms since epoch): queued → delivered
    // is the hub's outbox and publish until RabbitMQ confirmed the message into the agent's queue;
    // delivered → applied is the broker handing it to the agent, the agent applying it and its report
    // travelling back through RabbitMQ to the hub. Sampled: one ledger read per agent for 200 agents.
    const startedEpoch = Date.now() - (performance.now() - started);
    const split = { confirmed: [], reported: [], queued: [] };
    for (const id of ids.slice(0, 200)) {
      const detail = await call('getAgentConfig', { agentId: id });
      const entry = detail.ledger.find((e) => e.revision === 1);
      if (!entry?.deliveredAt || !entry.appliedAt) continue;
      split.queued.push(entry.queuedAt - startedEpoch);
      split.confirmed.push(entry.deliveredAt - startedEpoch);
      split.reported.push(entry.appliedAt - entry.deliveredAt);
    }
    return {
      split: {
        sampled: split.confirmed.length,
        'queued p99 ms': percentile(split.queued, 99),
        'confirmed p50 ms': percentile(split.confirmed, 50),
        'confirmed p99 ms': percentile(split.confirmed, 99),
        'confirm → applied p50 ms': percentile(split.reported, 50),
        'confirm → applied p99 ms': percentile(split.reported, 99),
      },
      acceptedMs,
      agents: ids.length,
      first: Math.min(...latencies),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
    };
  } finally {
    ws.close();
    await sim.stop();
    await hub.stop();
  }
}

export async function brokerThroughput({ events = 50_000, agents = 1000, log = console.log }) {
  return withBroker(async (url) => {
    // The fan-out runs first, on a quiet broker: after the consumption floods (2 × `events` persistent
    // messages) RabbitMQ keeps a core busy for a while tidying its message store, which more than
    // doubled the fan-out's confirm times when it ran last.
    log(`  configuration fan-out to ${agents} agents over RabbitMQ…`);
    const fan = await fanOut(url, agents, log);
    log(`  bare amqplib consumer, ${events} queued events, prefetch ${PREFETCH}…`);
    const bare = await bareConsumer(url, events);
    log(`  hub consumer, same events…`);
    const hub = await hubConsumer(url, events);
    return {
      consume: [
        {
          consumer: 'bare amqplib',
          events,
          ms: round(bare.ms),
          'events/s': round(bare.rate),
          'ratio %': 100,
        },
        {
          consumer: 'hub',
          events,
          ms: round(hub.ms),
          'events/s': round(hub.rate),
          'ratio %': round((hub.rate / bare.rate) * 100),
        },
      ],
      fanOut: [
        {
          agents: fan.agents,
          'accepted ms': round(fan.acceptedMs),
          'first ms': round(fan.first),
          'p50 ms': round(fan.p50),
          'p99 ms': round(fan.p99),
          'max ms': round(fan.max),
          'limit p99 ms': 2000,
        },
      ],
      fanOutSplit: [Object.fromEntries(Object.entries(fan.split).map(([k, v]) => [k, round(v)]))],
    };
  });
}
