import { describe, expect, it } from 'vitest';
import type { MetricsHistory } from '../../../src-shared/monitoring';
import {
  appendLiveSample,
  buildChart,
  chartKeys,
  firstDataIndex,
  sampleValues,
} from '../../../src-renderer/components/charts/chart-data';
import {
  chartOptions,
  seriesSummary,
  withAlpha,
} from '../../../src-renderer/components/charts/chart-options';
import { sparklinePath, sparklineSummary } from '../../../src-renderer/components/charts/sparkline';
import { T0, metrics } from './fixtures';

const STEP = 5_000;

/** A 1 h-like history of `n` buckets ending at T0, with values from `f(i)` (null = empty bucket). */
function hourHistory(n: number, f: (i: number) => number | null): MetricsHistory {
  const t = Array.from({ length: n }, (_, i) => T0 - (n - 1 - i) * STEP);
  const col = (scale: number) => t.map((_, i) => (f(i) === null ? null : (f(i) as number) * scale));
  return {
    serverId: 'alpha',
    range: '1h',
    stepMs: STEP,
    t,
    series: {
      cpu: col(1),
      load1: col(0.01),
      mem: col(0.5),
      rx: col(1000),
      tx: col(10),
      'disk:/data': col(0.9),
      'disk:/': col(0.4),
    },
  };
}

describe('history → uPlot data', () => {
  it('maps time to seconds and each chart to its series, empty buckets as null', () => {
    const h = hourHistory(4, (i) => (i === 1 ? null : 10 * (i + 1)));
    const cpu = buildChart(h, 'cpu');
    expect(cpu.keys).toEqual(['cpu']);
    expect(cpu.unit).toBe('percent');
    expect(cpu.data[0]).toEqual(h.t.map((ms) => ms / 1000));
    expect(cpu.data[1]).toEqual([10, null, 30, 40]);
    expect(cpu.withMax).toBe(false);
    expect(cpu.points).toBe(3);

    const net = buildChart(h, 'network');
    expect(net.keys).toEqual(['rx', 'tx']);
    expect(net.unit).toBe('bytesPerSecond');
    expect(net.data).toHaveLength(3);
    expect(net.data[2]).toEqual([100, null, 300, 400]);

    // Every disk the server reported, sorted by mount point.
    expect(chartKeys('disks', h)).toEqual(['disk:/', 'disk:/data']);
    expect(buildChart(h, 'disks').data[2]).toEqual([9, null, 27, 36]);
  });

  it('a series missing from the history is all gaps, and a history with no value has no points', () => {
    const h = hourHistory(4, (i) => (i === 3 ? 5 : null));
    delete (h.series as Record<string, unknown>).load1;
    const load = buildChart(h, 'load');
    expect(load.data[1]).toEqual([null, null]);
    expect(load.points).toBe(0);
    expect(buildChart({ ...h, series: {} }, 'disks').keys).toEqual([]);
    expect(
      buildChart(
        hourHistory(3, () => null),
        'cpu',
      ).points,
    ).toBe(0);
  });

  it('starts every chart at the first bucket with data (a new server is not squeezed into the last pixels)', () => {
    const h = hourHistory(6, (i) => (i < 3 || i === 4 ? null : i));
    h.series.rx = [null, null, 7, null, null, 9]; // network data starts one bucket earlier
    const cpu = buildChart(h, 'cpu');
    expect(cpu.data[0]).toEqual(h.t.slice(2).map((ms) => ms / 1000));
    expect(cpu.data[1]).toEqual([null, 3, null, 5]);
    expect(buildChart(h, 'network').data[1]).toEqual([7, null, null, 9]);
    expect(firstDataIndex(h)).toBe(2);
    // One lone sample in the last bucket still gets a two-bucket x range.
    expect(firstDataIndex(hourHistory(6, (i) => (i === 5 ? 1 : null)))).toBe(4);
  });

  it('24 h: the maxima follow the averages, one per key', () => {
    const h: MetricsHistory = {
      serverId: 'alpha',
      range: '24h',
      stepMs: 300_000,
      t: [T0 - 300_000, T0],
      series: { rx: [1, 2], tx: [3, null] },
      max: { rx: [5, 6], tx: [7, null] },
    };
    const net = buildChart(h, 'network');
    expect(net.withMax).toBe(true);
    expect(net.data).toEqual([
      [(T0 - 300_000) / 1000, T0 / 1000],
      [1, 2],
      [3, null],
      [5, 6],
      [7, null],
    ]);
    // The band of key i joins its max (upper) and its average (lower).
    const options = chartOptions(
      net,
      { palette: ['#2f6fed', '#e0762b'], axis: '#666', grid: '#ddd' },
      { value: (_u, v) => String(v), tick: String, time: String, none: '—' },
      { time: 'Time', labels: ['Receive', 'Transmit'], maxLabel: (n) => `${n} (max)` },
    );
    expect(options.series.map((s) => s.label)).toEqual([
      'Time',
      'Receive',
      'Transmit',
      'Receive (max)',
      'Transmit (max)',
    ]);
    expect(options.bands?.map((b) => b.series)).toEqual([
      [3, 1],
      [4, 2],
    ]);
    expect(options.bands?.[0]?.fill).toBe('rgba(47, 111, 237, 0.14)');
    expect(seriesSummary(net)).toEqual([
      { latest: 2, peak: 6 },
      { latest: 3, peak: 7 },
    ]);
  });

  it('percent charts use a fixed 0–100 scale, others start at zero', () => {
    const h = hourHistory(2, (i) => i + 1);
    const colors = { palette: ['#111111'], axis: '#666', grid: '#ddd' };
    const format = { value: (_u: string, v: number) => String(v), tick: String, time: String, none: '—' };
    const text = { time: 'Time', labels: ['x', 'y'], maxLabel: (n: string) => n };
    expect(chartOptions(buildChart(h, 'cpu'), colors, format, text).scales?.y?.range).toEqual([0, 100]);
    const range = chartOptions(buildChart(h, 'network'), colors, format, text).scales?.y?.range;
    expect(typeof range).toBe('function');
    expect(withAlpha('#abc', 0.5)).toBe('rgba(170, 187, 204, 0.5)');
    expect(withAlpha('rgb(1 2 3)', 0.5)).toBe('rgb(1 2 3)');
  });
});

describe('live samples added to a 1 h history', () => {
  const base = () => hourHistory(4, (i) => i + 1);

  it('a sample in the last bucket replaces its values; the window keeps its length', () => {
    const m = { ...metrics(77), receivedAt: T0 + 2_000 };
    const next = appendLiveSample(base(), m);
    expect(next.t).toEqual(base().t);
    expect(next.series.cpu).toEqual([1, 2, 3, 77]);
    expect(next.series['disk:/data']?.[3]).toBeCloseTo(91);
  });

  it('a sample two buckets ahead slides the window, leaving a gap for the missed bucket', () => {
    const m = { ...metrics(50), receivedAt: T0 + 2 * STEP + 100 };
    const next = appendLiveSample(base(), m);
    expect(next.t).toEqual([T0 - STEP, T0, T0 + STEP, T0 + 2 * STEP]);
    expect(next.series.cpu).toEqual([3, 4, null, 50]);
    expect(next.series.load1).toEqual([0.03, 0.04, null, 0.5]);
  });

  it('a sample past the whole window starts it afresh, ending at the sample', () => {
    const m = { ...metrics(9), receivedAt: T0 + 100 * STEP };
    const next = appendLiveSample(base(), m);
    expect(next.t).toEqual([T0 + 97 * STEP, T0 + 98 * STEP, T0 + 99 * STEP, T0 + 100 * STEP]);
    expect(next.series.cpu).toEqual([null, null, null, 9]);
  });

  it('an older sample changes nothing; a new disk gets a series with gaps before it', () => {
    const h = base();
    expect(appendLiveSample(h, { ...metrics(1), receivedAt: T0 - 2 * STEP })).toBe(h);
    const m = metrics(5);
    m.receivedAt = T0 + STEP;
    m.disks = [...m.disks, { mount: '/new', fs: 'ext4', usedBytes: 1, totalBytes: 4 }];
    const next = appendLiveSample(h, m);
    expect(next.series['disk:/new']).toEqual([null, null, null, 25]);
    expect(sampleValues(m).mem).toBeCloseTo(50);
  });
});

describe('sparklines', () => {
  it('draws values left to right, 0 at the bottom, with gaps for nulls and a dash for a lone point', () => {
    expect(sparklinePath([0, 50, 100], 10, 10)).toBe('M0 10L5 5L10 0');
    expect(sparklinePath([0, null, 100, 100], 9, 10)).toBe('M0 10h3M6 0L9 0');
    expect(sparklinePath([150], 10, 10)).toBe('M0 0h4');
    // A lone last point (a new server's only minute) is drawn leftwards from the right edge.
    expect(sparklinePath([null, null, 50], 20, 10)).toBe('M16 5h4');
    expect(sparklinePath([], 10, 10)).toBe('');
    expect(sparklineSummary([null, 20, 80, 30, null])).toEqual({ latest: 30, peak: 80 });
    expect(sparklineSummary([null, null])).toBeUndefined();
  });
});
