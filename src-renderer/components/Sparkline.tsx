/**
 * A CPU sparkline for a list row: a tiny SVG path, no chart library. Rows are virtualized, so only
 * the rows on screen draw one.
 */
import { useTranslation } from 'react-i18next';
import { useFormat } from '../i18n/format';
import { sparklinePath, sparklineSummary } from './charts/sparkline';
import { meterLevel } from './Meter';

const WIDTH = 64;
const HEIGHT = 20;

export function CpuSparkline({ values }: { values: readonly (number | null)[] | undefined }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const summary = values ? sparklineSummary(values) : undefined;
  if (!values || !summary) {
    return (
      <span className="muted" data-testid="sparkline-empty" title={t('charts.sparkline.none')}>
        {t('metrics.notAvailable')}
      </span>
    );
  }
  const label = t('charts.sparkline.label', {
    latest: fmt.percent(summary.latest),
    peak: fmt.percent(summary.peak),
  });
  return (
    <svg
      className={`sparkline sparkline-${meterLevel(summary.latest)}`}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width={WIDTH}
      height={HEIGHT}
      role="img"
      aria-label={label}
      data-testid="sparkline"
      data-points={values.length}
    >
      <title>{label}</title>
      <line className="sparkline-base" x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} />
      <path d={sparklinePath(values, WIDTH, HEIGHT - 1)} />
    </svg>
  );
}
