/** Small pieces of alert display shared by the Alerts view, the toasts and the mute controls. */
import { useTranslation } from 'react-i18next';
import type {
  AlertKind,
  AlertState,
  AlertView,
  DeliveryState,
  Severity,
} from '../../../src-shared/monitoring';
import { useFormat, type Formatters } from '../../i18n/format';
import { subjectRoute } from '../../state/alert-order';
import { routeHref } from '../../state/router';

export const METRIC_KINDS: readonly AlertKind[] = ['cpu', 'memory', 'disk'];
export const OFFLINE_KINDS: readonly AlertKind[] = ['agent_offline', 'server_offline'];

export const isMetricKind = (kind: AlertKind): boolean => METRIC_KINDS.includes(kind);
export const isOfflineKind = (kind: AlertKind): boolean => OFFLINE_KINDS.includes(kind);

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Icon plus the word: colour alone never carries the meaning. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  const { t } = useTranslation();
  return (
    <span className={`alert-severity alert-severity-${severity}`} data-severity={severity}>
      <svg viewBox="0 0 16 16" className="alert-severity-icon" aria-hidden="true">
        {severity === 'critical' ? (
          <path d="M8 1.5l6.5 12h-13zM8 6v3.5M8 11.5v.5" />
        ) : (
          <path d="M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zM8 4.5v4.5M8 11v.5" />
        )}
      </svg>
      <span>{t(`alerts.severity.${severity}`)}</span>
    </span>
  );
}

export function AlertStateBadge({ state }: { state: AlertState }) {
  const { t } = useTranslation();
  return (
    <span className={`alert-state alert-state-${state}`} data-alert-state={state}>
      {t(`alerts.state.${state}`)}
    </span>
  );
}

export function MutedMarker() {
  const { t } = useTranslation();
  return (
    <span className="muted-chip" data-testid="alert-muted" title={t('alerts.mutedHint')}>
      {t('alerts.muted')}
    </span>
  );
}

export function DeliveryStateBadge({ state }: { state: DeliveryState }) {
  const { t } = useTranslation();
  return (
    <span className={`delivery-state delivery-${state}`} data-delivery-state={state}>
      {t(`alerts.delivery.state.${state}`)}
    </span>
  );
}

/** Where an alert's subject lives in the console: its detail page, or the agent's failed jobs. */
export function SubjectLink({ subject }: { subject: AlertView['subject'] }) {
  const { t } = useTranslation();
  return (
    <a
      className="alert-subject"
      href={routeHref(subjectRoute(subject))}
      title={`${t(`alerts.subjectKind.${subject.kind}`)}: ${subject.id}`}
      data-testid="alert-subject"
    >
      {subject.name || subject.id}
    </a>
  );
}

/** The value that fired the alert: a percentage for the usage kinds, else a plain number. */
export function alertValueText(alert: Pick<AlertView, 'kind' | 'value'>, fmt: Formatters): string | null {
  if (alert.value === undefined) return null;
  return isMetricKind(alert.kind) ? fmt.percent(alert.value) : fmt.number(alert.value, 1);
}

export function AlertValue({ alert }: { alert: Pick<AlertView, 'kind' | 'value'> }) {
  const fmt = useFormat();
  const text = alertValueText(alert, fmt);
  return text === null ? null : <span className="tabular">{text}</span>;
}
