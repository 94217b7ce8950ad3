/** Progress of one bulk change: "N of M applied", pending / unchanged / failed, the failures, retry. */
import { useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { BulkAction, BulkView } from '../../src-shared/config-management';
import { useFormat } from '../i18n/format';
import { useConsole } from '../state/context';
import { routeHref } from '../state/router';

// i18next's TFunction, not ReturnType<typeof useTranslation>['t']: with the full catalogue the latter
// makes tsc give up (TS2589, "excessively deep").
export function describeBulkAction(action: BulkAction, t: TFunction): string {
  if (action.kind === 'patch') return t('bulk.describe.patch', { patch: JSON.stringify(action.patch) });
  return t(`bulk.describe.${action.kind}`, { profile: action.profile });
}

export function BulkProgress({ bulk, compact = false }: { bulk: BulkView; compact?: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { api } = useConsole();
  const [retry, setRetry] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const failed = bulk.failed.length;
  return (
    <div
      className="bulk-progress"
      data-testid="bulk-progress"
      data-bulk-id={bulk.bulkId}
      data-done={bulk.done}
    >
      <div className="bulk-figures">
        <span
          className="bulk-headline"
          data-testid="bulk-progress-headline"
          role={compact ? undefined : 'status'}
        >
          {t('bulk.progress', { applied: fmt.number(bulk.applied), total: fmt.number(bulk.total) })}
        </span>
        <span className={bulk.done ? 'muted' : 'warn-text'}>
          {bulk.done ? t('bulk.done') : t('bulk.running')}
        </span>
      </div>
      <div className="bulk-figures muted">
        <span data-testid="bulk-pending">{t('bulk.pending', { count: bulk.pending })}</span>
        <span data-testid="bulk-unchanged">{t('bulk.unchanged', { count: bulk.unchanged })}</span>
        <span data-testid="bulk-failed" className={failed > 0 ? 'error-text' : undefined}>
          {t('bulk.failedCount', { count: failed })}
        </span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={t('bulk.progress', { applied: bulk.applied, total: bulk.total })}
        aria-valuemin={0}
        aria-valuemax={bulk.total}
        aria-valuenow={bulk.applied}
      >
        <div
          className="progress-fill"
          style={{ width: `${bulk.total ? ((bulk.applied + bulk.unchanged) / bulk.total) * 100 : 0}%` }}
        />
      </div>
      {!compact && failed > 0 && (
        <>
          <h3 className="subheading">{t('bulk.failures')}</h3>
          <div className="table-scroll bulk-failures">
            <table className="simple-table" data-testid="bulk-failures">
              <thead>
                <tr>
                  <th scope="col">{t('bulk.failureAgent')}</th>
                  <th scope="col">{t('bulk.failureRevision')}</th>
                  <th scope="col">{t('bulk.failureError')}</th>
                </tr>
              </thead>
              <tbody>
                {bulk.failed.map((f) => (
                  <tr key={f.agentId} data-testid="bulk-failure" data-agent-id={f.agentId}>
                    <td>
                      <a href={routeHref({ view: 'agent', id: f.agentId })}>{f.agentId}</a>
                    </td>
                    <td className="tabular">{f.revision}</td>
                    <td className="error-text">{f.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {!compact && failed > 0 && (
        <div className="form-actions">
          <button
            type="button"
            className="btn"
            data-testid="bulk-retry"
            disabled={retry.busy}
            onClick={() => {
              setRetry({ busy: true, error: null });
              api.call('retryBulk', { bulkId: bulk.bulkId }).then(
                () => setRetry({ busy: false, error: null }),
                (e: unknown) => setRetry({ busy: false, error: e instanceof Error ? e.message : String(e) }),
              );
            }}
          >
            {retry.busy ? t('bulk.retrying') : t('bulk.retry')}
          </button>
          {retry.error && (
            <span className="field-error" role="alert">
              {t('bulk.retryFailed', { message: retry.error })}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
