/**
 * The acceptance rule in real time: CPU > 90 % for 30 s, on a simulated agent reporting 95 % once a
 * second, then 20 %. Slow on purpose (about 65 s, mostly waiting) and in its own file so it runs in
 * parallel with the rest of the suite; the other alert tests use short durations.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlertRule, AlertView } from '../../src-shared';
import { hello, metrics } from '../helpers/messages';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.close();
});

it('CPU > 90 % for 30 s fires after 30 s of 95 %, not before, and resolves once CPU drops', async () => {
  const settings = (await t.hub.console.request('getAlertSettings', undefined)) as {
    rules: AlertRule[];
  };
  for (const rule of settings.rules) await t.hub.console.request('deleteAlertRule', { id: rule.id });
  await t.hub.console.request('saveAlertRule', {
    name: 'CPU above 90 % for 30 s',
    kind: 'cpu',
    threshold: 90,
    forSec: 30,
    channels: ['desktop'],
  });
  const agent = rawAgent(t.url);
  await agent.opened;
  agent.send(hello({ agentId: 'hot-1', hostname: 'hot-server' }));
  await waitFor(() => agent.received.find((m) => m.type === 'welcome'), 3000, 'welcome');
  let percent = 95;
  const send = () => agent.send(metrics({ cpu: { percent, cores: 4, load: [3, 3, 3] } }));
  send();
  const startedAt = Date.now();
  const timer = setInterval(send, 1000);
  try {
    await new Promise((r) => setTimeout(r, 25_000));
    // 25 s of 95 %: pending, nothing raised.
    expect(t.notifications).toHaveLength(0);
    expect(t.hub.status().alerts.active).toBe(0);

    const fired = await waitFor(
      () => t.notifications.find((n) => n.event === 'alert.fired'),
      15_000,
      'cpu alert fired',
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(30_000);
    expect(fired.alert).toMatchObject({ kind: 'cpu', value: 95, subject: { id: 'hot-server' } });
    expect(fired.alert.firedAt - fired.alert.startedAt).toBeGreaterThanOrEqual(30_000);

    percent = 20;
    const resolved = await waitFor(
      () => t.notifications.find((n) => n.event === 'alert.resolved'),
      45_000,
      'cpu alert resolved',
    );
    expect(resolved.alert).toMatchObject({ id: fired.alert.id, state: 'resolved' });
    // Exactly one alert, with its whole story on the timeline.
    const all = (await t.hub.console.request('listAlerts', { state: 'all', limit: 10 })) as AlertView[];
    expect(all).toHaveLength(1);
    expect(all[0]?.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['fired', 'resolved']));
    expect(t.notifications.map((n) => n.event)).toEqual(['alert.fired', 'alert.resolved']);
  } finally {
    clearInterval(timer);
    agent.ws.close();
  }
}, 120_000);
