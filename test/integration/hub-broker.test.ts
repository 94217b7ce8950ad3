/**
 * The hub with a real RabbitMQ broker, through the console API a person's UI uses: broker problems
 * in words, job events (idempotent), malformed events dead-lettered, configs surviving an app restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerStatus, JobEvent } from '../../src-shared';
import { topologyNames } from '../../src-main/hub/broker/topology';
import { createLogger } from '../../src-main/hub/logger';
import { drainQueue, publishRaw } from '../helpers/amqp';
import { ensureBroker } from '../helpers/broker';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub';

let url: string;
let port: number;
const PREFIX = `hubtest-${process.pid}`;
const names = topologyNames(PREFIX);
const brokerEnv = (overrides: Record<string, string> = {}) => ({
  RABBITMQ_URL: url,
  CENTRALIZER_TOPOLOGY_PREFIX: PREFIX,
  CENTRALIZER_BROKER_RETRY_MAX_SEC: '1',
  ...overrides,
});
const withUrl = (edit: (u: URL) => void): string => {
  const u = new URL(url);
  edit(u);
  return u.toString();
};
const brokerOf = async (t: TestHub): Promise<BrokerStatus> => (await t.snapshot()).status.broker;

beforeAll(async () => {
  url = await ensureBroker();
  port = Number(new URL(url).port);
});

describe('broker problems are told in words, without a crash', () => {
  const cases = [
    ['a wrong password', () => withUrl((u) => (u.password = 'definitely-wrong')), 'auth_failed'],
    ['a missing vhost', () => withUrl((u) => (u.pathname = '/no-such-vhost')), 'vhost_missing'],
    ['an unreachable host', () => `amqp://guest:guest@127.0.0.1:1`, 'unreachable'],
  ] as const;

  const seen: string[] = [];
  it.each(cases)('%s', async (_name, brokerUrl, reason) => {
    const lines: string[] = [];
    const t = await startTestHub(brokerEnv({ RABBITMQ_URL: brokerUrl() }), {
      logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
    });
    try {
      const status = await waitFor(
        async () => {
          const b = await brokerOf(t);
          return b.state === 'disconnected' && b.reason === reason ? b : undefined;
        },
        15_000,
        reason,
      );
      expect(status.reasonText?.length).toBeGreaterThan(10);
      expect(seen).not.toContain(status.reasonText);
      seen.push(status.reasonText as string);
      expect(lines.join('\n')).toContain(status.reasonText as string);
      expect(lines.join('\n')).not.toContain('definitely-wrong');
      // The rest of the hub works without a broker.
      expect(t.hub.status().gateway.state).toBe('listening');
    } finally {
      await t.close();
    }
  });
});

describe('job events', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(brokerEnv());
    await waitFor(async () => (await brokerOf(t)).state === 'connected', 15_000, 'connected');
  });
  afterAll(() => t.close());

  const event = (o: Partial<JobEvent>): JobEvent => ({
    type: 'job',
    eventId: `evt-${Math.random().toString(36).slice(2)}`,
    event: 'started',
    agentId: 'jobs-agent',
    jobId: 'nightly-1',
    name: 'nightly backup',
    ts: Date.now(),
    ...o,
  });

  it('shows a job running, then finished with its exit code; a duplicate is counted once', async () => {
    const started = event({ event: 'started' });
    await publishRaw(url, names.eventsExchange, 'agent.jobs-agent.job', started);
    await waitFor(
      () => t.deltas.find((d) => d.jobs.some((j) => j.jobId === 'nightly-1' && j.state === 'running')),
      5000,
      'running',
    );
    await publishRaw(url, names.eventsExchange, 'agent.jobs-agent.job', started); // redelivery / publisher retry
    await publishRaw(
      url,
      names.eventsExchange,
      'agent.jobs-agent.job',
      event({ event: 'finished', exitCode: 0, ts: started.ts + 1500 }),
    );
    const job = await waitFor(
      async () => (await t.snapshot()).jobs.find((j) => j.jobId === 'nightly-1' && j.state === 'succeeded'),
      5000,
      'finished',
    );
    expect(job).toMatchObject({ exitCode: 0, durationMs: 1500, agentId: 'jobs-agent' });
    const stats = (await t.snapshot()).status.jobs;
    expect(stats).toMatchObject({ eventsProcessed: 2, duplicates: 1, running: 0 });
  });

  it('consumes a burst of job events, each counted once (prints the rate)', async () => {
    const amqp = (await import('amqplib')).default;
    const conn = await amqp.connect(url);
    const channel = await conn.createConfirmChannel();
    const before = (await t.snapshot()).status.jobs.eventsProcessed;
    const count = 5000;
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      const e = event({
        jobId: `burst-${i % 500}`,
        event: i < 500 ? 'started' : 'progress',
        progress: (i / count) * 100,
        ts: started + i,
      });
      channel.publish(names.eventsExchange, 'agent.jobs-agent.job', Buffer.from(JSON.stringify(e)), {
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    const published = Date.now();
    await waitFor(
      async () => (await t.snapshot()).status.jobs.eventsProcessed - before >= count,
      30_000,
      'burst consumed',
    );
    const done = Date.now();
    console.log(
      `[hub-broker] ${count} job events: published+confirmed in ${published - started} ms, consumed by the hub ${done - started} ms after the first publish (${Math.round((count / (done - started)) * 1000)} events/s end to end, prefetch 200; the hub kept pace with the publisher, on the same 2-core machine as the broker)`,
    );
    expect((await t.snapshot()).status.jobs.eventsProcessed - before).toBe(count);
    await conn.close();
  });

  it('dead-letters a malformed event, counts it, and keeps consuming', async () => {
    await publishRaw(url, names.eventsExchange, 'agent.jobs-agent.job', Buffer.from('{ not json'));
    await publishRaw(url, names.eventsExchange, 'agent.jobs-agent.job', { type: 'job', eventId: 'x' });
    await waitFor(async () => (await t.snapshot()).status.jobs.deadLettered >= 2, 5000, 'dead letters');
    await publishRaw(
      url,
      names.eventsExchange,
      'agent.jobs-agent.job',
      event({ jobId: 'after-garbage', event: 'failed', exitCode: 2, message: 'disk full' }),
    );
    const job = await waitFor(
      async () => (await t.snapshot()).jobs.find((j) => j.jobId === 'after-garbage'),
      5000,
      'next job',
    );
    expect(job).toMatchObject({ state: 'failed', exitCode: 2, message: 'disk full' });
    const dead = await drainQueue(url, names.deadLetterQueue, (raw) => raw);
    expect(dead).toEqual(expect.arrayContaining(['{ not json', '{"type":"job","eventId":"x"}']));
  });
});

describe('configuration outbox', () => {
  it('keeps configs queued while the broker is unreachable, across an app restart, and delivers them', async () => {
    const down = await startTestHub(
      brokerEnv({ RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port === 1 ? 2 : 1}` }),
      { keepDataDir: true },
    );
    const dataDir = down.dataDir;
    const sent = await down.hub.console.request('sendConfig', {
      agentId: 'outbox-agent',
      config: { interval: 30 },
    });
    expect(sent).toMatchObject({ agentId: 'outbox-agent', revision: 1 });
    expect((await down.snapshot()).status.configOutbox).toBe(1);
    await down.close(); // the app stops with the config still in its outbox

    const up = await startTestHub(brokerEnv(), { dataDir });
    try {
      await waitFor(async () => (await up.snapshot()).status.configOutbox === 0, 15_000, 'outbox flushed');
      const delivered = await drainQueue(url, names.agentQueue('outbox-agent'));
      expect(delivered).toEqual([
        expect.objectContaining({
          type: 'config',
          agentId: 'outbox-agent',
          revision: 1,
          config: { interval: 30 },
        }),
      ]);
    } finally {
      await up.close();
    }
  });
});
