/**
 * Webhook and desktop deliveries: state, attempts, last HTTP status and error, next retry. Failures
 * are the point of this table, so they are marked in words and colour, never hidden.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeliveryView } from '../../../src-shared/monitoring';
import { useFormat } from '../../i18n/format';
import { useNow } from '../../state/clock';
import { useConsole } from '../../state/context';
import { DeliveryStateBadge, errorMessage } from './AlertParts';

export const DELIVERY_REFRESH_MS = 5000;

/** Attempts, HTTP status, error and next retry of one delivery, in one line. */
export function DeliveryOutcome({ delivery }: { delivery: DeliveryView }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  return (
    <span className="delivery-outcome small">
      <span>{t('alerts.delivery.attempts', { count: delivery.attempts })}</span>
      {delivery.lastStatus !== undefined && (
        <span>{t('alerts.delivery.httpStatus', { status: delivery.lastStatus })}</span>
      )}
      {delivery.lastError && (
        <span className="error-text" data-testid="delivery-error">
          {delivery.lastError}
        </span>
      )}
      {delivery.nextAttemptAt !== undefined && delivery.state === 'retrying' && (
        <span title={fmt.dateTime(delivery.nextAttemptAt)}>
          {t('alerts.delivery.nextAttempt', { relative: fmt.relative(delivery.nextAttemptAt, now) })}
        </span>
      )}
    </span>
  );
}

export function DeliveryLog() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { api } = useConsole();
  const [deliveries, setDeliveries] = useState<DeliveryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const reload = useCallback(() => {
    const mine = ++latest.current;
    api.call('listDeliveries', { limit: 100 }).then(
      (list) => {
        if (mine !== latest.current) return;
        setDeliveries(list);
        setError(null);
      },
      (e: unknown) => {
        if (mine === latest.current) setError(errorMessage(e));
      },
    );
  }, [api]);

  // Retries happen in the hub on their own schedule: refresh while the log is on screen.
  useEffect(() => {
    reload();
    const timer = setInterval(reload, DELIVERY_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const failed = deliveries?.filter((d) => d.state === 'failed').length ?? 0;
  return (
    <section className="card stack" aria-labelledby="delivery-log-title" data-testid="delivery-log">
      <div className="card-header">
        <h2 id="delivery-log-title" className="card-title">
          {t('alerts.delivery.title')}
          {failed > 0 && (
            <span className="count-chip count-chip-bad" data-testid="delivery-failed-count">
              {t('alerts.delivery.failedCount', { count: failed })}
            </span>
          )}
        </h2>
        <button type="button" className="btn btn-small" data-testid="delivery-refresh" onClick={reload}>
          {t('alerts.refresh')}
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {t('alerts.loadFailed', { message: error })}
        </p>
      )}
      {deliveries && deliveries.length === 0 && <p className="muted">{t('alerts.delivery.empty')}</p>}
      {deliveries && deliveries.length > 0 && (
        <div className="table-scroll">
          <table className="simple-table delivery-table">
            <thead>
              <tr>
                <th scope="col">{t('alerts.delivery.columns.created')}</th>
                <th scope="col">{t('alerts.delivery.columns.channel')}</th>
                <th scope="col">{t('alerts.delivery.columns.event')}</th>
                <th scope="col">{t('alerts.delivery.columns.state')}</th>
                <th scope="col">{t('alerts.delivery.columns.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr
                  key={d.id}
                  className={d.state === 'failed' ? 'delivery-row-failed' : undefined}
                  data-testid="delivery-row"
                  data-state={d.state}
                  data-channel-id={d.channelId}
                >
                  <td>
                    <time dateTime={new Date(d.createdAt).toISOString()} title={fmt.dateTime(d.createdAt)}>
                      {fmt.time(d.createdAt)}
                    </time>
                  </td>
                  <td>{d.channelName}</td>
                  <td>{t(`alerts.delivery.event.${d.event}`)}</td>
                  <td>
                    <DeliveryStateBadge state={d.state} />
                  </td>
                  <td>
                    <DeliveryOutcome delivery={d} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
