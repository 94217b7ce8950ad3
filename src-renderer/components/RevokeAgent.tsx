import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate } from '../state/router';
import { useConsole } from '../state/context';
import { Dialog } from './Dialog';

/**
 * Revoke / decommission an agent, after confirmation: its credential stops working at once, its
 * connection is closed, its queue deleted and it leaves the fleet; its history is kept unless the
 * operator ticks "purge".
 */
export function RevokeButton({ agentId, name }: { agentId: string; name: string }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const ids = useId();
  const [open, setOpen] = useState(false);
  const [purge, setPurge] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.call('revokeAgent', { agentId, purgeHistory: purge });
      setOpen(false);
      navigate({ view: 'agents' });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="btn" onClick={() => setOpen(true)} data-testid="revoke-agent">
        {t('enrollment.revoke')}
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} label={t('enrollment.revokeTitle', { agent: name })}>
        <h2 id={`${ids}-title`}>{t('enrollment.revokeTitle', { agent: name })}</h2>
        <p>{t('enrollment.revokeExplain')}</p>
        <label className="form-check-inline">
          <input
            type="checkbox"
            checked={purge}
            onChange={(e) => setPurge(e.target.checked)}
            data-testid="revoke-purge"
          />{' '}
          {t('enrollment.purgeHistory')}
        </label>
        <p className="muted small">{purge ? t('enrollment.purgeHint') : t('enrollment.keepHint')}</p>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void revoke()}
            data-testid="revoke-confirm"
          >
            {t('enrollment.revokeConfirm')}
          </button>
          <button type="button" className="btn" onClick={() => setOpen(false)}>
            {t('enrollment.cancel')}
          </button>
        </div>
      </Dialog>
    </>
  );
}
