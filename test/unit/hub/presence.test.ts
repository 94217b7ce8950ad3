import { describe, expect, it } from 'vitest';
import { Presence, PRESENCE_LOG_CAPACITY } from '../../../src-main/hub/fleet/presence';

describe('Presence state machine', () => {
  it('starts unknown and records transitions newest first', () => {
    const p = new Presence(1000);
    expect(p.state).toBe('unknown');
    expect(p.transition('online', 'connected', 2000)).toBe(true);
    expect(p.transition('offline', 'ping_timeout', 3000)).toBe(true);
    expect(p).toMatchObject({ state: 'offline', since: 3000, reason: 'ping_timeout' });
    expect(p.history()).toEqual([
      { state: 'offline', reason: 'ping_timeout', at: 3000 },
      { state: 'online', reason: 'connected', at: 2000 },
    ]);
  });

  it('ignores a repeated identical transition', () => {
    const p = new Presence(0);
    p.transition('online', 'connected', 1);
    expect(p.transition('online', 'connected', 2)).toBe(false);
    expect(p.history()).toHaveLength(1);
  });

  it('keeps "since" when only the reason changes (replaced connection stays online)', () => {
    const p = new Presence(0);
    p.transition('online', 'connected', 100);
    expect(p.transition('online', 'replaced', 200)).toBe(true);
    expect(p.since).toBe(100);
    expect(p.reason).toBe('replaced');
  });

  it('bounds the log', () => {
    const p = new Presence(0);
    for (let i = 0; i < PRESENCE_LOG_CAPACITY * 3; i++)
      p.transition(i % 2 ? 'online' : 'offline', 'connected', i);
    expect(p.history()).toHaveLength(PRESENCE_LOG_CAPACITY);
    expect(p.history()[0]?.at).toBe(PRESENCE_LOG_CAPACITY * 3 - 1);
  });
});
