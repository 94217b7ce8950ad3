import { describe, expect, it } from 'vitest';
import { createFormatters } from '../../../src-renderer/i18n/format';
import en from '../../../src-renderer/i18n/locales/en.json';
import { parseRoute, routeHref } from '../../../src-renderer/state/router';
import { agentMatches, compareValues, worstDisk } from '../../../src-renderer/state/selectors';
import { agent, metrics } from './fixtures';

const fmt = createFormatters('en');

describe('formatters (Intl)', () => {
  it('formats sizes with binary multiples and rates per second', () => {
    expect(fmt.bytes(512)).toBe('0.5 kB');
    expect(fmt.bytes(0)).toBe('0 kB');
    expect(fmt.bytes(1536)).toBe('1.5 kB');
    expect(fmt.bytes(16 * 1024 ** 3)).toBe('16 GB');
    expect(fmt.bytesPerSecond(125_000)).toBe('122 kB/s');
  });

  it('formats durations with the two largest adjacent units', () => {
    expect(fmt.duration(0)).toBe('0 sec');
    expect(fmt.duration(42_000)).toBe('42 sec');
    expect(fmt.duration(5 * 60_000 + 17_000)).toBe('5 min 17 sec');
    expect(fmt.duration(93_780_000)).toBe('1 day 2 hr');
    expect(fmt.duration(2 * 86_400_000 + 5_000)).toBe('2 days');
  });

  it('formats relative times and percents', () => {
    const now = 1_000_000_000;
    expect(fmt.relative(now - 2_000, now)).toBe('now');
    expect(fmt.relative(now - 30_000, now)).toBe('30 seconds ago');
    expect(fmt.relative(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(fmt.percent(87.4)).toBe('87%');
  });
});

describe('reason words', () => {
  it('has words for every presence reason', () => {
    expect(en.presence.reason).toMatchObject({
      clean_disconnect: 'Disconnected',
      connection_lost: 'Connection lost',
      ping_timeout: 'Ping timeout',
      replaced: 'Replaced by a newer connection',
      protocol_violation: 'Protocol violation',
      hub_shutdown: 'Hub stopped',
      connected: 'Connected',
    });
  });
});

describe('selectors and routes', () => {
  it('matches agents on name, id, host and labels, case-insensitively', () => {
    const a = agent('id-77', { name: 'Web-Front', hostname: 'srv-9', labels: { env: 'prod' } });
    expect(agentMatches(a, 'web-f')).toBe(true);
    expect(agentMatches(a, 'ID-77')).toBe(true);
    expect(agentMatches(a, 'srv-9')).toBe(true);
    expect(agentMatches(a, 'env=prod')).toBe(true);
    expect(agentMatches(a, 'staging')).toBe(false);
  });

  it('sorts missing values last in both directions', () => {
    expect(compareValues(undefined, 5, 'asc')).toBeGreaterThan(0);
    expect(compareValues(undefined, 5, 'desc')).toBeGreaterThan(0);
    expect(compareValues('agent-10', 'agent-9', 'asc')).toBeGreaterThan(0); // numeric collation
  });

  it('finds the fullest disk', () => {
    expect(worstDisk(metrics(10))?.disk.mount).toBe('/data');
    expect(worstDisk(undefined)).toBeUndefined();
  });

  it('round-trips routes, ids with odd characters included', () => {
    const route = { view: 'agent', id: 'a/b c' } as const;
    expect(parseRoute(routeHref(route))).toEqual(route);
    expect(parseRoute('#/servers')).toEqual({ view: 'servers' });
    expect(parseRoute('#/nonsense')).toEqual({ view: 'overview' });
    expect(parseRoute('')).toEqual({ view: 'overview' });
  });
});
