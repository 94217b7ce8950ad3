/**
 * Metrics history → what the charts draw. Pure: the server detail page and the tests share it.
 *
 * uPlot wants "aligned data": one x array (seconds since epoch) and one y array per series, all the
 * same length, `null` where a bucket is empty (drawn as a gap, so an outage shows as one).
 */
import type { AlignedData } from 'uplot';
import type { MetricsView } from '../../../src-shared/fleet';
import type { MetricsHistory } from '../../../src-shared/monitoring';
import { diskPercent, memoryPercent } from '../../state/selectors';

export type ChartId = 'cpu' | 'load' | 'memory' | 'disks' | 'network';
export const CHART_IDS: readonly ChartId[] = ['cpu', 'load', 'memory', 'disks', 'network'];

/** How a chart's values read: fixed 0–100 scale, plain numbers, or a byte rate. */
export type ChartUnit = 'percent' | 'load' | 'bytesPerSecond';

export const CHART_UNIT: Record<ChartId, ChartUnit> = {
  cpu: 'percent',
  load: 'load',
  memory: 'percent',
  disks: 'percent',
  network: 'bytesPerSecond',
};

export interface ChartModel {
  id: ChartId;
  unit: ChartUnit;
  /** History series drawn, in order (`disk:/data`, `rx`…). */
  keys: string[];
  /**
   * `[t, ...average per key]`, then, when `withMax`, `...maximum per key`: the maximum of key i is
   * at index `1 + keys.length + i`.
   */
  data: AlignedData;
  withMax: boolean;
  /** Buckets holding a value for at least one key (what "the chart has points" means). */
  points: number;
}

const DISK_PREFIX = 'disk:';

export function isDiskKey(key: string): boolean {
  return key.startsWith(DISK_PREFIX);
}

/** The mount point of a `disk:<mount>` series. */
export function diskMount(key: string): string {
  return key.slice(DISK_PREFIX.length);
}

export function chartKeys(chart: ChartId, history: Pick<MetricsHistory, 'series'>): string[] {
  switch (chart) {
    case 'cpu':
      return ['cpu'];
    case 'load':
      return ['load1'];
    case 'memory':
      return ['mem'];
    case 'network':
      return ['rx', 'tx'];
    case 'disks':
      return Object.keys(history.series)
        .filter(isDiskKey)
        .sort((a, b) => a.localeCompare(b));
  }
}

function countPoints(columns: readonly (readonly (number | null)[])[], length: number): number {
  let points = 0;
  for (let i = 0; i < length; i++) {
    if (columns.some((c) => c[i] !== null && c[i] !== undefined)) points++;
  }
  return points;
}

/**
 * Index of the first bucket holding any value in any series: the buckets before it are from before
 * the hub saw the server (or before it started), and drawing them would squeeze the data of a new
 * server against the right edge of an empty hour. All charts of a history start at the same bucket.
 */
export function firstDataIndex(history: Pick<MetricsHistory, 't' | 'series'>): number {
  let first = history.t.length;
  for (const column of Object.values(history.series)) {
    const i = column.findIndex((v) => v !== null && v !== undefined);
    if (i >= 0 && i < first) first = i;
  }
  // Keep at least two buckets so a lone first sample still has an x range to sit in.
  return Math.max(0, Math.min(first, history.t.length - 2));
}

export function buildChart(history: MetricsHistory, chart: ChartId): ChartModel {
  const keys = chartKeys(chart, history);
  const from = firstDataIndex(history);
  const n = history.t.length - from;
  const empty = (): (number | null)[] => new Array<number | null>(n).fill(null);
  const cut = (column: (number | null)[] | undefined) => (column ? column.slice(from) : empty());
  const avg = keys.map((k) => cut(history.series[k]));
  // Only the 24 h tier has maxima; a chart draws them as a band above the average.
  const withMax = history.max !== undefined && keys.some((k) => history.max?.[k] !== undefined);
  const max = withMax ? keys.map((k) => cut(history.max?.[k])) : [];
  const t = history.t.slice(from).map((ms) => ms / 1000);
  return {
    id: chart,
    unit: CHART_UNIT[chart],
    keys,
    data: [t, ...avg, ...max],
    withMax,
    points: countPoints(avg, n),
  };
}

/** The series values one live sample stands for, named like the history's series. */
export function sampleValues(m: MetricsView): Record<string, number> {
  const values: Record<string, number> = {
    cpu: m.cpuPercent,
    load1: m.load[0],
    rx: m.rxBytesPerSec,
    tx: m.txBytesPerSec,
  };
  const mem = memoryPercent(m);
  if (mem !== undefined) values.mem = mem;
  for (const d of m.disks) values[`${DISK_PREFIX}${d.mount}`] = diskPercent(d);
  return values;
}

/**
 * Add a live sample (from the fleet store) to a history fetched earlier, so the 1 h charts move with
 * every report instead of waiting for the next fetch. The window keeps its length (its oldest
 * buckets slide out). A sample in the last bucket replaces that bucket's values: 1 h buckets hold
 * about one sample, and the hub's next answer is the reference anyway. Samples older than the last
 * bucket change nothing (the hub's answer was already fresher).
 */
export function appendLiveSample(history: MetricsHistory, m: MetricsView): MetricsHistory {
  const n = history.t.length;
  const last = history.t[n - 1];
  if (last === undefined || history.stepMs <= 0) return history;
  const ahead = Math.floor((m.receivedAt - last) / history.stepMs);
  if (ahead < 0) return history;
  const values = sampleValues(m);
  // A bucket index past the window (the page slept for longer than the range) starts afresh.
  const shift = Math.min(ahead, n);

  const newLast = last + ahead * history.stepMs;
  const t = history.t.slice(shift);
  while (t.length < n) t.push(newLast - (n - 1 - t.length) * history.stepMs);

  const slide = (column: (number | null)[] | undefined, value: number | undefined): (number | null)[] => {
    const next = column ? column.slice(shift) : new Array<number | null>(n - shift).fill(null);
    while (next.length < n) next.push(null);
    if (value !== undefined) next[n - 1] = value;
    return next;
  };
  const keys = new Set([...Object.keys(history.series), ...Object.keys(values)]);
  const series: Record<string, (number | null)[]> = {};
  for (const k of keys) series[k] = slide(history.series[k], values[k]);
  let max: Record<string, (number | null)[]> | undefined;
  if (history.max) {
    max = {};
    for (const k of keys) {
      const column = slide(history.max[k], undefined);
      const v = values[k];
      // A maximum never goes below what was just seen in its bucket.
      if (v !== undefined) column[n - 1] = Math.max(v, shift === 0 ? (history.max[k]?.[n - 1] ?? v) : v);
      max[k] = column;
    }
  }
  return { ...history, t, series, ...(max ? { max } : {}) };
}
