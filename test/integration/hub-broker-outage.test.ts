/**
 * The broker is killed (SIGKILL, not a polite close) and restarted while the hub is publishing
 * configurations: every config confirmed before the crash is still in its agent's durable queue,
 * configs sent during the outage wait in the outbox and are delivered after the broker returns, the
 * hub reconnects by itself, and the console saw the outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topologyNames } from '../../src-main/hub/broker/topology';
import { drainQueue } from '../helpers/amqp';
import { ownBroker, type OwnedBroker } from '../helpers/broker';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub';

let broker: OwnedBroker;
let t: TestHub;
const names = topologyNames('outage-hub');

beforeAll(async () => {
  broker = await ownBroker();
  t = await startTestHub({
    RABBITMQ_URL: broker.url,
    CENTRALIZER_TOPOLOGY_PREFIX: 'outage-hub',
    CENTRALIZER_BROKER_RETRY_MAX_SEC: '1',
  });
  await waitFor(async () => (await t.snapshot()).status.broker.state === 'connected', 20_000, 'connected');
}, 120_000);

afterAll(async () => {
  await t?.close();
  await broker?.stop();
});

const send = (agentId: string, n: number) => t.hub.console.request('sendConfig', { agentId, config: { n } });
const outbox = async () => (await t.snapshot()).status.configOutbox;

describe('broker killed and restarted during a stream of configs', () => {
  it('loses no confirmed config and delivers those sent during the outage', async () => {
    const before = Array.from({ length: 20 }, (_, i) => `before-${i}`);
    for (const [i, agentId] of before.entries()) await send(agentId, i);
    await waitFor(async () => (await outbox()) === 0, 10_000, 'all confirmed');

    await broker.kill();
    await waitFor(
      () => t.deltas.some((d) => d.status?.broker.state === 'disconnected'),
      10_000,
      'outage in the console',
    );
    const outage = t.deltas.find((d) => d.status?.broker.state === 'disconnected')?.status?.broker;
    expect(outage?.reasonText).toBeTruthy();

    const during = Array.from({ length: 10 }, (_, i) => `during-${i}`);
    for (const [i, agentId] of during.entries()) await send(agentId, 100 + i);
    expect(await outbox()).toBe(10);

    const restarted = Date.now();
    await broker.restart();
    const back = Date.now();
    await waitFor(
      async () => (await t.snapshot()).status.broker.state === 'connected',
      20_000,
      'reconnected',
    );
    console.log(
      `[hub-broker-outage] broker restart took ${back - restarted} ms; hub reconnected ${Date.now() - back} ms after the broker accepted connections`,
    );
    await waitFor(async () => (await outbox()) === 0, 10_000, 'outbox flushed');

    const expected = [
      ...before.map((a, i) => [a, i] as const),
      ...during.map((a, i) => [a, 100 + i] as const),
    ];
    let delivered = 0;
    let lost = 0;
    for (const [agentId, n] of expected) {
      const msgs = await drainQueue(broker.url, names.agentQueue(agentId));
      delivered += msgs.length;
      if (!msgs.some((m) => m.config.n === n)) lost++;
    }
    console.log(
      `[hub-broker-outage] sent ${expected.length}, all confirmed (outbox empty), delivered ${delivered}, lost ${lost}`,
    );
    expect(lost).toBe(0);
  });
});
