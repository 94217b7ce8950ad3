import { useTranslation } from 'react-i18next';
import { useFormat } from '../i18n/format';
import { useNow } from '../state/clock';
import { useConnection } from '../state/context';

/** Shown over the content while the console link to the hub is down: the data is then frozen. */
export function ConnectionBanner() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const connection = useConnection();
  const now = useNow();
  if (connection.status === 'open') return null;
  if (connection.status === 'connecting' && connection.attempt === 0) return null;
  const wait = connection.retryAt ? connection.retryAt - now : 0;
  return (
    <div className="banner banner-error" role="alert" data-testid="connection-banner">
      <strong>{t('connection.status.closed')}</strong>
      {connection.reason && <span>{t(`connection.reason.${connection.reason}`)}</span>}
      {connection.closeCode && connection.closeCode !== 1006 ? (
        <span className="banner-muted">
          {connection.closeText
            ? t('connection.closeCodeText', { code: connection.closeCode, text: connection.closeText })
            : t('connection.closeCode', { code: connection.closeCode })}
        </span>
      ) : null}
      {connection.reason !== 'stopped' && (
        <span className="banner-muted">
          {wait > 500 ? t('connection.retryIn', { duration: fmt.duration(wait) }) : t('connection.retryNow')}
        </span>
      )}
    </div>
  );
}
