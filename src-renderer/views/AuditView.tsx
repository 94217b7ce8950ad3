/**
 * The configuration audit log: search (text), agent filter and date range; a table of entries
 * (when, who, action, agents, summary, outcome) whose diffs expand; export as CSV or JSON (the hub
 * builds the file; it is saved through a Blob, an object URL and <a download>, the URL revoked after).
 */
import { Fragment, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry, AuditQuery } from '../../src-shared/config-management';
import { DiffView } from '../components/config/DiffView';
import { SearchBox } from '../components/SearchBox';
import { useFormat } from '../i18n/format';
import { useConsole, useFleet } from '../state/context';
import { routeHref } from '../state/router';

const MAX_AGENTS_SHOWN = 3;

/** Offer `content` as a file download (what exportAudit returns). */
export function downloadFile(file: { filename: string; mimeType: string; content: string }): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // Revoke after the click has been handled (the download has taken its copy).
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

/** yyyy-mm-dd (local) → ms; `end` = end of that day. */
function dayToMs(day: string, end: boolean): number | undefined {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return end ? new Date(y, m - 1, d, 23, 59, 59, 999).getTime() : new Date(y, m - 1, d).getTime();
}

export function AuditView() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { api } = useConsole();
  const ids = useId().replace(/:/g, '');
  const agents = useFleet((s) => s.agents);
  const [text, setText] = useState('');
  const [agentId, setAgentId] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const query = useMemo<AuditQuery>(() => {
    const q: AuditQuery = { limit: 500 };
    if (text.trim()) q.text = text.trim();
    if (agentId) q.agentId = agentId;
    const s = dayToMs(since, false);
    const u = dayToMs(until, true);
    if (s !== undefined) q.since = s;
    if (u !== undefined) q.until = u;
    return q;
  }, [text, agentId, since, until]);

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      api.call('queryAudit', query).then(
        (list) => {
          if (cancelled) return;
          setEntries(list);
          setError(null);
        },
        (e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)),
      );
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, query]);

  const agentIds = useMemo(() => [...agents.keys()].sort(), [agents]);

  async function exportAs(format: 'csv' | 'json') {
    setExporting(true);
    setExportError(null);
    try {
      downloadFile(await api.call('exportAudit', { format, query }));
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e));
    } finally {
      setExporting(false);
    }
  }

  return (
    <div className="page" data-testid="audit-view">
      <header className="page-header">
        <div>
          <h1>{t('audit.title')}</h1>
          <p className="muted">{t('audit.subtitle')}</p>
        </div>
        <div className="toolbar">
          <button
            type="button"
            className="btn"
            data-testid="audit-export-csv"
            disabled={exporting}
            onClick={() => void exportAs('csv')}
          >
            {t('audit.exportCsv')}
          </button>
          <button
            type="button"
            className="btn"
            data-testid="audit-export-json"
            disabled={exporting}
            onClick={() => void exportAs('json')}
          >
            {t('audit.exportJson')}
          </button>
        </div>
      </header>
      {exportError && (
        <p className="field-error" role="alert">
          {t('audit.exportFailed', { message: exportError })}
        </p>
      )}
      <div className="audit-filters">
        <SearchBox
          value={text}
          onChange={setText}
          placeholder={t('audit.search')}
          label={t('audit.searchLabel')}
        />
        <label className="form-field">
          <span className="form-label">{t('audit.agent')}</span>
          <select
            className="select input"
            value={agentId}
            data-testid="audit-agent"
            onChange={(e) => setAgentId(e.target.value)}
          >
            <option value="">{t('audit.anyAgent')}</option>
            {agentIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label className="form-field">
          <span className="form-label">{t('audit.since')}</span>
          <input
            className="input"
            type="date"
            value={since}
            data-testid="audit-since"
            onChange={(e) => setSince(e.target.value)}
          />
        </label>
        <label className="form-field">
          <span className="form-label">{t('audit.until')}</span>
          <input
            className="input"
            type="date"
            value={until}
            data-testid="audit-until"
            onChange={(e) => setUntil(e.target.value)}
          />
        </label>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {t('audit.loadFailed', { message: error })}
        </p>
      )}
      <section className="card">
        <p className="muted small" data-testid="audit-count">
          {entries ? t('audit.count', { count: entries.length }) : t('detail.loading')}
        </p>
        {entries && entries.length === 0 ? (
          <p className="muted">{t('audit.empty')}</p>
        ) : (
          <div className="table-scroll">
            <table
              className="simple-table audit-table"
              data-testid="audit-table"
              aria-label={t('audit.tableLabel')}
            >
              <thead>
                <tr>
                  <th scope="col">{t('audit.columns.when')}</th>
                  <th scope="col">{t('audit.columns.who')}</th>
                  <th scope="col">{t('audit.columns.action')}</th>
                  <th scope="col">{t('audit.columns.agents')}</th>
                  <th scope="col">{t('audit.columns.summary')}</th>
                  <th scope="col">{t('audit.columns.outcome')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('audit.showDiff')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {(entries ?? []).map((e) => {
                  const isOpen = open.has(e.id);
                  const hasDiff = e.diff && Object.keys(e.diff).length > 0;
                  return (
                    <Fragment key={e.id}>
                      <tr data-testid="audit-row" data-action={e.action}>
                        <td>
                          <time dateTime={new Date(e.at).toISOString()}>{fmt.dateTime(e.at)}</time>
                        </td>
                        <td>{e.user}</td>
                        <td className="mono">{e.action}</td>
                        <td>
                          {e.agentIds.slice(0, MAX_AGENTS_SHOWN).map((id, i) => (
                            <Fragment key={id}>
                              {i > 0 && ', '}
                              <a href={routeHref({ view: 'agent', id })}>{id}</a>
                            </Fragment>
                          ))}
                          {e.agentIds.length > MAX_AGENTS_SHOWN && (
                            <span className="muted">
                              {' '}
                              {t('audit.moreAgents', { count: e.agentIds.length - MAX_AGENTS_SHOWN })}
                            </span>
                          )}
                        </td>
                        <td>{e.summary}</td>
                        <td className={e.outcome?.startsWith('rejected') ? 'error-text' : undefined}>
                          {e.outcome ?? ''}
                        </td>
                        <td>
                          {hasDiff && (
                            <button
                              type="button"
                              className="btn btn-small btn-ghost"
                              aria-expanded={isOpen}
                              aria-controls={`${ids}-${e.id}`}
                              onClick={() =>
                                setOpen((s) => {
                                  const n = new Set(s);
                                  if (n.has(e.id)) n.delete(e.id);
                                  else n.add(e.id);
                                  return n;
                                })
                              }
                            >
                              {isOpen ? t('audit.hideDiff') : t('audit.showDiff')}
                            </button>
                          )}
                        </td>
                      </tr>
                      {isOpen && e.diff && (
                        <tr className="audit-diff-row" id={`${ids}-${e.id}`}>
                          <td colSpan={7}>
                            <DiffView diff={e.diff} testId="audit-diff" />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
