/**
 * Outages on a private broker (never the shared RABBITMQ_URL one): SIGKILL the node, restart it, and
 * check that BrokerConnection notices, reconnects by itself and re-runs its setup hooks; then trigger a
 * memory alarm and check that the publish connection is reported blocked while consuming goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBrokerSettings } from '../../src-main/hub/broker/broker-settings';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigPublisher } from '../../src-main/hub/broker/config-publisher';
import { BrokerConnection, type BrokerStatus } from '../../src-main/hub/broker/connection-manager';
import { topologyNames } from '../../src-main/hub/broker/topology';
import { ConfigOutbox } from '../../src-main/hub/configs/config-outbox';
import { createLogger } from '../../src-main/hub/logger';
import { ownBroker, waitForStatus, type OwnedBroker } from '../helpers/broker';

let broker: OwnedBroker;
let conn: BrokerConnection;
const statuses: BrokerStatus[] = [];
let setupRuns = 0;
let outbox: ConfigOutbox;
let publisher: ConfigPublisher;
const dataDir = mkdtempSync(join(tmpdir(), 'ac-outbox-'));
const names = topologyNames('outage');
const QUEUE = 'ac-test.outage.probe';

beforeAll(async () => {
  broker = await ownBroker();
  console.log(`[broker-outage] private broker started in ${(broker.startMs / 1000).toFixed(1)} s`);
  const settings = resolveBrokerSettings({ RABBITMQ_URL: broker.url });
  if (settings.kind !== 'ok') throw new Error('bad URL');
  const logLines: string[] = [];
  conn = new BrokerConnection(settings, {
    // Short cap so the test does not wait out a 30 s backoff; the production default is 0.5 s → 30 s.
    backoff: { initialMs: 250, maxMs: 1_000 },
    logger: createLogger({ level: 'debug', write: (line) => logLines.push(line) }),
  });
  conn.onStatus((s) => statuses.push(s));
  conn.onReady('probe-queue', async (session) => {
    const ch = await session.consumeChannel('probe');
    await ch.assertQueue(QUEUE, { durable: true });
    setupRuns++;
  });
  outbox = new ConfigOutbox(dataDir);
  publisher = new ConfigPublisher(conn, outbox, { names, retryMs: 200 });
  publisher.start();
  conn.start();
  await waitForStatus(conn, (s) => s.state === 'connected');
});

afterAll(async () => {
  publisher?.stop();
  await conn?.stop();
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('broker outage', () => {
  it('SIGKILL → disconnected (connection_lost); restart → reconnects by itself and re-runs setup', async () => {
    expect(setupRuns).toBe(1);
    const killedAt = Date.now();
    const lost = waitForStatus(conn, (s) => s.state === 'disconnected', 10_000);
    await broker.kill();
    const down = await lost;
    const detectMs = Date.now() - killedAt;
    expect(down.reason).toBe('connection_lost');
    expect(down.reasonText).toMatch(/Lost the connection/);

    // While the node is down, attempts fail as "unreachable" and keep counting.
    const retrying = await waitForStatus(conn, (s) => s.state === 'disconnected' && s.attempts >= 2, 10_000);
    expect(retrying.reason).toBe('unreachable');
    expect(retrying.since).toBe(down.since);

    // A configuration change made during the outage waits in the outbox…
    outbox.enqueue('agent-during-outage', 1, { interval: 5 });
    await new Promise((r) => setTimeout(r, 300));
    expect(outbox.size).toBe(1);

    const restartAt = Date.now();
    const { startMs } = await broker.restart();
    const brokerUpAt = Date.now();
    const up = await waitForStatus(conn, (s) => s.state === 'connected', 15_000);
    const reconnectMs = Date.now() - brokerUpAt;
    expect(up.attempts).toBe(0);
    expect(setupRuns).toBe(2);
    // …and is delivered, persistent, once the broker is back.
    await expect.poll(() => outbox.size, { timeout: 5_000 }).toBe(0);
    console.log(
      `[broker-outage] loss detected in ${detectMs} ms; broker restart ${(startMs / 1000).toFixed(1)} s; ` +
        `reconnected ${reconnectMs} ms after the broker accepted AMQP again ` +
        `(${((Date.now() - restartAt) / 1000).toFixed(1)} s after restart began, ` +
        `${((Date.now() - killedAt) / 1000).toFixed(1)} s total outage)`,
    );

    // The re-run setup declared the durable queue on the restarted node; the session works.
    const ch = await conn.currentSession()!.consumeChannel('check');
    await expect(ch.checkQueue(QUEUE)).resolves.toMatchObject({ queue: QUEUE });
    await expect(ch.checkQueue(names.agentQueue('agent-during-outage'))).resolves.toMatchObject({
      messageCount: 1,
    });
    await ch.close();
  }, 60_000);

  it('memory alarm → publish connection blocked, consume connection still works; alarm cleared → connected', async () => {
    const session = conn.currentSession()!;
    const pub = await session.publishChannel('alarm-publisher');
    expect(broker.ctl('set_vm_memory_high_watermark', '0.000001').status).toBe(0);
    try {
      // RabbitMQ blocks a connection when it next publishes under an alarm.
      pub.publish('', QUEUE, Buffer.from('while alarmed'), { persistent: true });
      const blocked = await waitForStatus(conn, (s) => s.state === 'blocked', 15_000);
      expect(blocked.reason).toBe('blocked');
      expect(blocked.reasonText).toMatch(/paused publishing/);
      // Consumers are on the other connection: still able to talk to the broker.
      const ch = await session.consumeChannel('alarm-consumer');
      await expect(ch.checkQueue(QUEUE)).resolves.toBeTruthy();
      await ch.close();
    } finally {
      expect(broker.ctl('set_vm_memory_high_watermark', '0.4').status).toBe(0);
    }
    const back = await waitForStatus(conn, (s) => s.state === 'connected', 15_000);
    expect(back.reason).toBeNull();
    await pub.waitForConfirms();
    await pub.close();
  }, 60_000);
});
