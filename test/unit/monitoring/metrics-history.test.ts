import { describe, expect, it } from 'vitest';
import type { MetricsView } from '../../../src-shared';
import {
  hourStepMs,
  MAX_DISKS_PER_SERVER,
  MetricsHistoryStore,
} from '../../../src-main/hub/monitoring/metrics-history';
import { captureLogger } from '../store/helpers';

const GiB = 1024 ** 3;
/** A time aligned on a 5-minute (hence also 1-minute and 5-second) boundary. */
const T0 = Math.floor(1_700_000_000_000 / 300_000) * 300_000;

function view(at: number, overrides: Partial<MetricsView> = {}): MetricsView {
  return {
    receivedAt: at,
    cpuPercent: 40,
    cores: 4,
    load: [1, 0.5, 0.25],
    memoryUsedBytes: 2 * GiB,
    memoryTotalBytes: 8 * GiB,
    disks: [{ mount: '/', usedBytes: 30 * GiB, totalBytes: 100 * GiB }],
    rxBytesPerSec: 1000,
    txBytesPerSec: 500,
    uptimeSec: 100,
    ...overrides,
  };
}

const nonNull = (xs: (number | null)[] | undefined) => (xs ?? []).filter((x) => x !== null);

describe('hourStepMs', () => {
  it('is the metrics interval clamped to 1–60 s', () => {
    expect(hourStepMs(5)).toBe(5000);
    expect(hourStepMs(0.2)).toBe(1000);
    expect(hourStepMs(120)).toBe(60_000);
    expect(hourStepMs(Number.NaN)).toBe(5000);
    expect(hourStepMs(undefined)).toBe(5000);
    expect(new MetricsHistoryStore({ metricsIntervalSec: 5 }).hourSlots).toBe(720);
    expect(new MetricsHistoryStore({ metricsIntervalSec: 1 }).hourSlots).toBe(3600);
    expect(new MetricsHistoryStore({ metricsIntervalSec: 60 }).hourSlots).toBe(60);
    expect(new MetricsHistoryStore({ metricsIntervalSec: 7 }).hourSlots).toBe(515);
  });
});

describe('MetricsHistoryStore', () => {
  it('1h: every bucket of the last hour, oldest first, with each series', () => {
    const store = new MetricsHistoryStore({ metricsIntervalSec: 5 });
    store.record('srv-1', view(T0, { cpuPercent: 10 }));
    store.record('srv-1', view(T0 + 5_000, { cpuPercent: 20 }));
    store.record('srv-1', view(T0 + 5_100, { cpuPercent: 40 }));
    const h = store.history('srv-1', '1h', T0 + 10_000);
    expect(h).not.toBeNull();
    expect(h!.stepMs).toBe(5000);
    expect(h!.t).toHaveLength(720);
    expect(h!.t[719]).toBe(T0 + 10_000);
    expect(h!.t[0]).toBe(T0 + 10_000 - 719 * 5000);
    expect(Object.keys(h!.series)).toEqual(['cpu', 'load1', 'mem', 'rx', 'tx', 'disk:/']);
    expect(h!.series.cpu!.slice(-3)).toEqual([10, 30, null]);
    expect(nonNull(h!.series.cpu)).toEqual([10, 30]);
    expect(h!.series.mem!.at(-2)).toBe(25);
    expect(h!.series.load1!.at(-2)).toBe(1);
    expect(h!.series.rx!.at(-2)).toBe(1000);
    expect(h!.series.tx!.at(-2)).toBe(500);
    expect(h!.series['disk:/']!.at(-2)).toBe(30);
    expect(h!.max).toBeUndefined();
    expect(store.history('other', '1h', T0)).toBeNull();
  });

  it('24h: 5-minute buckets with the average and the maximum of every sample (downsampling)', () => {
    const store = new MetricsHistoryStore({ metricsIntervalSec: 5 });
    for (let i = 0; i < 60; i++) store.record('srv-1', view(T0 + i * 5_000, { cpuPercent: i }));
    store.record('srv-1', view(T0 + 300_000, { cpuPercent: 80 }));
    const day = store.history('srv-1', '24h', T0 + 300_001)!;
    expect(day.stepMs).toBe(300_000);
    expect(day.t).toHaveLength(288);
    expect(day.t[287]).toBe(T0 + 300_000);
    expect(day.series.cpu!.slice(-2)).toEqual([29.5, 80]);
    expect(day.max!.cpu!.slice(-2)).toEqual([59, 80]);
    expect(nonNull(day.series.cpu)).toHaveLength(2);
    // The 1h tier kept every sample on its own.
    const hour = store.history('srv-1', '1h', T0 + 300_001)!;
    expect(nonNull(hour.series.cpu)).toHaveLength(61);
  });

  it('data older than a tier’s span reads as empty', () => {
    const store = new MetricsHistoryStore({ metricsIntervalSec: 5 });
    store.record('srv-1', view(T0, { cpuPercent: 55 }));
    const hourLater = T0 + 3_600_000;
    expect(nonNull(store.history('srv-1', '1h', hourLater - 5_000)!.series.cpu)).toEqual([55]);
    expect(nonNull(store.history('srv-1', '1h', hourLater)!.series.cpu)).toEqual([]);
    expect(nonNull(store.history('srv-1', '24h', hourLater)!.series.cpu)).toEqual([55]);
    expect(nonNull(store.history('srv-1', '24h', T0 + 86_400_000)!.series.cpu)).toEqual([]);
    // A new sample after a long silence reuses a slot without resurrecting the old one.
    store.record('srv-1', view(T0 + 86_400_000, { cpuPercent: 5 }));
    expect(nonNull(store.history('srv-1', '24h', T0 + 86_400_000)!.series.cpu)).toEqual([5]);
  });

  it('caps the disks per server, logs it once, and keeps updating the disks it has', () => {
    const logger = captureLogger();
    const store = new MetricsHistoryStore({ logger });
    const disks = (names: string[]) => names.map((mount) => ({ mount, usedBytes: 50, totalBytes: 100 }));
    const many = Array.from({ length: 20 }, (_, i) => `/d${i}`);
    store.record('srv-1', view(T0, { disks: disks(many) }));
    store.record('srv-1', view(T0 + 5_000, { disks: disks(['/d0', '/new']) }));
    const h = store.history('srv-1', '1h', T0 + 5_000)!;
    const diskSeries = Object.keys(h.series).filter((n) => n.startsWith('disk:'));
    expect(diskSeries).toHaveLength(MAX_DISKS_PER_SERVER);
    expect(diskSeries).toContain('disk:/d15');
    expect(diskSeries).not.toContain('disk:/d16');
    expect(diskSeries).not.toContain('disk:/new');
    expect(h.series['disk:/d0']!.slice(-2)).toEqual([50, 50]);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    // The cap is per server; a disk that cannot be stored (0-byte total) or a repeated mount does
    // not take a place.
    const zero = { mount: '/proc-like', usedBytes: 0, totalBytes: 0 };
    for (let i = 0; i < 20; i++)
      store.record('srv-3', view(T0 + i, { disks: [zero, ...disks(['/a', '/a'])] }));
    store.record('srv-3', view(T0 + 30, { disks: disks(Array.from({ length: 15 }, (_, i) => `/m${i}`)) }));
    const srv3 = Object.keys(store.history('srv-3', '1h', T0 + 30)!.series).filter((n) =>
      n.startsWith('disk:'),
    );
    expect(srv3).toHaveLength(MAX_DISKS_PER_SERVER);
    expect(srv3).not.toContain('disk:/proc-like');
    store.record('srv-2', view(T0, { disks: disks(['/new']) }));
    expect(store.history('srv-2', '1h', T0)!.series['disk:/new']).toBeDefined();
  });

  it('lists a disk only while it has data in the range; skips a percentage of a zero total', () => {
    const store = new MetricsHistoryStore();
    store.record('srv-1', view(T0, { disks: [{ mount: '/old', usedBytes: 1, totalBytes: 4 }] }));
    store.record('srv-1', view(T0 + 2 * 3_600_000, { memoryTotalBytes: 0, disks: [] }));
    const hour = store.history('srv-1', '1h', T0 + 2 * 3_600_000)!;
    expect(hour.series['disk:/old']).toBeUndefined();
    expect(nonNull(hour.series.mem)).toEqual([]);
    expect(nonNull(hour.series.cpu)).toEqual([40]);
    expect(nonNull(store.history('srv-1', '24h', T0 + 2 * 3_600_000)!.series['disk:/old'])).toEqual([25]);
  });

  it('sparklines: the last 30 minutes of cpu in 1-minute averages of the 1h tier', () => {
    const store = new MetricsHistoryStore({ metricsIntervalSec: 5 });
    const now = T0 + 40 * 60_000 + 12_000; // 12 s into a minute
    // srv-1: every 5 s for 40 minutes, cpu = the minute number, alternating ±10 around it.
    for (let t = T0; t <= now; t += 5_000) {
      const minute = Math.floor((t - T0) / 60_000);
      const wobble = ((t - T0) / 5_000) % 2 === 0 ? 10 : -10;
      store.record('srv-1', view(t, { cpuPercent: minute + 10 + wobble }));
    }
    // srv-old: only data from 40 minutes ago → left out.
    store.record('srv-old', view(T0, { cpuPercent: 99 }));
    const s = store.sparklines(now);
    expect(s.stepMs).toBe(60_000);
    expect(s.from).toBe(T0 + 11 * 60_000);
    expect(Object.keys(s.cpu)).toEqual(['srv-1']);
    const points = s.cpu['srv-1']!;
    expect(points).toHaveLength(30);
    // Full minutes average 12 samples (6 × +10, 6 × −10): exactly minute + 10.
    expect(points.slice(0, 29)).toEqual(Array.from({ length: 29 }, (_, i) => 11 + i + 10));
    // The current minute so far: samples at 0, 5, 10 s → +10, −10, +10.
    expect(points[29]).toBeCloseTo(40 + 10 + 10 / 3, 4);
  });

  it('sparklines work with a step that does not divide a minute', () => {
    const store = new MetricsHistoryStore({ metricsIntervalSec: 45 });
    const now = T0 + 30 * 60_000;
    for (let t = now - 29 * 60_000; t <= now; t += 45_000) store.record('srv-1', view(t, { cpuPercent: 33 }));
    const points = store.sparklines(now).cpu['srv-1']!;
    expect(points).toHaveLength(30);
    expect(new Set(nonNull(points))).toEqual(new Set([33]));
    expect(nonNull(points).length).toBeGreaterThanOrEqual(22); // 40 buckets over 30 minutes
  });

  it('holds a fixed, exactly known amount of memory per server', () => {
    const store = new MetricsHistoryStore({ metricsIntervalSec: 5 });
    const disks = ['/', '/var', '/data'].map((mount) => ({ mount, usedBytes: 1, totalBytes: 2 }));
    store.record('srv-1', view(T0, { disks }));
    // 1h: 720 bucket numbers × 4 B + 8 series × 720 × (avg 4 + count 1)
    // 24h: 288 × 4 B + 8 series × 288 × (avg 4 + max 4 + count 2)
    const perServer = 720 * 4 + 8 * 720 * 5 + 288 * 4 + 8 * 288 * 10;
    expect(perServer).toBe(55_872);
    expect(store.byteSize()).toBe(perServer);
    for (let t = T0; t < T0 + 86_400_000; t += 60_000) store.record('srv-1', view(t, { disks }));
    expect(store.byteSize()).toBe(perServer);
  });
});
