/** Maintenance mutes, label selectors and job_failed rules, with a manual clock. */
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleError, type MuteTarget } from '../../../src-shared';
import { startHarness, T0, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('mutes', () => {
  async function offlineAlertWith(target: Parameters<Harness['request']>[1]) {
    h = await startHarness();
    await h.addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 0 });
    h.online('a1', 'srv-01', { env: 'prod' });
    await h.request('addMute', target as never);
    h.offline('a1');
    h.advance(0);
  }

  it.each<[string, MuteTarget]>([
    ['agent', { kind: 'agent', agentId: 'a1' }],
    ['server', { kind: 'server', serverId: 'srv-01' }],
    ['label', { kind: 'label', key: 'env', value: 'prod' }],
  ])(
    'a %s mute records the alert as muted, shown but not notified (fire nor resolve)',
    async (_name, target) => {
      await offlineAlertWith({ target, until: T0 + 3_600_000, reason: 'patching' });
      const [alert] = await h.alerts('firing');
      expect(alert).toMatchObject({ muted: true, state: 'firing' });
      expect(alert?.timeline.find((e) => e.type === 'muted')?.detail).toContain('patching');
      expect(alert?.timeline.some((e) => e.type === 'notified')).toBe(false);
      h.online('a1', 'srv-01', { env: 'prod' });
      expect(await h.alerts('resolved')).toHaveLength(1);
      expect(h.notifications).toEqual([]);
    },
  );

  it('a mute that does not cover the subject changes nothing', async () => {
    await offlineAlertWith({
      target: { kind: 'label', key: 'env', value: 'staging' },
      until: T0 + 3_600_000,
      reason: '',
    });
    expect((await h.alerts('firing'))[0]?.muted).toBe(false);
    expect(h.notifications).toHaveLength(1);
  });

  it('expired mutes are dropped and stop muting; until must be in the future', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Agent down', kind: 'agent_offline', forSec: 0 });
    h.online('a1');
    const mute = await h.request('addMute', {
      target: { kind: 'agent', agentId: 'a1' },
      until: h.now() + 60_000,
      reason: 'reboot',
    });
    expect(mute).toMatchObject({ createdBy: 'tester', reason: 'reboot', until: h.now() + 60_000 });
    expect((await h.request('getAlertSettings', undefined)).mutes).toHaveLength(1);
    h.advance(60_000);
    expect((await h.request('getAlertSettings', undefined)).mutes).toEqual([]);
    h.offline('a1');
    h.advance(0);
    expect((await h.alerts('firing'))[0]?.muted).toBe(false);

    const past = h.request('addMute', { target: { kind: 'agent', agentId: 'a1' }, until: h.now() - 1 });
    await expect(past).rejects.toBeInstanceOf(ConsoleError);
    await expect(past).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('future'),
    });
  });

  it('deleteMute removes it', async () => {
    h = await startHarness();
    const mute = await h.request('addMute', {
      target: { kind: 'server', serverId: 'srv-01' },
      until: h.now() + 60_000,
    });
    expect(await h.request('deleteMute', { id: mute.id })).toEqual({ deleted: true });
    expect(await h.request('deleteMute', { id: mute.id })).toEqual({ deleted: false });
    expect((await h.request('getAlertSettings', undefined)).mutes).toEqual([]);
  });
});

describe('label selectors', () => {
  it('agent rules match the agent labels', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Prod down', kind: 'agent_offline', forSec: 0, selector: { env: 'prod' } });
    h.online('t1', 'srv-01', { env: 'test' });
    h.online('p1', 'srv-02', { env: 'prod', role: 'db' });
    h.offline('t1');
    h.offline('p1');
    h.advance(0);
    expect((await h.alerts()).map((a) => a.subject.id)).toEqual(['p1']);
  });

  it('a server has the union of its agents’ labels', async () => {
    h = await startHarness();
    await h.addRule({
      name: 'Prod db CPU',
      kind: 'cpu',
      threshold: 90,
      forSec: 0,
      selector: { env: 'prod', role: 'db' },
    });
    h.online('web', 'srv-01', { env: 'prod' });
    h.online('db', 'srv-01', { role: 'db' });
    h.online('other', 'srv-02', { env: 'prod' });
    h.cpu('other', 99);
    expect(await h.alerts()).toEqual([]);
    h.cpu('web', 99);
    expect((await h.alerts()).map((a) => a.subject.id)).toEqual(['srv-01']);
  });
});

describe('job_failed', () => {
  it('fires once per agent + job name and resolves on the next successful run of it', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Job failed', kind: 'job_failed' });
    h.online('a1');
    h.job({ agentId: 'a1', name: 'backup', jobId: 'j1', state: 'failed', exitCode: 2, message: 'disk full' });
    const [alert] = await h.alerts('firing');
    expect(alert).toMatchObject({
      kind: 'job_failed',
      subject: { kind: 'job', id: 'a1/backup', name: 'backup on Agent a1' },
    });
    expect(alert?.message).toContain('exit code 2');
    expect(alert?.message).toContain('disk full');

    // Same name failing again: still one alert, noted on its timeline, not notified again.
    h.advance(1000);
    h.job({ agentId: 'a1', name: 'backup', jobId: 'j2', state: 'failed' });
    // The same run seen twice (broker redelivery) is ignored.
    h.job({ agentId: 'a1', name: 'backup', jobId: 'j2', state: 'failed' });
    const again = await h.alerts();
    expect(again).toHaveLength(1);
    expect(again[0]?.timeline.filter((e) => e.detail?.startsWith('failed again'))).toHaveLength(1);
    expect(h.notifications).toHaveLength(1);

    // Another agent's success, or another job name, does not resolve it.
    h.job({ agentId: 'a2', name: 'backup', jobId: 'k1', state: 'succeeded' });
    h.job({ agentId: 'a1', name: 'cleanup', jobId: 'j3', state: 'succeeded' });
    h.job({ agentId: 'a1', name: 'backup', jobId: 'j4', state: 'running' });
    expect(await h.alerts('firing')).toHaveLength(1);

    h.advance(1000);
    h.job({ agentId: 'a1', name: 'backup', jobId: 'j4', state: 'succeeded' });
    const [resolved] = await h.alerts('resolved');
    expect(resolved?.timeline.find((e) => e.type === 'resolved')?.detail).toContain('j4 succeeded');
    expect(h.notifications.map((n) => n.event)).toEqual(['alert.fired', 'alert.resolved']);
  });

  it('an older run reported late does not fire or resolve', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Job failed', kind: 'job_failed' });
    h.job({ agentId: 'a1', name: 'sync', jobId: 'new', state: 'succeeded', finishedAt: h.now() });
    h.job({ agentId: 'a1', name: 'sync', jobId: 'old', state: 'failed', finishedAt: h.now() - 60_000 });
    expect(await h.alerts()).toEqual([]);
  });

  it('respects the selector (agent labels) and works for agents the gateway never saw', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Prod jobs', kind: 'job_failed', selector: { env: 'prod' } });
    await h.addRule({ name: 'All jobs', kind: 'job_failed' });
    h.online('a1', 'srv-01', { env: 'test' });
    h.job({ agentId: 'a1', name: 'backup', jobId: 'j1', state: 'failed' });
    h.job({ agentId: 'ghost', name: 'backup', jobId: 'g1', state: 'failed' });
    expect((await h.alerts()).map((a) => `${a.ruleName}:${a.subject.id}`).sort()).toEqual([
      'All jobs:a1/backup',
      'All jobs:ghost/backup',
    ]);
    expect((await h.request('listAlerts', { state: 'all', subjectId: 'a1', limit: 10 })).length).toBe(1);
  });
});
