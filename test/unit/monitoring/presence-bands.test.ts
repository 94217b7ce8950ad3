import { describe, expect, it } from 'vitest';
import type { PresenceTransition } from '../../../src-shared';
import { presenceBands, type HubEvent } from '../../../src-main/hub/monitoring/presence-bands';

const on = (at: number, reason: PresenceTransition['reason'] = 'connected'): PresenceTransition => ({
  state: 'online',
  at,
  reason,
});
const off = (at: number, reason: PresenceTransition['reason'] = 'connection_lost'): PresenceTransition => ({
  state: 'offline',
  at,
  reason,
});
const start = (at: number): HubEvent => ({ type: 'start', at });
const down = (at: number): HubEvent => ({ type: 'down', at });

describe('presenceBands', () => {
  it('nothing known: one unknown band over the range, no uptime', () => {
    expect(presenceBands([], [start(0)], 100, 200)).toEqual({
      bands: [{ state: 'unknown', from: 100, to: 200, reason: 'connected' }],
      uptimePercent: null,
    });
  });

  it('contiguous bands from transitions, unknown before the first one, uptime over known time', () => {
    const r = presenceBands([on(200), off(500), on(600)], [start(0)], 100, 1000);
    expect(r.bands).toEqual([
      { state: 'unknown', from: 100, to: 200, reason: 'connected' },
      { state: 'online', from: 200, to: 500, reason: 'connected' },
      { state: 'offline', from: 500, to: 600, reason: 'connection_lost' },
      { state: 'online', from: 600, to: 1000, reason: 'connected' },
    ]);
    // online 300 + 400, offline 100: the unknown 100 ms count for neither.
    expect(r.uptimePercent).toBe(87.5);
    expect(r.offlineSince).toBeUndefined();
  });

  it('clips to the range: the latest transition before it gives the starting state', () => {
    const r = presenceBands([on(10), off(50), on(1_500)], [start(0)], 1_000, 2_000);
    expect(r.bands).toEqual([
      { state: 'offline', from: 1_000, to: 1_500, reason: 'connection_lost' },
      { state: 'online', from: 1_500, to: 2_000, reason: 'connected' },
    ]);
    expect(r.uptimePercent).toBe(50);
  });

  it('the hub down: unknown (hub_shutdown) until it restarts, then unknown until the subject is seen', () => {
    const r = presenceBands(
      [on(100), off(400, 'hub_shutdown'), on(700)],
      [start(0), down(400), start(600)],
      0,
      1_000,
    );
    expect(r.bands).toEqual([
      { state: 'unknown', from: 0, to: 100, reason: 'connected' },
      { state: 'online', from: 100, to: 400, reason: 'connected' },
      // The hub_shutdown disconnect and the stop share a millisecond: the stop wins, no empty band.
      { state: 'unknown', from: 400, to: 600, reason: 'hub_shutdown' },
      { state: 'unknown', from: 600, to: 700, reason: 'connected' },
      { state: 'online', from: 700, to: 1_000, reason: 'connected' },
    ]);
    expect(r.uptimePercent).toBe(100);
  });

  it('a transition at the very millisecond of a start counts (start first)', () => {
    const r = presenceBands([on(500)], [down(100), start(500)], 0, 1_000);
    expect(r.bands).toEqual([
      { state: 'unknown', from: 0, to: 100, reason: 'connected' },
      { state: 'unknown', from: 100, to: 500, reason: 'hub_shutdown' },
      { state: 'online', from: 500, to: 1_000, reason: 'connected' },
    ]);
  });

  it('a range that starts while the hub was down', () => {
    const r = presenceBands([on(100)], [start(0), down(200), start(900)], 500, 1_000);
    expect(r.bands).toEqual([
      { state: 'unknown', from: 500, to: 900, reason: 'hub_shutdown' },
      { state: 'unknown', from: 900, to: 1_000, reason: 'connected' },
    ]);
    expect(r.uptimePercent).toBeNull();
  });

  it('offline now: since the start of the offline streak (before the range) and why', () => {
    const r = presenceBands([on(10), off(50, 'ping_timeout')], [start(0)], 1_000, 2_000);
    expect(r).toMatchObject({
      bands: [{ state: 'offline', from: 1_000, to: 2_000, reason: 'ping_timeout' }],
      uptimePercent: 0,
      offlineSince: 50,
      offlineReason: 'ping_timeout',
    });
  });

  it('an offline subject is unknown, not offline, after a hub restart', () => {
    const r = presenceBands([off(50)], [start(0), down(100), start(200)], 0, 300);
    expect(r.bands.at(-1)).toEqual({ state: 'unknown', from: 200, to: 300, reason: 'connected' });
    expect(r.offlineSince).toBeUndefined();
  });

  it('a change of reason only starts a new band (replaced connection)', () => {
    const r = presenceBands([on(0), on(100, 'replaced'), on(200, 'replaced')], [], 0, 300);
    expect(r.bands).toEqual([
      { state: 'online', from: 0, to: 100, reason: 'connected' },
      { state: 'online', from: 100, to: 300, reason: 'replaced' },
    ]);
  });

  it('a clock set back never produces a band running backwards', () => {
    const r = presenceBands([on(500), off(300), on(800)], [], 0, 1_000);
    for (const band of r.bands) expect(band.to).toBeGreaterThanOrEqual(band.from);
    expect(r.bands[0]).toMatchObject({ from: 0, to: 500 });
    expect(r.bands.at(-1)).toMatchObject({ state: 'online', to: 1_000 });
    const total = r.bands.reduce((sum, b) => sum + (b.to - b.from), 0);
    expect(total).toBe(1_000);
  });

  it('ignores events after the end of the range', () => {
    const r = presenceBands([on(100), off(2_000)], [], 0, 1_000);
    expect(r.bands.at(-1)).toEqual({ state: 'online', from: 100, to: 1_000, reason: 'connected' });
  });
});
