/**
 * uPlot options for one history chart: axes and legend formatted with the console's Intl formatters,
 * colors from the theme, a fixed 0–100 % scale for percentages, and (24 h) each series' maximum as a
 * dashed line with the band between average and maximum filled.
 */
import type uPlot from 'uplot';
import type { ChartModel, ChartUnit } from './chart-data';

export interface ChartColors {
  /** One per series, cycled. */
  palette: string[];
  axis: string;
  grid: string;
}

export interface ChartFormat {
  value(unit: ChartUnit, v: number): string;
  /** Axis tick label for a time (ms); with seconds when ticks are less than a minute apart. */
  tick(ms: number, withSeconds: boolean): string;
  /** Legend label for the hovered time (ms). */
  time(ms: number): string;
  /** Shown for an empty bucket. */
  none: string;
}

export interface ChartText {
  time: string;
  /** Label of each key's series, same order as `model.keys`. */
  labels: string[];
  /** Label of a maximum series from its average's label. */
  maxLabel(label: string): string;
}

/** `#rrggbb` (or `#rgb`) with an alpha; other color syntaxes are returned unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const hex = color.trim().replace(/^#/, '');
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) return color;
  const n = Number.parseInt(full, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function yRange(unit: ChartUnit): uPlot.Scale['range'] {
  if (unit === 'percent') return [0, 100];
  // Rates and load start at 0 (a line hovering mid-chart at 3 KB/s would exaggerate a small change).
  return (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1];
}

export function chartOptions(
  model: Pick<ChartModel, 'keys' | 'unit' | 'withMax'>,
  colors: ChartColors,
  format: ChartFormat,
  text: ChartText,
): Omit<uPlot.Options, 'width' | 'height'> {
  const color = (i: number): string => colors.palette[i % colors.palette.length] ?? colors.axis;
  const value = (_u: uPlot, v: number | null): string =>
    v === null ? format.none : format.value(model.unit, v);
  const series: uPlot.Series[] = [
    { label: text.time, value: (_u, v) => (v === null ? format.none : format.time(v * 1000)) },
  ];
  model.keys.forEach((_key, i) => {
    series.push({
      label: text.labels[i] ?? _key,
      stroke: color(i),
      width: 1.5,
      value,
      // Default point display: shown where samples are sparse (an isolated sample stays visible).
    });
  });
  const bands: uPlot.Band[] = [];
  if (model.withMax) {
    model.keys.forEach((_key, i) => {
      series.push({
        label: text.maxLabel(text.labels[i] ?? _key),
        stroke: withAlpha(color(i), 0.7),
        width: 1,
        dash: [4, 3],
        value,
        points: { show: false },
      });
      // Band between this key's maximum (upper) and average (lower).
      bands.push({ series: [1 + model.keys.length + i, 1 + i], fill: withAlpha(color(i), 0.14) });
    });
  }
  const axisStyle = {
    stroke: colors.axis,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
  };
  return {
    series,
    bands,
    // Room on the right for the last time label, which uPlot centers on the plot's edge.
    padding: [8, 40, 0, 0],
    scales: { x: { time: true }, y: { range: yRange(model.unit) } },
    axes: [
      {
        ...axisStyle,
        // Minimum pixels between time ticks: room for "04:50:21 AM" without overlap.
        space: 110,
        // `increment` is the tick spacing in x units (seconds): a young history spans seconds.
        values: (_u, splits, _axis, _space, increment) =>
          splits.map((s) => format.tick(s * 1000, increment < 60)),
      },
      {
        ...axisStyle,
        size: 64,
        values: (_u, splits) => splits.map((s) => format.value(model.unit, s)),
      },
    ],
    // Hover shows values; no drag-zoom, since the data is replaced as it refreshes.
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { show: true },
  };
}

/** Latest value and peak over the range, per key (for the caption and screen readers). */
export function seriesSummary(model: ChartModel): { latest: number | null; peak: number | null }[] {
  return model.keys.map((_key, i) => {
    const avg = (model.data[1 + i] ?? []) as ArrayLike<number | null | undefined>;
    const peakSource = (model.withMax ? model.data[1 + model.keys.length + i] : avg) ?? [];
    let latest: number | null = null;
    let peak: number | null = null;
    for (let j = 0; j < avg.length; j++) {
      const v = avg[j];
      if (v !== null && v !== undefined) latest = v;
    }
    const peaks = peakSource as ArrayLike<number | null | undefined>;
    for (let j = 0; j < peaks.length; j++) {
      const v = peaks[j];
      if (v !== null && v !== undefined && (peak === null || v > peak)) peak = v;
    }
    return { latest, peak };
  });
}
