/**
 * In-page notifications for alerts that fire or resolve. Mounted once by App: it also starts the
 * notification center (hub events, browser notifications, title badge).
 *
 * Toasts go away by themselves after TOAST_MS, except a critical alert firing, which stays until
 * dismissed; hovering or focusing a toast pauses its timer (WCAG 2.2.1: enough time to read it).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  notificationText,
  useNotificationCenter,
  useNotifications,
  type Toast,
} from '../../state/notifications';
import { routeHref } from '../../state/router';
import { subjectRoute } from '../../state/alert-order';
import { SeverityBadge } from './AlertParts';

export const TOAST_MS = 10_000;

function ToastItem({ toast, dismiss }: { toast: Toast; dismiss: (id: string) => void }) {
  const { t } = useTranslation();
  const [paused, setPaused] = useState(false);
  const sticky = toast.event === 'alert.fired' && toast.alert.severity === 'critical';
  const onDismiss = () => dismiss(toast.id);
  useEffect(() => {
    if (sticky || paused) return;
    const timer = setTimeout(() => dismiss(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [sticky, paused, dismiss, toast.id]);

  const { title, body } = notificationText(toast);
  const resolved = toast.event === 'alert.resolved';
  return (
    <div
      className={`toast toast-${resolved ? 'resolved' : toast.alert.severity}`}
      // Critical alerts interrupt (assertive); the rest wait for a pause (polite).
      role={sticky ? 'alert' : 'status'}
      data-testid="toast"
      data-event={toast.event}
      data-alert-id={toast.alert.id}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onDismiss();
      }}
    >
      <div className="toast-main">
        <div className="alert-head">
          {resolved ? (
            <span className="alert-state alert-state-resolved">{t('alerts.state.resolved')}</span>
          ) : (
            <SeverityBadge severity={toast.alert.severity} />
          )}
          <strong className="toast-title">{title}</strong>
        </div>
        <p className="toast-body">{body}</p>
        <div className="toast-links small">
          <a href={routeHref({ view: 'alerts', tab: 'active' })} onClick={onDismiss}>
            {t('alerts.toast.open')}
          </a>
          {/* A channel test (alert id "test-…") names this console, not a real subject. */}
          {!toast.alert.id.startsWith('test-') && (
            <a href={routeHref(subjectRoute(toast.alert.subject))} onClick={onDismiss}>
              {t(`alerts.toast.subject.${toast.alert.subject.kind}`)}
            </a>
          )}
        </div>
      </div>
      <button
        type="button"
        className="btn btn-ghost btn-small toast-close"
        data-testid="toast-dismiss"
        aria-label={t('alerts.toast.dismiss')}
        onClick={onDismiss}
      >
        ×
      </button>
    </div>
  );
}

export function Toasts() {
  const { t } = useTranslation();
  const center = useNotificationCenter();
  const toasts = useNotifications((s) => s.toasts);
  useEffect(() => center.start(), [center]);
  return (
    <section className="toasts" aria-label={t('alerts.toast.region')} data-testid="toasts">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} dismiss={center.dismiss} />
      ))}
    </section>
  );
}
