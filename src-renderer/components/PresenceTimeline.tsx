/**
 * Presence over time for an agent or a server: a bar of online / offline / unknown bands for the last
 * 24 h or 7 days, the uptime of the range, and a legend with the time spent in each state. The
 * transitions themselves are listed (keyboard- and screen-reader-friendly) by the presence log.
 */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PresenceReason, PresenceState } from '../../src-shared/fleet';
import type { PresenceRange } from '../../src-shared/monitoring';
import { useFormat } from '../i18n/format';
import { useNow } from '../state/clock';
import { usePresenceHistory } from '../state/use-history';
import { layoutPresenceBands, timePerState, type BandSegment } from './charts/presence-bands';
import { RangeSwitch } from './charts/RangeSwitch';

const PRESENCE_RANGES: readonly PresenceRange[] = ['24h', '7d'];
const STATES: readonly PresenceState[] = ['online', 'offline', 'unknown'];

/** Uptime with up to two decimals, rounded down: 99.999 % of a day is not "100 %". */
export function formatUptime(percent: number, language: string): string {
  const floored = Math.floor(percent * 100) / 100;
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 2 }).format(
    floored / 100,
  );
}

export function PresenceTimeline({
  kind,
  id,
  presence,
  since,
}: {
  kind: 'agent' | 'server';
  id: string;
  /** Live presence: a change fetches the history again at once. */
  presence: PresenceState;
  since: number;
}) {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  const [range, setRange] = useState<PresenceRange>('24h');
  const { data, error } = usePresenceHistory(kind, id, range, `${presence}/${since}`);
  const language = i18n.resolvedLanguage ?? i18n.language ?? 'en';
  const stateWord = (s: PresenceState) =>
    kind === 'agent' ? t(`presence.state.${s}`) : t(`presence.serverState.${s}`);

  const segmentTitle = (s: BandSegment): string => {
    const from = fmt.dateTime(s.from);
    const to = fmt.dateTime(s.to);
    const duration = fmt.duration(s.to - s.from);
    const state = stateWord(s.state);
    return s.bands > 1
      ? t('presenceHistory.mergedTitle', { count: s.bands, from, to, duration, state })
      : t('presenceHistory.segmentTitle', {
          from,
          to,
          duration,
          state,
          reason: t(`presence.reason.${s.reason}`),
        });
  };

  const segments = useMemo(() => (data ? layoutPresenceBands(data.bands, data.from, data.to) : []), [data]);
  const totals = useMemo(() => (data ? timePerState(data.bands, data.from, data.to) : undefined), [data]);
  const state =
    error && data === undefined ? 'error' : data === undefined ? 'loading' : data ? 'ready' : 'empty';
  const rangeText = t(`presenceHistory.range.${range}`);
  const uptime = data && data.uptimePercent !== null ? formatUptime(data.uptimePercent, language) : undefined;

  return (
    <section
      className="card presence-history"
      aria-labelledby="presence-history-title"
      data-testid="presence-history"
      data-range={range}
      data-state={state}
      data-segments={segments.length}
      data-uptime={data?.uptimePercent ?? ''}
    >
      <header className="card-header">
        <h2 id="presence-history-title" className="card-title">
          {t('presenceHistory.title')}
        </h2>
        <RangeSwitch
          label={t('presenceHistory.rangeLabel')}
          ranges={PRESENCE_RANGES}
          value={range}
          onChange={setRange}
          text={(r) => t(`presenceHistory.rangeShort.${r}`)}
          testId="presence-range"
        />
      </header>
      {error && (
        <p className="error-text" role="alert">
          {t('presenceHistory.loadFailed', { message: error })}
        </p>
      )}
      {state === 'loading' && <p className="muted">{t('presenceHistory.loading')}</p>}
      {state === 'empty' && (
        <p className="muted" data-testid="presence-history-empty">
          {t('presenceHistory.empty')}
        </p>
      )}
      {data && (
        <>
          <p className="uptime">
            <strong className="uptime-value" data-testid="uptime">
              {uptime ?? t('metrics.notAvailable')}
            </strong>
            <span className="muted">{t('presenceHistory.uptimeFor', { range: rangeText })}</span>
          </p>
          <div
            className="timeline-bar"
            role="img"
            data-testid="presence-timeline"
            aria-label={t('presenceHistory.barLabel', {
              range: rangeText,
              uptime: uptime ?? t('metrics.notAvailable'),
              offline: fmt.duration(totals?.offline ?? 0),
            })}
          >
            {segments.map((s) => (
              <span
                key={s.from}
                className={`timeline-seg timeline-${s.state}`}
                data-state={s.state}
                style={{ left: `${s.left}%`, width: `${s.width}%` }}
                title={segmentTitle(s)}
              />
            ))}
          </div>
          <div className="timeline-axis muted small" aria-hidden="true">
            <span>{fmt.dateTime(data.from)}</span>
            <span>{t('presenceHistory.now')}</span>
          </div>
          <ul className="timeline-legend" aria-label={t('presenceHistory.legendLabel')}>
            {STATES.map((s) => (
              <li key={s} data-state={s}>
                <span className={`legend-swatch timeline-${s}`} aria-hidden="true" />
                {t('presenceHistory.legendItem', {
                  state: stateWord(s),
                  duration: fmt.duration(totals?.[s] ?? 0),
                })}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** "Offline since 14:03 (Ping timeout)", shown big at the top of a detail page while offline. */
export function OfflineNotice({
  presence,
  since,
  reason,
  kind,
}: {
  presence: PresenceState;
  since: number;
  reason: PresenceReason;
  kind: 'agent' | 'server';
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  if (presence !== 'offline') return null;
  return (
    <p className="notice notice-error offline-notice" role="status" data-testid="offline-since">
      <strong className="notice-title">
        {t(kind === 'agent' ? 'presenceHistory.offlineSince' : 'presenceHistory.downSince', {
          time: fmt.time(since),
          reason: t(`presence.reason.${reason}`),
        })}
      </strong>
      <span className="muted" title={fmt.dateTime(since)}>
        {t('presence.for', { duration: fmt.duration(now - since) })}
      </span>
    </p>
  );
}
