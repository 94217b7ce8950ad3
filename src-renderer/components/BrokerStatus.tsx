/**
 * The broker's state wherever it matters: a status bar item, the notices on the overview and a
 * badge for the Settings screen. The hub sends the diagnosis in words (`reasonText`); each reason
 * code also has its own short title here so the UI never shows a raw code.
 */
import { useTranslation } from 'react-i18next';
import type { BrokerStatus } from '../../src-shared/broker-protocol';
import { useFormat } from '../i18n/format';
import { useNow } from '../state/clock';
import { useFleet } from '../state/context';
import { routeHref } from '../state/router';

/** Dot + word for a broker state. */
export function BrokerStateBadge({ broker }: { broker: BrokerStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`broker-state broker-${broker.state}`} data-broker-state={broker.state}>
      <span className="sb-dot" aria-hidden="true" />
      <span>{t(`broker.state.${broker.state}`)}</span>
    </span>
  );
}

/** Status bar item: "Broker: Connected" with URL, reason, since and next retry in the tooltip. */
export function BrokerStatusItem({ broker }: { broker: BrokerStatus }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const lines: string[] = [];
  if (broker.url) lines.push(t('broker.tooltip.url', { url: broker.url }));
  if (broker.reason) lines.push(t(`broker.reason.${broker.reason}`));
  if (broker.reasonText) lines.push(broker.reasonText);
  if (broker.since) lines.push(t('broker.tooltip.since', { time: fmt.dateTime(broker.since) }));
  if (broker.attempts > 0) lines.push(t('broker.tooltip.attempts', { count: broker.attempts }));
  if (broker.nextRetryAt) {
    lines.push(t('broker.tooltip.nextRetry', { relative: fmt.relative(broker.nextRetryAt, now) }));
  }
  return (
    <span
      className={`sb-item sb-broker sb-broker-${broker.state}`}
      data-testid="status-broker"
      data-broker-state={broker.state}
      title={lines.join('\n')}
    >
      <span className="sb-dot" aria-hidden="true" />
      {t('broker.item', { state: t(`broker.state.${broker.state}`) })}
    </span>
  );
}

/**
 * Overview notices: an alert when the broker is down or blocking, a calm note when none is
 * configured (a valid setup: agents still work over the gateway), and the config outbox backlog.
 */
export function BrokerNotices() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const broker = useFleet((s) => s.status?.broker);
  const outbox = useFleet((s) => s.status?.configOutbox ?? 0);
  if (!broker) return null;
  const settingsHref = routeHref({ view: 'settings' });

  let notice = null;
  if (broker.state === 'disconnected' || broker.state === 'blocked') {
    const tone = broker.state === 'blocked' ? 'warn' : 'error';
    notice = (
      <section
        className={`notice notice-${tone}`}
        role="alert"
        data-testid="broker-banner"
        data-broker-state={broker.state}
        data-broker-reason={broker.reason ?? undefined}
      >
        <div className="notice-main">
          <strong className="notice-title">{t(`broker.banner.${broker.state}`)}</strong>
          {broker.reason && <span className="reason-chip">{t(`broker.reason.${broker.reason}`)}</span>}
          {broker.reasonText && <p data-testid="broker-banner-text">{broker.reasonText}</p>}
          <p className="muted small">
            {broker.since > 0 && (
              <span title={fmt.dateTime(broker.since)}>
                {t('broker.banner.since', {
                  relative: fmt.relative(broker.since, now),
                  time: fmt.time(broker.since),
                })}
              </span>
            )}
            {broker.nextRetryAt && (
              <>
                {' · '}
                {broker.nextRetryAt - now > 1000
                  ? t('broker.banner.nextRetry', { relative: fmt.relative(broker.nextRetryAt, now) })
                  : t('broker.banner.retryingNow')}
              </>
            )}
            {broker.url && (
              <>
                {' · '}
                <code>{broker.url}</code>
              </>
            )}
          </p>
          {broker.detail && (
            <details className="notice-details">
              <summary>{t('broker.banner.details')}</summary>
              <code>{broker.detail}</code>
            </details>
          )}
        </div>
        <a className="btn btn-small" href={settingsHref}>
          {t('broker.banner.openSettings')}
        </a>
      </section>
    );
  } else if (broker.state === 'not_configured') {
    notice = (
      <section className="notice notice-info" data-testid="broker-not-configured">
        <div className="notice-main">
          <strong className="notice-title">{t('broker.notConfigured.title')}</strong>
          <p className="muted">{t('broker.notConfigured.text')}</p>
        </div>
        <a className="btn btn-small" href={settingsHref} data-testid="broker-configure-link">
          {t('broker.notConfigured.action')}
        </a>
      </section>
    );
  }

  return (
    <>
      {notice}
      {outbox > 0 && (
        <section className="notice notice-warn" data-testid="config-outbox">
          <div className="notice-main">
            <strong className="notice-title">{t('broker.outbox', { count: outbox })}</strong>
            <p className="muted small">{t('broker.outboxHint')}</p>
          </div>
        </section>
      )}
    </>
  );
}
