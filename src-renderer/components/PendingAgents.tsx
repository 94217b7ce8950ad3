import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../i18n/format';
import { useConsole } from '../state/context';
import { useEnrollment } from './settings/EnrollmentSection';

/**
 * Agents waiting for approval (approval mode): listed above the agents table with Accept / Reject.
 * Nothing they send is processed until accepted; rejecting deletes their credential.
 */
export function PendingAgents() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { api } = useConsole();
  const { view, setView } = useEnrollment();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!view || view.pending.length === 0) return null;

  const decide = async (agentId: string, accept: boolean) => {
    setBusy(agentId);
    setError(null);
    try {
      setView(await api.call(accept ? 'acceptAgent' : 'rejectAgent', { agentId }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section
      className="notice notice-warn"
      aria-labelledby="pending-agents-title"
      data-testid="pending-agents"
    >
      <div className="notice-main">
        <h2 id="pending-agents-title" className="notice-title">
          {t('enrollment.pendingTitle', { count: view.pending.length })}
        </h2>
        <p>{t('enrollment.pendingIntro')}</p>
        <ul className="plain-list">
          {view.pending.map((p) => (
            <li key={p.agentId} data-testid={`pending-${p.agentId}`}>
              <strong>{p.name}</strong> <code>{p.agentId}</code>{' '}
              <span className="muted small">
                {t('enrollment.pendingFrom', {
                  hostname: p.hostname,
                  address: p.remoteAddress ?? '—',
                  time: fmt.dateTime(p.requestedAt),
                })}
              </span>{' '}
              <button
                type="button"
                className="btn btn-small btn-primary"
                disabled={busy !== null}
                onClick={() => void decide(p.agentId, true)}
                aria-label={t('enrollment.acceptLabel', { agent: p.agentId })}
              >
                {t('enrollment.accept')}
              </button>{' '}
              <button
                type="button"
                className="btn btn-small"
                disabled={busy !== null}
                onClick={() => void decide(p.agentId, false)}
                aria-label={t('enrollment.rejectLabel', { agent: p.agentId })}
              >
                {t('enrollment.reject')}
              </button>
            </li>
          ))}
        </ul>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </div>
    </section>
  );
}
