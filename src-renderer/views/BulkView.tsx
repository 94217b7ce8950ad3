/**
 * Bulk configuration changes: choose the agents (by filter, with a live count and preview, or the
 * ones ticked by hand in the Agents list), choose the change (a JSON merge patch on each agent's
 * override, or assigning/unassigning a profile), apply, and follow the progress live (the hub pushes
 * bulk progress in deltas; the store keeps it by bulkId). Failures are listed and can be retried.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  AgentFilter,
  BulkAction,
  BulkTarget,
  BulkView as Bulk,
  ConfigStatus,
} from '../../src-shared/config-management';
import type { AgentView } from '../../src-shared/fleet';
import { BulkProgress, describeBulkAction } from '../components/BulkProgress';
import { JsonEditor } from '../components/config/JsonEditor';
import { isJsonObject, parseJson } from '../components/config/json-text';
import { CONFIG_STATUSES, ConfigStatusBadge } from '../components/ConfigStatusBadge';
import { LabelRows, rowsToLabels, type LabelRow } from '../components/LabelRows';
import { PresenceBadge } from '../components/PresenceBadge';
import { useFormat } from '../i18n/format';
import { useConsole, useFleet } from '../state/context';
import { routeHref } from '../state/router';
import { useSelection } from '../state/selection';

/** Same rules as the hub's selection (config-service `select`), for the live count and preview. */
export function agentMatchesFilter(a: AgentView, f: AgentFilter): boolean {
  if (f.presence && (a.presence === 'online') !== (f.presence === 'online')) return false;
  if (f.labels && !Object.entries(f.labels).every(([k, v]) => a.labels[k] === v)) return false;
  if (f.configStatus && a.configStatus !== f.configStatus) return false;
  const search = f.search?.toLowerCase();
  if (search && !`${a.agentId} ${a.name} ${a.hostname}`.toLowerCase().includes(search)) return false;
  return true;
}

function PreviewList({ agents }: { agents: AgentView[] }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual is fine with React Compiler off.
  const v = useVirtualizer({
    count: agents.length,
    getScrollElement: () => ref.current,
    estimateSize: () => 32,
    overscan: 10,
  });
  return (
    <div
      className="preview-list"
      ref={ref}
      role="list"
      aria-label={t('bulk.previewLabel')}
      data-testid="bulk-preview"
    >
      <div className="preview-canvas" style={{ height: v.getTotalSize() }}>
        {v.getVirtualItems().map((item) => {
          const a = agents[item.index] as AgentView;
          return (
            <div
              key={a.agentId}
              role="listitem"
              className="preview-item"
              style={{ height: item.size, transform: `translateY(${item.start}px)` }}
              data-testid="bulk-preview-item"
            >
              <PresenceBadge presence={a.presence} />
              <a href={routeHref({ view: 'agent', id: a.agentId })} className="truncate">
                {a.name}
              </a>
              <ConfigStatusBadge agent={a} withRevisions={false} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function BulkView() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { api } = useConsole();
  const ids = useId().replace(/:/g, '');
  const agents = useFleet((s) => s.agents);
  const bulks = useFleet((s) => s.bulks);
  const selected = useSelection((s) => s.ids);
  const [mode, setMode] = useState<'filter' | 'hand'>(selected.size > 0 ? 'hand' : 'filter');
  const [labels, setLabels] = useState<LabelRow[]>([{ key: '', value: '' }]);
  const [presence, setPresence] = useState<'' | 'online' | 'offline'>('');
  const [configStatus, setConfigStatus] = useState<'' | ConfigStatus>('');
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState<BulkAction['kind']>('patch');
  const [patchText, setPatchText] = useState('{\n  \n}');
  const [profile, setProfile] = useState('');
  const [profiles, setProfiles] = useState<string[] | null>(null);
  const [applying, setApplying] = useState(false);
  const [applyError, setApplyError] = useState<string | null>(null);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [returned, setReturned] = useState<Bulk | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.call('listProfiles', undefined).then(
      (list) => !cancelled && setProfiles(list.map((p) => p.name)),
      () => !cancelled && setProfiles([]),
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const filter = useMemo<AgentFilter>(() => {
    const f: AgentFilter = {};
    const l = rowsToLabels(labels);
    if (Object.keys(l).length) f.labels = l;
    if (presence) f.presence = presence;
    if (configStatus) f.configStatus = configStatus;
    if (search.trim()) f.search = search.trim();
    return f;
  }, [labels, presence, configStatus, search]);

  const targets = useMemo(() => {
    const out: AgentView[] = [];
    if (mode === 'hand') {
      for (const id of selected) {
        const a = agents.get(id);
        if (a) out.push(a);
      }
    } else {
      for (const a of agents.values()) if (agentMatchesFilter(a, filter)) out.push(a);
    }
    return out.sort((a, b) => a.agentId.localeCompare(b.agentId));
  }, [mode, selected, agents, filter]);

  const patch = kind === 'patch' ? parseJson(patchText) : null;
  const patchError =
    patch && !patch.ok
      ? t('editor.jsonError', { line: patch.line, column: patch.column, message: patch.message })
      : patch && patch.ok && !isJsonObject(patch.value)
        ? t('config.notObject')
        : null;
  const action: BulkAction | null =
    kind === 'patch'
      ? patch?.ok && isJsonObject(patch.value)
        ? { kind, patch: patch.value }
        : null
      : profile
        ? { kind, profile }
        : null;
  const canApply = targets.length > 0 && action !== null && !applying;

  async function apply() {
    if (!canApply || !action) return;
    const target: BulkTarget = mode === 'hand' ? { agentIds: targets.map((a) => a.agentId) } : { filter };
    setApplying(true);
    setApplyError(null);
    try {
      const view = await api.call('bulkApply', { target, action });
      setReturned(view);
      setCurrentId(view.bulkId);
    } catch (e) {
      setApplyError(e instanceof Error ? e.message : String(e));
    } finally {
      setApplying(false);
    }
  }

  // The store's copy is the live one (deltas); the returned view covers the gap before the first delta.
  const current = currentId
    ? (bulks.get(currentId) ?? (returned?.bulkId === currentId ? returned : null))
    : null;
  const recent = useMemo(
    () => [...bulks.values()].sort((a, b) => b.createdAt - a.createdAt).slice(0, 20),
    [bulks],
  );

  return (
    <div className="page" data-testid="bulk-view">
      <header className="page-header">
        <div>
          <h1>{t('bulk.title')}</h1>
          <p className="muted">{t('bulk.subtitle')}</p>
        </div>
      </header>
      <div className="two-columns">
        <section className="card stack" aria-labelledby={`${ids}-targets`}>
          <h2 id={`${ids}-targets`} className="card-title">
            {t('bulk.targets')}
          </h2>
          <div className="segmented" role="group" aria-label={t('bulk.targetMode.label')}>
            {(['filter', 'hand'] as const).map((m) => (
              <button
                key={m}
                type="button"
                aria-pressed={mode === m}
                className={mode === m ? 'active' : ''}
                data-testid={`bulk-mode-${m}`}
                onClick={() => setMode(m)}
              >
                {t(`bulk.targetMode.${m}`)}
              </button>
            ))}
          </div>
          {mode === 'filter' ? (
            <>
              <div className="form-field">
                <span className="form-label">{t('bulk.labels')}</span>
                <LabelRows rows={labels} onChange={setLabels} testId="bulk-labels" />
              </div>
              <div className="inline-fields">
                <label className="form-field">
                  <span className="form-label">{t('bulk.presence')}</span>
                  <select
                    className="select input"
                    value={presence}
                    data-testid="bulk-presence"
                    onChange={(e) => setPresence(e.target.value as typeof presence)}
                  >
                    <option value="">{t('bulk.presenceAny')}</option>
                    <option value="online">{t('presence.state.online')}</option>
                    <option value="offline">{t('presence.state.offline')}</option>
                  </select>
                </label>
                <label className="form-field">
                  <span className="form-label">{t('bulk.configStatus')}</span>
                  <select
                    className="select input"
                    value={configStatus}
                    data-testid="bulk-config-status"
                    onChange={(e) => setConfigStatus(e.target.value as typeof configStatus)}
                  >
                    <option value="">{t('configStatus.filterAll')}</option>
                    {CONFIG_STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {t(`configStatus.${s}`)}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="form-field">
                  <span className="form-label">{t('bulk.search')}</span>
                  <input
                    className="input"
                    type="search"
                    value={search}
                    data-testid="bulk-search"
                    onChange={(e) => setSearch(e.target.value)}
                  />
                </label>
              </div>
            </>
          ) : (
            selected.size === 0 && (
              <p className="muted">
                {t('bulk.handEmpty')} <a href={routeHref({ view: 'agents' })}>{t('bulk.pickInList')}</a>
              </p>
            )
          )}
          <p className="strong" data-testid="bulk-match-count" role="status">
            {mode === 'hand'
              ? t('bulk.handSelected', { count: targets.length })
              : t('bulk.matching', { count: targets.length })}
          </p>
          {targets.length > 0 && <PreviewList agents={targets} />}
        </section>
        <section className="card stack" aria-labelledby={`${ids}-action`}>
          <h2 id={`${ids}-action`} className="card-title">
            {t('bulk.action')}
          </h2>
          <div className="segmented" role="group" aria-label={t('bulk.action')}>
            {(['patch', 'assignProfile', 'unassignProfile'] as const).map((k) => (
              <button
                key={k}
                type="button"
                aria-pressed={kind === k}
                className={kind === k ? 'active' : ''}
                data-testid={`bulk-kind-${k}`}
                onClick={() => setKind(k)}
              >
                {t(`bulk.actionKind.${k}`)}
              </button>
            ))}
          </div>
          {kind === 'patch' ? (
            <JsonEditor
              id={`${ids}-patch`}
              label={t('bulk.patchLabel')}
              testId="bulk-patch"
              rows={8}
              value={patchText}
              invalid={Boolean(patchError)}
              describedBy={patchError ? `${ids}-patch-error` : undefined}
              onChange={setPatchText}
            >
              {patchError && (
                <p id={`${ids}-patch-error`} className="field-error" role="alert">
                  {patchError}
                </p>
              )}
            </JsonEditor>
          ) : (
            <label className="form-field">
              <span className="form-label">{t('bulk.profile')}</span>
              <select
                className="select input"
                value={profile}
                data-testid="bulk-profile"
                onChange={(e) => setProfile(e.target.value)}
              >
                <option value="">{t('bulk.chooseProfile')}</option>
                {(profiles ?? []).map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
              {profiles?.length === 0 && <span className="muted small">{t('bulk.noProfiles')}</span>}
            </label>
          )}
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-primary"
              data-testid="bulk-apply"
              disabled={!canApply}
              onClick={() => void apply()}
            >
              {applying ? t('bulk.applying') : t('bulk.apply', { count: targets.length })}
            </button>
          </div>
          {applyError && (
            <p className="field-error" role="alert" data-testid="bulk-apply-error">
              {t('bulk.applyFailed', { message: applyError })}
            </p>
          )}
          {current && (
            <div className="bulk-item current" data-testid="bulk-current">
              <h3 className="subheading">{t('bulk.current')}</h3>
              <p className="muted small">{describeBulkAction(current.action, t)}</p>
              <BulkProgress bulk={current} />
            </div>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby={`${ids}-recent`}>
        <h2 id={`${ids}-recent`} className="card-title">
          {t('bulk.recent')}
        </h2>
        {recent.length === 0 ? (
          <p className="muted">{t('bulk.noRecent')}</p>
        ) : (
          <ul className="plain-list bulk-list" data-testid="bulk-recent">
            {recent.map((b) => (
              <li
                key={b.bulkId}
                className={`bulk-item${b.bulkId === currentId ? ' current' : ''}`}
                data-testid="bulk-recent-item"
              >
                <div className="bulk-figures">
                  <strong>{describeBulkAction(b.action, t)}</strong>
                  <span className="muted small">
                    {t('bulk.by', { when: fmt.dateTime(b.createdAt), by: b.by })}
                  </span>
                  {b.bulkId !== currentId && (
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      onClick={() => setCurrentId(b.bulkId)}
                    >
                      {t('bulk.show')}
                    </button>
                  )}
                </div>
                <BulkProgress bulk={b} compact />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
