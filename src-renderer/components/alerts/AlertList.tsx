/** Alerts as a list of cards: what fired, on what, since when, and the timeline on demand. */
import { useTranslation } from 'react-i18next';
import type { AlertView } from '../../../src-shared/monitoring';
import { useFormat } from '../../i18n/format';
import { ruleDisplayName } from '../../i18n/rule-names';
import { useNow } from '../../state/clock';
import { AlertStateBadge, AlertValue, MutedMarker, SeverityBadge, SubjectLink } from './AlertParts';
import { AlertTimeline } from './AlertTimeline';

function AlertItem({ alert }: { alert: AlertView }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const end = alert.resolvedAt ?? now;
  return (
    <li
      className={`alert-item alert-item-${alert.state} alert-item-${alert.severity}`}
      data-testid="alert-item"
      data-alert-id={alert.id}
      data-state={alert.state}
      data-kind={alert.kind}
      data-subject-id={alert.subject.id}
    >
      <div className="alert-head">
        <SeverityBadge severity={alert.severity} />
        <AlertStateBadge state={alert.state} />
        {alert.muted && <MutedMarker />}
        <strong className="alert-rule">{ruleDisplayName(alert.ruleId, alert.ruleName)}</strong>
        <span className="muted">·</span>
        <SubjectLink subject={alert.subject} />
        <span className="muted small">{t(`alerts.kind.${alert.kind}`)}</span>
      </div>
      <p className="alert-message">{alert.message}</p>
      <p className="alert-meta muted small">
        <span title={fmt.dateTime(alert.firedAt)}>
          {t('alerts.firedAt', { time: fmt.time(alert.firedAt), relative: fmt.relative(alert.firedAt, now) })}
        </span>
        {alert.resolvedAt !== undefined && (
          <span title={fmt.dateTime(alert.resolvedAt)}>
            {t('alerts.resolvedAt', { time: fmt.time(alert.resolvedAt) })}
          </span>
        )}
        <span>
          {alert.state === 'resolved'
            ? t('alerts.lasted', { duration: fmt.duration(end - alert.startedAt) })
            : t('alerts.firingFor', { duration: fmt.duration(end - alert.startedAt) })}
        </span>
        {alert.value !== undefined && (
          <span>
            {t('alerts.value')} <AlertValue alert={alert} />
          </span>
        )}
      </p>
      <details className="alert-details">
        <summary data-testid="alert-timeline-toggle">
          {t('alerts.timeline.show', { count: alert.timeline.length })}
        </summary>
        <AlertTimeline entries={alert.timeline} />
      </details>
    </li>
  );
}

export function AlertList({ alerts, label }: { alerts: readonly AlertView[]; label: string }) {
  return (
    <ul className="plain-list alert-list" aria-label={label}>
      {alerts.map((a) => (
        <AlertItem key={a.id} alert={a} />
      ))}
    </ul>
  );
}
