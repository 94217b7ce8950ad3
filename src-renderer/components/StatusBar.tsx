import { useTranslation } from 'react-i18next';
import { useConnection, useConsole, useFleet } from '../state/context';
import { BrokerStatusItem } from './BrokerStatus';
import { PlainWsWarning } from './GatewaySecurity';
import { SecretStorageWarning } from './SecretStorageWarning';

/** Bottom bar: gateway state and address, agents connected, violations, broker, console link. */
export function StatusBar() {
  const { t } = useTranslation();
  const status = useFleet((s) => s.status);
  const connection = useConnection();
  const { transportKind } = useConsole();
  const gateway = status?.gateway;
  const address = gateway ? `${gateway.host}:${gateway.port}` : '';
  const urls = gateway?.urls ?? [];

  return (
    <footer className="statusbar" data-testid="status-bar" aria-label={t('status.label')}>
      {gateway && (
        <>
          <span className={`sb-item sb-gateway sb-${gateway.state}`} data-testid="status-gateway">
            <span className="sb-dot" aria-hidden="true" />
            {gateway.state === 'listening'
              ? t('status.gateway.listening', { address })
              : gateway.state === 'error'
                ? t('status.gateway.error', { error: gateway.error ?? '' })
                : t(`status.gateway.${gateway.state}`)}
          </span>
          {urls.length > 0 && (
            <span className="sb-item sb-urls" title={urls.join('\n')}>
              <code>{urls[0]}</code>
              {urls.length > 1 && (
                <span className="sb-more">{t('status.moreUrls', { count: urls.length - 1 })}</span>
              )}
            </span>
          )}
          <span className="sb-item" data-testid="status-connections">
            {t('status.connections', { count: gateway.connections })}
          </span>
          <span
            className={`sb-item${gateway.violations > 0 ? ' sb-warn' : ''}`}
            data-testid="status-violations"
            title={t('status.refusedAuth', { count: gateway.refusedAuth })}
          >
            {t('status.violations', { count: gateway.violations })}
          </span>
        </>
      )}
      <PlainWsWarning />
      {status?.broker && <BrokerStatusItem broker={status.broker} />}
      <SecretStorageWarning />
      {status && status.configOutbox > 0 && (
        <span
          className="sb-item sb-warn"
          data-testid="status-outbox"
          title={t('broker.outbox', { count: status.configOutbox })}
        >
          {t('status.outbox', { count: status.configOutbox })}
        </span>
      )}
      <span className="sb-spacer" />
      {status && <span className="sb-item sb-muted">{t(`status.mode.${status.mode}`)}</span>}
      <span
        className={`sb-item sb-link sb-link-${connection.status}`}
        data-testid="status-connection"
        data-connection={connection.status}
        title={transportKind === 'memory' ? undefined : t(`connection.transport.${transportKind}`)}
      >
        <span className="sb-dot" aria-hidden="true" />
        {t(`connection.status.${connection.status}`)}
      </span>
    </footer>
  );
}
