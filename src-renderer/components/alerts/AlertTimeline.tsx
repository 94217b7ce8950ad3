/** What happened to one alert, oldest first: pending, fired, notified, resolved… with times. */
import { useTranslation } from 'react-i18next';
import type { AlertTimelineEntry } from '../../../src-shared/monitoring';
import { useFormat } from '../../i18n/format';

const secondsFormats = new Map<string, Intl.DateTimeFormat>();
/** Times with seconds: a 2 s grace period must be readable from the timeline. */
function timeWithSeconds(language: string, ts: number): string {
  let f = secondsFormats.get(language);
  if (!f) {
    f = new Intl.DateTimeFormat(language, { timeStyle: 'medium' });
    secondsFormats.set(language, f);
  }
  return f.format(ts);
}

export function AlertTimeline({ entries }: { entries: readonly AlertTimelineEntry[] }) {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  const language = i18n.resolvedLanguage ?? 'en';
  if (entries.length === 0) return <p className="muted small">{t('alerts.timeline.empty')}</p>;
  return (
    <ol className="alert-timeline" data-testid="alert-timeline">
      {entries.map((e, i) => (
        <li
          key={`${e.at}-${i}`}
          className={`alert-tl-entry alert-tl-${e.type}`}
          data-testid="timeline-entry"
          data-type={e.type}
        >
          <span className="alert-tl-dot" aria-hidden="true" />
          <time
            className="alert-tl-time tabular"
            dateTime={new Date(e.at).toISOString()}
            title={fmt.dateTime(e.at)}
          >
            {timeWithSeconds(language, e.at)}
          </time>
          <span className="alert-tl-type">{t(`alerts.timeline.type.${e.type}`)}</span>
          {e.detail && <span className="alert-tl-detail">{e.detail}</span>}
        </li>
      ))}
    </ol>
  );
}
