/**
 * An agent's delivery ledger (each revision's path to the agent, with its times and error) and its
 * revision history (who, when, why; a revision can be opened to see its configuration). Both are
 * bounded by the hub (20 ledger entries, 10 revisions), so plain tables are fine here.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentConfigDetail } from '../../../src-shared/config-management';
import { useFormat } from '../../i18n/format';
import { JsonView } from './JsonEditor';

function Time({ at }: { at?: number }) {
  const fmt = useFormat();
  if (!at) return <span className="muted">—</span>;
  return (
    <time dateTime={new Date(at).toISOString()} title={fmt.dateTime(at)}>
      {fmt.time(at)}
    </time>
  );
}

export function ConfigHistory({ detail }: { detail: AgentConfigDetail }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [open, setOpen] = useState<number | null>(null);
  const shown = detail.revisions.find((r) => r.revision === open);
  return (
    <div className="config-history">
      <h3 className="subheading">{t('ledger.title')}</h3>
      {detail.ledger.length === 0 ? (
        <p className="muted">{t('ledger.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="simple-table" data-testid="config-ledger">
            <thead>
              <tr>
                <th scope="col">{t('ledger.revision')}</th>
                <th scope="col">{t('ledger.state')}</th>
                <th scope="col">{t('ledger.path')}</th>
                <th scope="col">{t('ledger.queued')}</th>
                <th scope="col">{t('ledger.delivered')}</th>
                <th scope="col">{t('ledger.applied')}</th>
                <th scope="col">{t('ledger.rejected')}</th>
                <th scope="col">{t('ledger.error')}</th>
              </tr>
            </thead>
            <tbody>
              {detail.ledger.map((l) => (
                <tr
                  key={`${l.revision}-${l.queuedAt}`}
                  data-testid="ledger-row"
                  data-revision={l.revision}
                  data-state={l.state}
                >
                  <td className="tabular">{l.revision}</td>
                  <td>
                    <span className={`ledger-state ledger-${l.state}`}>{t(`ledger.states.${l.state}`)}</span>
                  </td>
                  <td>{t(`ledger.paths.${l.path}`)}</td>
                  <td>
                    <Time at={l.queuedAt} />
                  </td>
                  <td>
                    <Time at={l.deliveredAt} />
                  </td>
                  <td>
                    <Time at={l.appliedAt} />
                  </td>
                  <td>
                    <Time at={l.rejectedAt ?? l.supersededAt} />
                  </td>
                  <td className="cell-message">
                    {l.error ? <span className="error-text">{l.error}</span> : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 className="subheading">{t('revisions.title')}</h3>
      {detail.revisions.length === 0 ? (
        <p className="muted">{t('revisions.empty')}</p>
      ) : (
        <ul className="plain-list revision-list" data-testid="config-revisions">
          {detail.revisions.map((r) => (
            <li key={r.revision} className="revision-item">
              <button
                type="button"
                className="btn btn-small btn-ghost revision-button"
                aria-expanded={open === r.revision}
                data-testid="revision-toggle"
                data-revision={r.revision}
                onClick={() => setOpen(open === r.revision ? null : r.revision)}
              >
                <strong>{t('revisions.revision', { revision: r.revision })}</strong>
                <span className="muted">
                  {t('revisions.meta', { by: r.by, when: fmt.dateTime(r.createdAt), cause: r.cause })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {shown && (
        <div className="revision-config">
          <h4 className="subheading">{t('revisions.configOf', { revision: shown.revision })}</h4>
          <JsonView value={shown.config} testId="revision-config" />
        </div>
      )}
    </div>
  );
}
