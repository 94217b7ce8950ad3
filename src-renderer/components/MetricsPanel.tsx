/** Latest metrics of a server: CPU, load, memory, every disk, network, uptime. */
import { useTranslation } from 'react-i18next';
import type { MetricsView } from '../../src-shared/fleet';
import { useFormat } from '../i18n/format';
import { useNow } from '../state/clock';
import { diskPercent, memoryPercent } from '../state/selectors';
import { Meter } from './Meter';

export function MetricsPanel({ metrics }: { metrics: MetricsView | undefined }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  if (!metrics) {
    return (
      <section className="card" aria-labelledby="metrics-title">
        <h2 id="metrics-title" className="card-title">
          {t('detail.metrics')}
        </h2>
        <p className="muted">{t('detail.noMetrics')}</p>
      </section>
    );
  }
  const mem = memoryPercent(metrics) ?? 0;
  return (
    <section className="card metrics" aria-labelledby="metrics-title" data-testid="metrics-panel">
      <header className="card-header">
        <h2 id="metrics-title" className="card-title">
          {t('detail.metrics')}
        </h2>
        <span className="muted small" title={fmt.dateTime(metrics.receivedAt)}>
          {t('metrics.reportedAt', { time: fmt.relative(metrics.receivedAt, now) })}
        </span>
      </header>
      <div className="metric-grid">
        <div className="metric">
          <div className="metric-label">
            {t('metrics.cpu')} <span className="muted">{t('metrics.cores', { count: metrics.cores })}</span>
          </div>
          <Meter
            percent={metrics.cpuPercent}
            label={t('metrics.cpu')}
            text={fmt.percent(metrics.cpuPercent)}
          />
        </div>
        <div className="metric">
          <div className="metric-label">{t('metrics.memory')}</div>
          <Meter percent={mem} label={t('metrics.memory')} text={fmt.percent(mem)} />
          <div className="muted small">
            {t('metrics.usedOfTotal', {
              used: fmt.bytes(metrics.memoryUsedBytes),
              total: fmt.bytes(metrics.memoryTotalBytes),
            })}
          </div>
        </div>
        <div className="metric">
          <div className="metric-label" title={t('metrics.loadHint')}>
            {t('metrics.load')}
          </div>
          <div className="metric-value">
            {t('metrics.loadValues', {
              one: fmt.number(metrics.load[0], 2, 2),
              five: fmt.number(metrics.load[1], 2, 2),
              fifteen: fmt.number(metrics.load[2], 2, 2),
            })}
          </div>
          <div className="muted small">{t('metrics.loadHint')}</div>
        </div>
        <div className="metric">
          <div className="metric-label">{t('metrics.network')}</div>
          <div className="metric-value">
            <span title={t('metrics.receive')}>
              {t('metrics.rxValue', { value: fmt.bytesPerSecond(metrics.rxBytesPerSec) })}
            </span>
            <span title={t('metrics.transmit')}>
              {t('metrics.txValue', { value: fmt.bytesPerSecond(metrics.txBytesPerSec) })}
            </span>
          </div>
        </div>
        <div className="metric">
          <div className="metric-label">{t('metrics.uptime')}</div>
          <div className="metric-value">{fmt.duration(metrics.uptimeSec * 1000)}</div>
        </div>
      </div>
      <h3 className="subheading">{t('metrics.disks')}</h3>
      <ul className="disk-list">
        {metrics.disks.map((disk) => {
          const p = diskPercent(disk);
          return (
            <li key={disk.mount} className="disk">
              <span className="disk-mount" title={disk.fs}>
                <code>{disk.mount}</code>
              </span>
              <Meter percent={p} label={t('metrics.disk', { mount: disk.mount })} text={fmt.percent(p)} />
              <span className="muted small disk-size">
                {t('metrics.usedOfTotal', {
                  used: fmt.bytes(disk.usedBytes),
                  total: fmt.bytes(disk.totalBytes),
                })}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
