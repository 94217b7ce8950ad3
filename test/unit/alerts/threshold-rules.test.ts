/** cpu / memory / disk rules with a manual clock: exact duration boundaries, hysteresis, no flapping. */
import { afterEach, describe, expect, it } from 'vitest';
import { ThresholdTracker } from '../../../src-main/hub/alerts/threshold-tracker';
import { startHarness, T0, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Send `value` every `stepMs` for `durationMs` (first sample now, last one at now + durationMs). */
function feed(
  send: (v: number) => void,
  advance: (ms: number) => void,
  value: number,
  durationMs: number,
  stepMs = 1000,
) {
  send(value);
  for (let t = stepMs; t <= durationMs; t += stepMs) {
    advance(stepMs);
    send(value);
  }
}

describe('cpu rule (threshold 90 %, for 30 s, hysteresis 5)', () => {
  async function setup() {
    h = await startHarness();
    await h.addRule({
      name: 'CPU hot',
      kind: 'cpu',
      threshold: 90,
      forSec: 30,
      hysteresis: 5,
      severity: 'critical',
    });
    h.online('a1');
    return h;
  }

  it('fires at 30 s of samples at 95 %, not at 29 s', async () => {
    await setup();
    const started = h.now();
    feed((v) => h.cpu('a1', v), h.advance, 95, 29_000);
    expect(h.now() - started).toBe(29_000);
    expect(await h.alerts()).toEqual([]);
    expect(h.notifications).toEqual([]);

    h.advance(1000);
    h.cpu('a1', 95);
    const [alert] = await h.alerts('firing');
    expect(alert).toMatchObject({
      kind: 'cpu',
      state: 'firing',
      severity: 'critical',
      subject: { kind: 'server', id: 'srv-01', name: 'srv-01' },
      startedAt: started,
      firedAt: started + 30_000,
      value: 95,
      muted: false,
    });
    expect(alert?.message).toContain('95 %');
    expect(alert?.timeline.map((e) => e.type)).toEqual(['pending', 'fired', 'notified']);
    expect(h.notifications).toHaveLength(1);
    expect(h.notifications[0]).toMatchObject({ event: 'alert.fired', alert: { id: alert?.id } });
    expect(h.alerting.counters()).toEqual({ active: 1, critical: 1, failedDeliveries: 0 });
    expect(h.changedAlerts).toContain(alert?.id);
  });

  it('a dip to the threshold restarts the duration', async () => {
    await setup();
    feed((v) => h.cpu('a1', v), h.advance, 95, 20_000);
    h.advance(1000);
    h.cpu('a1', 90); // not above 90
    h.advance(1000);
    feed((v) => h.cpu('a1', v), h.advance, 95, 29_000);
    expect(await h.alerts()).toEqual([]);
    h.advance(1000);
    h.cpu('a1', 95);
    expect(await h.alerts('firing')).toHaveLength(1);
  });

  it('resolves once below threshold − hysteresis for min(forSec, 60 s), recorded in the timeline', async () => {
    await setup();
    feed((v) => h.cpu('a1', v), h.advance, 95, 30_000);
    expect(await h.alerts('firing')).toHaveLength(1);

    // Below the threshold but not below 85: still firing however long it lasts.
    h.advance(1000);
    feed((v) => h.cpu('a1', v), h.advance, 87, 120_000);
    expect(await h.alerts('firing')).toHaveLength(1);

    h.advance(1000);
    const below = h.now();
    feed((v) => h.cpu('a1', v), h.advance, 20, 29_000);
    expect(await h.alerts('firing')).toHaveLength(1);
    h.advance(1000);
    h.cpu('a1', 20);
    const [alert] = await h.alerts('resolved');
    expect(alert).toMatchObject({ state: 'resolved', resolvedAt: below + 30_000 });
    expect(alert?.timeline.at(-2)).toMatchObject({ type: 'resolved', at: below + 30_000 });
    expect(alert?.timeline.at(-2)?.detail).toContain('below 85 %');
    expect(h.notifications.map((n) => n.event)).toEqual(['alert.fired', 'alert.resolved']);
    expect(h.alerting.counters()).toMatchObject({ active: 0, critical: 0 });
  });

  it('flapping around the threshold neither fires repeatedly nor resolves', async () => {
    await setup();
    // Before firing: 95 / 85 alternating every 5 s never stays above for 30 s.
    for (let i = 0; i < 120; i++) {
      h.cpu('a1', i % 2 === 0 ? 95 : 85);
      h.advance(5000);
    }
    expect(await h.alerts()).toEqual([]);

    feed((v) => h.cpu('a1', v), h.advance, 95, 30_000);
    expect(await h.alerts('firing')).toHaveLength(1);
    // After firing: 80 / 95 alternating every 10 s for 10 minutes never stays below for 30 s.
    for (let i = 0; i < 60; i++) {
      h.advance(10_000);
      h.cpu('a1', i % 2 === 0 ? 80 : 95);
    }
    const all = await h.alerts();
    expect(all).toHaveLength(1);
    expect(all[0]?.state).toBe('firing');
    expect(h.notifications).toHaveLength(1);
  });

  it('a server going offline restarts a pending condition (no firing on stale samples)', async () => {
    await setup();
    feed((v) => h.cpu('a1', v), h.advance, 95, 20_000);
    h.offline('a1');
    h.advance(60_000);
    h.online('a1');
    h.cpu('a1', 95);
    h.advance(10_000);
    h.cpu('a1', 95);
    expect(await h.alerts()).toEqual([]);
  });
});

describe('memory and disk rules', () => {
  it('memory = used / total, fires after forSec', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Memory', kind: 'memory', threshold: 90, forSec: 10 });
    h.online('a1');
    const memory = { usedBytes: 95, totalBytes: 100 };
    h.sample('a1', { memory });
    h.advance(10_000);
    h.sample('a1', { memory });
    const [alert] = await h.alerts('firing');
    expect(alert).toMatchObject({ kind: 'memory', value: 95, subject: { id: 'srv-01' } });
  });

  it('disk: any disk of the server over the threshold, the fullest one reported', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Disk', kind: 'disk', threshold: 90, forSec: 0 });
    h.online('a1');
    h.sample('a1', {
      disks: [
        { mount: '/', fs: 'ext4', usedBytes: 10, totalBytes: 100 },
        { mount: '/data', fs: 'xfs', usedBytes: 97, totalBytes: 100 },
      ],
    });
    const [alert] = await h.alerts('firing');
    expect(alert).toMatchObject({ kind: 'disk', value: 97, subject: { kind: 'server', id: 'srv-01' } });
    expect(alert?.message).toContain('/data');
  });

  it('odd samples (no memory total, no disks, NaN cpu) are ignored without throwing', async () => {
    h = await startHarness();
    await h.addRule({ name: 'Memory', kind: 'memory', threshold: 50, forSec: 0 });
    await h.addRule({ name: 'Disk', kind: 'disk', threshold: 50, forSec: 0 });
    await h.addRule({ name: 'CPU', kind: 'cpu', threshold: 50, forSec: 0 });
    h.online('a1');
    h.sample('a1', {
      memory: { usedBytes: 5, totalBytes: 0 },
      disks: [],
      cpu: { percent: Number.NaN, cores: 1, load: [0, 0, 0] },
    });
    expect(await h.alerts()).toEqual([]);
    expect(h.log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('ThresholdTracker', () => {
  it('forSec 0 fires on the first sample above; resolve delay 0 resolves on the first one below', () => {
    const tracker = new ThresholdTracker({ threshold: 50, hysteresis: 5, forMs: 0, resolveMs: 0 });
    expect(tracker.sample(50, T0)).toBeUndefined();
    expect(tracker.sample(51, T0 + 1)).toBe('fire');
    expect(tracker.startedAt).toBe(T0 + 1);
    expect(tracker.sample(46, T0 + 2)).toBeUndefined();
    expect(tracker.sample(44, T0 + 3)).toBe('resolve');
    expect(tracker.phase).toBe('ok');
  });
});
