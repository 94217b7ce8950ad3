import { useTranslation } from 'react-i18next';
import type { PresenceTransition } from '../../src-shared/fleet';
import { useFormat } from '../i18n/format';
import { PresenceBadge } from './PresenceBadge';

export function PresenceLog({ log, kind }: { log: PresenceTransition[]; kind: 'agent' | 'server' }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <section className="card" aria-labelledby="presence-log-title">
      <h2 id="presence-log-title" className="card-title">
        {t('detail.presenceLog')}
      </h2>
      {log.length === 0 ? (
        <p className="muted">{t('detail.noPresenceLog')}</p>
      ) : (
        <table className="simple-table" data-testid="presence-log">
          <thead>
            <tr>
              <th scope="col">{t('detail.fields.time')}</th>
              <th scope="col">{t('detail.fields.state')}</th>
              <th scope="col">{t('detail.fields.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {log.map((entry, i) => (
              <tr key={`${entry.at}-${i}`}>
                <td className="tabular">
                  <time dateTime={new Date(entry.at).toISOString()}>{fmt.dateTime(entry.at)}</time>
                </td>
                <td>
                  <PresenceBadge presence={entry.state} kind={kind} />
                </td>
                <td>{t(`presence.reason.${entry.reason}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
