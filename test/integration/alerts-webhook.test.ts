/**
 * Webhook notifications from a real hub to a local HTTP receiver: the JSON body, retries on 500,
 * notify_failed after the last attempt, delivered after a later 200. Retry base 50 ms, 3 attempts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MASKED_SECRET,
  type AlertView,
  type DeliveryView,
  type RequestChannel,
  type RequestInput,
  type RequestOutput,
  type WebhookBody,
} from '../../src-shared';
import { hello } from '../helpers/messages';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';

interface Received {
  headers: IncomingHttpHeaders;
  body: WebhookBody;
  /** What listDeliveries showed while this request was being handled. */
  deliveriesMeanwhile: DeliveryView[];
}

let t: TestHub;
let server: Server;
let received: Received[];
/** Status to answer for the n-th request (0-based); the last one repeats. */
let statuses: number[];

const request = <K extends RequestChannel>(channel: K, input: RequestInput<K>) =>
  t.hub.console.request(channel, input) as Promise<RequestOutput<K>>;

beforeEach(async () => {
  t = await startTestHub({ CENTRALIZER_WEBHOOK_RETRY_BASE_MS: '50', CENTRALIZER_WEBHOOK_MAX_ATTEMPTS: '3' });
  for (const rule of (await request('getAlertSettings', undefined)).rules)
    await request('deleteAlertRule', { id: rule.id });
  received = [];
  statuses = [200];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void request('listDeliveries', { limit: 10 }).then((deliveriesMeanwhile) => {
        received.push({
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody,
          deliveriesMeanwhile,
        });
        res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  await t.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A webhook channel on an agent_offline rule with no grace, then an agent that goes away. */
async function alertThroughWebhook(): Promise<{
  channelId: string;
  alert: () => Promise<AlertView | undefined>;
}> {
  const { port } = server.address() as AddressInfo;
  const channel = await request('saveChannel', {
    kind: 'webhook',
    name: 'Local receiver',
    url: `http://127.0.0.1:${port}/hook`,
    headers: { Authorization: 'Bearer s3cret-token' },
  });
  expect(channel.kind === 'webhook' && channel.headers).toEqual({ Authorization: MASKED_SECRET });
  await request('saveAlertRule', {
    name: 'Agent down',
    kind: 'agent_offline',
    forSec: 0,
    channels: [channel.id],
  });
  const agent = rawAgent(t.url);
  await agent.opened;
  agent.send(hello({ agentId: 'agent-1', hostname: 'srv-01' }));
  await waitFor(() => agent.received.find((m) => m.type === 'welcome'), 3000, 'welcome');
  agent.ws.close(1000);
  return {
    channelId: channel.id,
    alert: async () => (await request('listAlerts', { state: 'all', limit: 10 }))[0],
  };
}

const lastDelivery = async () => (await request('listDeliveries', { limit: 10 }))[0];

describe('webhook channel', () => {
  it('POSTs the alert as JSON with the configured headers', async () => {
    const { channelId, alert } = await alertThroughWebhook();
    await waitFor(async () => (await lastDelivery())?.state === 'delivered', 5000, 'delivery');
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit?.headers['content-type']).toBe('application/json');
    expect(hit?.headers.authorization).toBe('Bearer s3cret-token');
    const firing = await alert();
    expect(hit?.body).toMatchObject({
      version: 1,
      event: 'alert.fired',
      console: expect.any(String),
      alert: {
        id: firing?.id,
        kind: 'agent_offline',
        ruleName: 'Agent down',
        subject: { kind: 'agent', id: 'agent-1' },
        state: 'firing',
        muted: false,
      },
    });
    expect(Number.isNaN(Date.parse(hit?.body.sentAt ?? ''))).toBe(false);
    expect(await lastDelivery()).toMatchObject({
      channelId,
      event: 'alert.fired',
      attempts: 1,
      lastStatus: 200,
    });
    expect(
      (await alert())?.timeline.some((e) => e.type === 'notified' && e.detail?.includes('Local receiver')),
    ).toBe(true);
    const settings = await request('getAlertSettings', undefined);
    expect(settings.channels.find((c) => c.id === channelId)).toMatchObject({
      headers: { Authorization: MASKED_SECRET },
      lastDelivery: { state: 'delivered' },
    });
  });

  it('a 500 is retried; after max attempts the delivery fails and the timeline shows notify_failed', async () => {
    statuses = [500];
    const { alert } = await alertThroughWebhook();
    const failed = await waitFor(
      async () => {
        const d = await lastDelivery();
        return d?.state === 'failed' && d;
      },
      8000,
      'failed delivery',
    );
    expect(failed).toMatchObject({ attempts: 3, lastStatus: 500, event: 'alert.fired' });
    expect(received).toHaveLength(3);
    // While the second attempt was in flight, the delivery showed the first failure and the retry.
    expect(received[1]?.deliveriesMeanwhile[0]).toMatchObject({
      state: 'retrying',
      attempts: 2,
      lastStatus: 500,
    });
    const timeline = (await alert())?.timeline ?? [];
    expect(timeline.find((e) => e.type === 'notify_failed')?.detail).toContain('HTTP 500');
    expect(t.hub.status().alerts.failedDeliveries).toBe(1);
  });

  it('a 500 then a 200 marks the delivery delivered', async () => {
    statuses = [500, 200];
    const { alert } = await alertThroughWebhook();
    const delivered = await waitFor(
      async () => {
        const d = await lastDelivery();
        return d?.state === 'delivered' && d;
      },
      8000,
      'delivered',
    );
    expect(delivered).toMatchObject({ attempts: 2, lastStatus: 200 });
    expect(received).toHaveLength(2);
    expect((await alert())?.timeline.some((e) => e.type === 'notify_failed')).toBe(false);
    expect(t.hub.status().alerts.failedDeliveries).toBe(0);
  });

  it('testChannel sends event "test" with alert null', async () => {
    const { port } = server.address() as AddressInfo;
    const channel = await request('saveChannel', {
      kind: 'webhook',
      name: 'Receiver',
      url: `http://127.0.0.1:${port}/t`,
    });
    const delivery = await request('testChannel', { id: channel.id });
    expect(delivery).toMatchObject({ event: 'test', state: 'delivered', attempts: 1, lastStatus: 200 });
    expect(received[0]?.body).toMatchObject({ version: 1, event: 'test', alert: null });
  });
});
