import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EnrollmentView } from '../../../src-shared/enrollment';
import { useConsole, useFleet } from '../../state/context';
import { CopyButton } from '../CopyButton';

/** Load the enrollment view, and again whenever the hub says the pending count or mode changed. */
export function useEnrollment(): {
  view: EnrollmentView | null;
  error: string | null;
  setView: (view: EnrollmentView) => void;
} {
  const { api } = useConsole();
  const counters = useFleet((s) => s.status?.enrollment);
  const [view, setView] = useState<EnrollmentView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = counters?.pending;
  const approvalMode = counters?.approvalMode;
  useEffect(() => {
    let live = true;
    api.call('getEnrollment', undefined).then(
      (v) => live && (setView(v), setError(null)),
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [api, pending, approvalMode]);
  return { view, error, setView };
}

/**
 * Settings → Enrollment: the enrollment token new agents use once (masked until revealed, copy,
 * rotate), and the approval mode (new agents wait as pending until accepted).
 */
export function EnrollmentSection() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const ids = useId();
  const { view, error, setView } = useEnrollment();
  const [token, setToken] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setActionError(null);
    try {
      await action();
    } catch (e) {
      setActionError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }, []);

  if (!view) {
    return error ? (
      <p className="error-text" role="alert">
        {t('app.loadFailed', { message: error })}
      </p>
    ) : null;
  }
  const reveal = () =>
    run(async () => {
      setToken((await api.call('revealEnrollmentToken', undefined)).token);
    });
  const rotate = () =>
    run(async () => {
      if (!window.confirm(t('enrollment.rotateConfirm'))) return;
      setView(await api.call('rotateEnrollmentToken', undefined));
      setToken((await api.call('revealEnrollmentToken', undefined)).token);
    });
  const setApproval = (enabled: boolean) =>
    run(async () => {
      setView(await api.call('setApprovalMode', { enabled }));
    });

  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="enrollment-settings">
      <h2 id={`${ids}-title`} className="card-title">
        {t('enrollment.title')}
      </h2>
      <p className="muted">{t('enrollment.intro')}</p>
      <div className="form-field">
        <span className="form-label" id={`${ids}-token`}>
          {t('enrollment.token')}
        </span>
        <p>
          <code data-testid="enrollment-token">{token ?? view.tokenMasked}</code>{' '}
          {token ? (
            <>
              <CopyButton text={token} what={t('enrollment.token')} />{' '}
              <button type="button" className="btn btn-small" onClick={() => setToken(null)}>
                {t('enrollment.hide')}
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => void reveal()}>
              {t('enrollment.reveal')}
            </button>
          )}{' '}
          <button
            type="button"
            className="btn btn-small"
            disabled={busy || view.tokenSource === 'env'}
            onClick={() => void rotate()}
            data-testid="enrollment-rotate"
          >
            {t('enrollment.rotate')}
          </button>
        </p>
        <p className="muted small">
          {view.tokenSource === 'env' ? t('enrollment.pinnedByEnv') : t('enrollment.rotateHint')}
        </p>
      </div>
      <label className="form-check-inline">
        <input
          type="checkbox"
          checked={view.approvalMode}
          disabled={busy}
          data-testid="approval-mode"
          onChange={(e) => void setApproval(e.target.checked)}
        />{' '}
        {t('enrollment.approvalMode')}
      </label>
      <p className="muted small">{t('enrollment.approvalModeHint')}</p>
      <p className="muted small" data-testid="enrollment-counts">
        {t('enrollment.counts', { enrolled: view.enrolledAgents, pending: view.pending.length })}
      </p>
      {actionError && (
        <p className="error-text" role="alert">
          {actionError}
        </p>
      )}
    </section>
  );
}
