/** Server detail: history charts (CPU, load, memory, disks, network) for the last hour or day. */
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HistoryRange, MetricsHistory } from '../../../src-shared/monitoring';
import { useFormat } from '../../i18n/format';
import { useMetricsHistory } from '../../state/use-history';
import { buildChart, CHART_IDS, diskMount, isDiskKey, type ChartModel } from './chart-data';
import { chartOptions, seriesSummary, type ChartColors, type ChartFormat } from './chart-options';
import { RangeSwitch } from './RangeSwitch';
import { cssColor, useColorScheme } from './theme';
import { UPlotChart } from './UPlotChart';

const CHART_HEIGHT = 170;
const PALETTE_VARS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5', '--chart-6'];
const HISTORY_RANGES: readonly HistoryRange[] = ['1h', '24h'];
/** Series with a translated name (disks are named by their mount point). */
type NamedSeries = 'cpu' | 'load1' | 'mem' | 'rx' | 'tx';

export function MetricsHistoryCard({ serverId }: { serverId: string }) {
  const { t } = useTranslation();
  const [range, setRange] = useState<HistoryRange>('1h');
  const { data: history, error } = useMetricsHistory(serverId, range);

  const models = useMemo(() => (history ? CHART_IDS.map((id) => buildChart(history, id)) : []), [history]);
  const cpuPoints = models.find((m) => m.id === 'cpu')?.points ?? 0;
  const hasData = models.some((m) => m.points > 0);
  const state =
    error && history === undefined
      ? 'error'
      : history === undefined
        ? 'loading'
        : hasData
          ? 'ready'
          : 'empty';

  return (
    <section
      className="card history-card"
      aria-labelledby="history-title"
      data-testid="metrics-history"
      data-range={range}
      data-state={state}
      data-points={cpuPoints}
      data-step-ms={history?.stepMs ?? ''}
    >
      <header className="card-header">
        <h2 id="history-title" className="card-title">
          {t('charts.title')}
        </h2>
        <RangeSwitch
          label={t('charts.rangeLabel')}
          ranges={HISTORY_RANGES}
          value={range}
          onChange={setRange}
          text={(r) => t(`charts.range.${r}`)}
          testId="history-range"
        />
      </header>
      {range === '24h' && hasData && <p className="muted small">{t('charts.bandHint')}</p>}
      {error && (
        <p className="error-text" role="alert">
          {t('charts.loadFailed', { message: error })}
        </p>
      )}
      {state === 'loading' && <p className="muted">{t('charts.loading')}</p>}
      {state === 'empty' && (
        <p className="muted chart-empty" data-testid="history-empty">
          {history === null ? t('charts.noHistory') : t('charts.noData')}
        </p>
      )}
      {history && hasData && <ChartGrid history={history} models={models} />}
    </section>
  );
}

function ChartGrid({ history, models }: { history: MetricsHistory; models: ChartModel[] }) {
  return (
    <div className="chart-grid">
      {models.map((m) => (
        <HistoryChart key={m.id} model={m} range={history.range} />
      ))}
    </div>
  );
}

const FALLBACK_PALETTE = ['#2f6fed', '#e0762b', '#1f9d55', '#9b59d0', '#c98a08', '#d93c3c'];

/** The chart colors of the current theme, read from CSS again when the scheme changes. */
function useChartColors(): ChartColors {
  const scheme = useColorScheme();
  return useMemo(() => {
    // The variables live on :root; `scheme` is what makes their values change.
    void scheme;
    const root = document.documentElement;
    return {
      palette: PALETTE_VARS.map((v, i) => cssColor(root, v, FALLBACK_PALETTE[i])),
      axis: cssColor(root, '--text-muted', '#626b7d'),
      grid: cssColor(root, '--border', '#e2e5ea'),
    };
  }, [scheme]);
}

function HistoryChart({ model, range }: { model: ChartModel; range: HistoryRange }) {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  const colors = useChartColors();
  const language = i18n.resolvedLanguage ?? i18n.language ?? 'en';

  const formatValue = useCallback(
    (v: number | null): string =>
      v === null
        ? t('metrics.notAvailable')
        : model.unit === 'percent'
          ? fmt.percent(v)
          : model.unit === 'bytesPerSecond'
            ? fmt.bytesPerSecond(v)
            : fmt.number(v, 2),
    [fmt, t, model.unit],
  );

  // The options depend on the set of series, not on their values (those go through setData), so a
  // refresh with the same series keeps the same chart.
  const keysKey = model.keys.join('\n');
  const { withMax, unit } = model;
  const labels = useMemo(
    () =>
      keysKey
        .split('\n')
        .filter(Boolean)
        .map((k) => (isDiskKey(k) ? diskMount(k) : t(`charts.series.${k as NamedSeries}`))),
    [keysKey, t],
  );
  const options = useMemo(() => {
    const tick = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' });
    const tickSeconds = new Intl.DateTimeFormat(language, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const format: ChartFormat = {
      value: (_unit, v) => formatValue(v),
      tick: (ms, withSeconds) => (withSeconds ? tickSeconds : tick).format(ms),
      time: (ms) => fmt.dateTime(ms),
      none: t('metrics.notAvailable'),
    };
    return chartOptions({ keys: keysKey.split('\n').filter(Boolean), unit, withMax }, colors, format, {
      time: t('charts.time'),
      labels,
      maxLabel: (name) => t('charts.maxOf', { name }),
    });
  }, [keysKey, unit, withMax, labels, colors, formatValue, fmt, t, language]);

  const summary = seriesSummary(model)
    .map((s, i) =>
      t(range === '24h' ? 'charts.summaryDay' : 'charts.summaryHour', {
        name: labels[i],
        latest: formatValue(s.latest),
        peak: formatValue(s.peak),
      }),
    )
    .join(' · ');

  return (
    <figure
      className="chart"
      data-testid={`chart-${model.id}`}
      data-points={model.points}
      data-series={model.keys.length}
    >
      <figcaption className="chart-caption">
        <span className="chart-title">{t(`charts.chart.${model.id}`)}</span>
        <span className="muted small">{summary}</span>
      </figcaption>
      {model.points === 0 ? (
        <p className="muted chart-empty chart-empty-one">
          {model.id === 'disks' && model.keys.length === 0 ? t('charts.noDisks') : t('charts.noData')}
        </p>
      ) : (
        <UPlotChart options={options} data={model.data} height={CHART_HEIGHT} />
      )}
    </figure>
  );
}
