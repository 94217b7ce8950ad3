/** agent_offline / server_offline with a manual clock: grace period, one alert, resolution, unknown at start. */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('agent offline (grace 30 s)', () => {
  async function setup() {
    h = await startHarness();
    await h.addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 30, severity: 'critical' });
    h.online('a1');
  }

  it('an offline shorter than the grace raises nothing', async () => {
    await setup();
    h.offline('a1');
    h.advance(29_000);
    h.online('a1');
    h.advance(10 * 60_000);
    expect(await h.alerts()).toEqual([]);
    expect(h.notifications).toEqual([]);
    expect(h.pendingTimers()).toBe(0);
  });

  it('a longer one raises exactly one alert at 30 s and one notification; the resolution is recorded', async () => {
    await setup();
    const wentOffline = h.now();
    h.offline('a1');
    h.advance(29_999);
    expect(await h.alerts()).toEqual([]);
    h.advance(1);
    h.advance(5 * 60_000);
    const firing = await h.alerts('firing');
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({
      kind: 'agent_offline',
      subject: { kind: 'agent', id: 'a1', name: 'Agent a1' },
      startedAt: wentOffline,
      firedAt: wentOffline + 30_000,
      severity: 'critical',
    });
    expect(firing[0]?.message).toContain('connection lost');
    expect(h.notifications).toHaveLength(1);
    expect(h.alerting.counters()).toEqual({ active: 1, critical: 1, failedDeliveries: 0 });

    h.online('a1');
    const [resolved] = await h.alerts('resolved');
    expect(resolved).toMatchObject({ id: firing[0]?.id, state: 'resolved', resolvedAt: h.now() });
    expect(resolved?.timeline.map((e) => e.type)).toEqual([
      'pending',
      'fired',
      'notified',
      'resolved',
      'notified',
    ]);
    expect(resolved?.timeline.find((e) => e.type === 'resolved')?.detail).toBe('back online');
    expect(h.notifications.map((n) => n.event)).toEqual(['alert.fired', 'alert.resolved']);
    expect(h.alerting.counters().active).toBe(0);
  });

  it('repeated offline/online cycles each start a new condition', async () => {
    await setup();
    for (let i = 0; i < 5; i++) {
      h.offline('a1');
      h.advance(10_000);
      h.online('a1');
      h.advance(10_000);
    }
    expect(await h.alerts()).toEqual([]);
    h.offline('a1');
    h.advance(30_000);
    expect(await h.alerts('firing')).toHaveLength(1);
  });
});

describe('server offline', () => {
  it('fires when the last agent of a server has been gone for the grace period', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Server down', kind: 'server_offline', forSec: 30 });
    h.online('a1', 'srv-01');
    h.online('a2', 'srv-01');
    h.offline('a1');
    h.advance(60_000);
    expect(await h.alerts()).toEqual([]);
    h.offline('a2');
    h.advance(30_000);
    const [alert] = await h.alerts('firing');
    expect(alert).toMatchObject({ kind: 'server_offline', subject: { kind: 'server', id: 'srv-01' } });
    h.online('a2', 'srv-01');
    expect((await h.alerts('resolved'))[0]?.id).toBe(alert?.id);
  });
});

describe('agents remembered but not reconnected (presence unknown at start)', () => {
  it('count as offline from hub start once the grace has passed', async () => {
    h = await startHarness({
      known: [
        { agentId: 'old', hostname: 'srv-09' },
        { agentId: 'back', hostname: 'srv-08' },
      ],
    });
    const started = h.now();
    await h.addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 30 });
    h.advance(10_000);
    h.online('back', 'srv-08');
    h.advance(19_999);
    expect(await h.alerts()).toEqual([]);
    h.advance(1);
    const alerts = await h.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      subject: { id: 'old' },
      startedAt: started,
      firedAt: started + 30_000,
    });
    expect(alerts[0]?.message).toContain('not connected since the hub started');
  });
});

describe('editing rules re-evaluates cleanly', () => {
  it('disabling or deleting a rule resolves its alerts with the reason; renaming keeps them', async () => {
    h = await startHarness();
    const rule = await h.addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 0 });
    const other = await h.addRule({ name: 'Agent down 2', kind: 'agent_offline', forSec: 0 });
    h.online('a1');
    h.offline('a1');
    h.advance(0);
    expect(await h.alerts('firing')).toHaveLength(2);

    await h.request('saveAlertRule', { ...rule, name: 'Renamed', severity: 'critical' });
    const renamed = (await h.alerts('firing')).find((a) => a.ruleId === rule.id);
    expect(renamed).toMatchObject({ ruleName: 'Renamed', severity: 'critical', state: 'firing' });

    await h.request('saveAlertRule', { ...rule, name: 'Renamed', enabled: false });
    const disabled = (await h.alerts('resolved')).find((a) => a.ruleId === rule.id);
    expect(disabled?.timeline.find((e) => e.type === 'resolved')?.detail).toContain('rule disabled');

    expect(await h.request('deleteAlertRule', { id: other.id })).toEqual({ deleted: true });
    const deleted = (await h.alerts('resolved')).find((a) => a.ruleId === other.id);
    expect(deleted?.timeline.find((e) => e.type === 'resolved')?.detail).toContain('rule deleted');
    expect(h.alerting.counters().active).toBe(0);

    // Re-enabled while the agent is still offline: the condition counts from when it went offline.
    await h.request('saveAlertRule', { ...rule, enabled: true });
    h.advance(0);
    expect(await h.alerts('firing')).toHaveLength(1);
  });

  it('narrowing the selector resolves alerts of subjects that no longer match', async () => {
    h = await startHarness();
    const rule = await h.addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 0 });
    h.online('a1', 'srv-01', { env: 'test' });
    h.offline('a1');
    h.advance(0);
    await h.request('saveAlertRule', { ...rule, selector: { env: 'prod' } });
    const [alert] = await h.alerts('resolved');
    expect(alert?.timeline.find((e) => e.type === 'resolved')?.detail).toContain('no longer matches');
    h.advance(60_000);
    expect(await h.alerts('firing')).toEqual([]);
  });
});
