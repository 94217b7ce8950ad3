/**
 * Alerting in a real hub with simulated agents over the WebSocket gateway. Durations are short here
 * (real time); the exact boundaries (fires at 30 s, not 29 s) are checked with a manual clock in
 * test/unit/alerts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AlertRuleInput,
  AlertView,
  RequestChannel,
  RequestInput,
  RequestOutput,
} from '../../src-shared';
import { hello, metrics } from '../helpers/messages';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';

let t: TestHub;
beforeEach(async () => {
  t = await startTestHub();
  // Start from no rules: the defaults (30 s and more) would only add noise to these short tests.
  for (const rule of (await request('getAlertSettings', undefined)).rules)
    await request('deleteAlertRule', { id: rule.id });
});
afterEach(async () => {
  await t.close();
});

const request = <K extends RequestChannel>(channel: K, input: RequestInput<K>) =>
  t.hub.console.request(channel, input) as Promise<RequestOutput<K>>;
const addRule = (rule: AlertRuleInput) => request('saveAlertRule', { channels: ['desktop'], ...rule });
const alerts = (): Promise<AlertView[]> => request('listAlerts', { state: 'all', limit: 100 });

/** Credentials the hub issued, per hub and agent id: a reconnecting agent uses its own. */
const credentials = new Map<string, string>();

async function connect(agentId = 'agent-1', host = 'srv-01') {
  const key = `${t.url} ${agentId}`;
  const agent = rawAgent(t.url, { token: credentials.get(key) });
  await agent.opened;
  agent.send(hello({ agentId, hostname: host }));
  await waitFor(() => agent.received.find((m) => m.type === 'welcome'), 3000, 'welcome');
  const enrolled = agent.received.find((m) => m.type === 'enrolled');
  if (enrolled) credentials.set(key, enrolled.credential as string);
  return agent;
}

async function disconnect(agent: Awaited<ReturnType<typeof connect>>, agentId = 'agent-1') {
  agent.ws.close(1000);
  await agent.closed;
  await waitFor(
    async () => (await t.snapshot()).agents.find((a) => a.agentId === agentId)?.presence === 'offline',
    3000,
    'offline',
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cpu alert (live, forSec 2 s; the exact 30 s boundary is in the fake-clock unit test)', () => {
  it('cpu 95 % for the duration fires once; 20 % resolves it', async () => {
    await addRule({
      name: 'CPU hot',
      kind: 'cpu',
      threshold: 90,
      forSec: 2,
      hysteresis: 5,
      severity: 'critical',
    });
    const agent = await connect();
    const send = (percent: number) => agent.send(metrics({ cpu: { percent, cores: 4, load: [1, 1, 1] } }));

    let timer = setInterval(() => send(95), 200);
    try {
      const fired = await waitFor(
        () => t.notifications.find((n) => n.event === 'alert.fired'),
        8000,
        'cpu alert fired',
      );
      expect(fired.alert).toMatchObject({
        kind: 'cpu',
        subject: { kind: 'server', id: 'srv-01' },
        value: 95,
        state: 'firing',
      });
      expect(fired.alert.firedAt - fired.alert.startedAt).toBeGreaterThanOrEqual(2000);
      // Delivered to consoles through the delta stream and the snapshot, and counted in the status.
      await waitFor(
        () => t.deltas.some((d) => d.alerts.some((a) => a.id === fired.alert.id)),
        2000,
        'alert delta',
      );
      expect((await t.snapshot()).alerts.map((a) => a.id)).toEqual([fired.alert.id]);
      expect(t.hub.status().alerts).toMatchObject({ active: 1, critical: 1 });

      clearInterval(timer);
      timer = setInterval(() => send(20), 200);
      const resolved = await waitFor(
        () => t.notifications.find((n) => n.event === 'alert.resolved'),
        8000,
        'cpu alert resolved',
      );
      expect(resolved.alert).toMatchObject({ id: fired.alert.id, state: 'resolved' });
      expect(resolved.alert.timeline.some((e) => e.type === 'resolved')).toBe(true);
      expect(await alerts()).toHaveLength(1);
      expect(t.hub.status().alerts.active).toBe(0);
    } finally {
      clearInterval(timer);
      agent.ws.close();
    }
  });
});

describe('agent offline alert (grace 2 s)', () => {
  it('a disconnect shorter than the grace raises nothing', async () => {
    await addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 2 });
    const first = await connect();
    await disconnect(first);
    await sleep(500);
    const again = await connect();
    // Wait past the end of the grace period the disconnect would have had.
    await sleep(2500);
    expect(await alerts()).toEqual([]);
    expect(t.notifications).toEqual([]);
    again.ws.close();
  });

  it('a longer one raises exactly one alert and one notification; the resolution is recorded after reconnect', async () => {
    await addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 2, severity: 'critical' });
    const first = await connect();
    await disconnect(first);
    const fired = await waitFor(() => t.notifications[0], 6000, 'offline notification');
    expect(fired).toMatchObject({
      event: 'alert.fired',
      alert: { kind: 'agent_offline', subject: { id: 'agent-1' } },
    });
    expect(fired.alert.firedAt - fired.alert.startedAt).toBeGreaterThanOrEqual(2000);
    await sleep(1000);
    expect(await alerts()).toHaveLength(1);
    expect(t.notifications).toHaveLength(1);

    const again = await connect();
    const [resolved] = await waitFor(
      async () => {
        const list = await alerts();
        return list[0]?.state === 'resolved' && list;
      },
      3000,
      'resolution',
    );
    expect(resolved?.id).toBe(fired.alert.id);
    expect(resolved?.timeline.find((e) => e.type === 'resolved')?.detail).toBe('back online');
    expect(t.notifications.map((n) => n.event)).toEqual(['alert.fired', 'alert.resolved']);
    again.ws.close();
  });
});
