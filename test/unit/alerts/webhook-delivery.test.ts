/** Webhook deliveries with a fake fetch and a manual clock: retry policy, delivery views, timeline. */
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookBody } from '../../../src-shared';
import { backoffMs, MAX_BACKOFF_MS } from '../../../src-main/hub/alerts/webhook';
import { waitFor } from '../../helpers/hub';
import { settle, startHarness, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

type Reply = number | 'network' | 'hang';

/** A fetch that answers from a script and records what it was sent. */
function scriptedFetch(replies: Reply[]) {
  const calls: { url: string; headers: Record<string, string>; body: WebhookBody }[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    calls.push({
      url,
      headers: init.headers as Record<string, string>,
      body: JSON.parse(init.body as string) as WebhookBody,
    });
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    if (reply === 'network')
      throw new TypeError('fetch failed', {
        cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
      });
    if (reply === 'hang')
      return new Promise<Response>((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    return new Response(null, { status: reply });
  };
  return { fetch, calls };
}

async function withWebhook(
  replies: Reply[],
  maxAttempts = 3,
  timeoutMs = 1000,
  url = 'https://user:pw@hooks.example.com/x',
  headers: Record<string, string> = { Authorization: 'Bearer s3cret' },
) {
  const scripted = scriptedFetch(replies);
  h = await startHarness({ fetch: scripted.fetch, webhook: { retryBaseMs: 100, maxAttempts, timeoutMs } });
  const channel = await h.request('saveChannel', {
    kind: 'webhook',
    name: 'Ops',
    url,
    headers,
  });
  await h.addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 0, channels: [channel.id] });
  h.online('a1');
  h.offline('a1');
  h.advance(0);
  await settle();
  return { ...scripted, channel };
}

const deliveries = () => h.request('listDeliveries', { limit: 100 });

describe('webhook deliveries', () => {
  it('POSTs the WebhookBody with the channel headers and marks it delivered', async () => {
    const { calls, channel } = await withWebhook([204]);
    expect(calls).toHaveLength(1);
    const [alert] = await h.alerts();
    expect(calls[0]?.headers).toMatchObject({
      authorization: 'Bearer s3cret',
      'content-type': 'application/json',
    });
    expect(calls[0]?.body).toMatchObject({
      version: 1,
      event: 'alert.fired',
      console: 'test-console',
      alert: { id: alert?.id },
    });
    expect(new Date(calls[0]?.body.sentAt ?? '').getTime()).toBe(h.now());
    expect(await deliveries()).toMatchObject([
      {
        alertId: alert?.id,
        channelId: channel.id,
        channelName: 'Ops',
        event: 'alert.fired',
        state: 'delivered',
        attempts: 1,
        lastStatus: 204,
      },
    ]);
    expect(alert?.timeline.at(-1)).toMatchObject({
      type: 'notified',
      detail: expect.stringContaining('Ops'),
    });
    const view = (await h.request('getAlertSettings', undefined)).channels.find((c) => c.id === channel.id);
    expect(view?.lastDelivery).toMatchObject({ state: 'delivered' });
  });

  it('sends URL credentials as Basic authorization (fetch refuses them in the URL)', async () => {
    const { calls } = await withWebhook([200], 3, 1000, 'https://user:p%40ss@hooks.example.com/x?k=1', {});
    expect(calls[0]?.url).toBe('https://hooks.example.com/x?k=1');
    expect(calls[0]?.headers.authorization).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  it('retries 5xx with exponential backoff, then delivers', async () => {
    const { calls } = await withWebhook([500, 503, 200]);
    expect(await deliveries()).toMatchObject([
      { state: 'retrying', attempts: 1, lastStatus: 500, nextAttemptAt: h.now() + 75 },
    ]);
    h.advance(74);
    await settle();
    expect(calls).toHaveLength(1);
    h.advance(1);
    await settle();
    expect(calls).toHaveLength(2);
    // Second retry: base · 2 with the same jitter = 150 ms.
    expect(await deliveries()).toMatchObject([
      { state: 'retrying', attempts: 2, lastStatus: 503, nextAttemptAt: h.now() + 150 },
    ]);
    h.advance(150);
    await settle();
    expect(await deliveries()).toMatchObject([{ state: 'delivered', attempts: 3, lastStatus: 200 }]);
    expect(h.alerting.counters().failedDeliveries).toBe(0);
  });

  it('gives up after max attempts: notify_failed on the timeline and counted', async () => {
    await withWebhook(['network'], 3);
    h.advance(10_000);
    await settle();
    h.advance(10_000);
    await settle();
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ state: 'failed', attempts: 3 });
    expect(delivery?.lastError).toContain('ECONNREFUSED');
    const [alert] = await h.alerts();
    const failed = alert?.timeline.find((e) => e.type === 'notify_failed');
    expect(failed?.detail).toContain('3 attempts');
    expect(h.alerting.counters().failedDeliveries).toBe(1);
    expect(h.log.text()).not.toContain('s3cret');
    expect(h.log.text()).not.toContain(':pw@');
  });

  it('a 4xx other than 408/429 gives up at once', async () => {
    const { calls } = await withWebhook([401]);
    h.advance(60_000);
    await settle();
    expect(calls).toHaveLength(1);
    expect(await deliveries()).toMatchObject([{ state: 'failed', attempts: 1, lastStatus: 401 }]);
    expect(h.alerting.counters().failedDeliveries).toBe(1);
  });

  it.each([408, 429])('%d is retried', async (status) => {
    const { calls } = await withWebhook([status, 200]);
    h.advance(1000);
    await settle();
    expect(calls).toHaveLength(2);
    expect(await deliveries()).toMatchObject([{ state: 'delivered', attempts: 2 }]);
  });

  it('a receiver that does not answer within the timeout is retried', async () => {
    // The request timeout runs on real time (AbortSignal.timeout); 100 ms is the smallest setting.
    const { calls } = await withWebhook(['hang', 200], 3, 100);
    await waitFor(async () => (await deliveries())[0]?.state === 'retrying', 5000, 'timeout');
    expect((await deliveries())[0]).toMatchObject({ attempts: 1, lastError: 'timed out after 100 ms' });
    h.advance(1000);
    await settle();
    expect(calls).toHaveLength(2);
    expect(await deliveries()).toMatchObject([{ state: 'delivered', attempts: 2 }]);
  });

  it('stop() cancels pending retries', async () => {
    const { calls } = await withWebhook([500]);
    await h.alerting.stop();
    h.advance(60_000);
    await settle();
    expect(calls).toHaveLength(1);
    expect(h.pendingTimers()).toBe(0);
  });

  it('resolution goes to the same channel; a deleted channel cancels its pending retry', async () => {
    const { calls, channel } = await withWebhook([500]);
    await h.request('deleteChannel', { id: channel.id });
    h.advance(1000);
    await settle();
    expect(calls).toHaveLength(1);
    const [alert] = await h.alerts();
    expect(alert?.timeline.at(-1)).toMatchObject({
      type: 'cancelled',
      detail: expect.stringContaining('channel deleted'),
    });
    expect(h.alerting.counters().failedDeliveries).toBe(0);
  });

  it('testChannel sends event "test" with alert null and returns the first attempt', async () => {
    const scripted = scriptedFetch([200]);
    h = await startHarness({ fetch: scripted.fetch });
    const channel = await h.request('saveChannel', {
      kind: 'webhook',
      name: 'Ops',
      url: 'http://127.0.0.1:9/x',
      enabled: false,
    });
    const delivery = await h.request('testChannel', { id: channel.id });
    expect(delivery).toMatchObject({ event: 'test', state: 'delivered', attempts: 1, alertId: '' });
    expect(scripted.calls[0]?.body).toMatchObject({ version: 1, event: 'test', alert: null });
    await expect(h.request('testChannel', { id: 'nope' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('testChannel on a desktop channel pushes a notification', async () => {
    h = await startHarness();
    const delivery = await h.request('testChannel', { id: 'desktop' });
    expect(delivery).toMatchObject({ event: 'test', state: 'delivered', channelId: 'desktop' });
    expect(h.notifications).toHaveLength(1);
    expect(h.notifications[0]?.alert.id).toMatch(/^test-/);
  });
});

describe('backoffMs', () => {
  it('doubles from the base with jitter between half and all of it, capped, honouring Retry-After', () => {
    expect(backoffMs(1, 100, () => 0)).toBe(50);
    expect(backoffMs(1, 100, () => 0.999999)).toBe(100);
    expect(backoffMs(3, 100, () => 0)).toBe(200);
    expect(backoffMs(30, 100, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(1, 100, () => 0, 5000)).toBe(5000);
  });
});
