import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView, ServerView } from '../../src-shared/fleet';
import type { ConfigStatus } from '../../src-shared/config-management';
import { CONFIG_STATUSES, ConfigStatusBadge, ResendButton } from '../components/ConfigStatusBadge';
import { Meter } from '../components/Meter';
import { PendingAgents } from '../components/PendingAgents';
import { PresenceBadge } from '../components/PresenceBadge';
import { SearchBox } from '../components/SearchBox';
import { CpuSparkline } from '../components/Sparkline';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { useFormat } from '../i18n/format';
import { useNow } from '../state/clock';
import { useFleet } from '../state/context';
import { navigate, routeHref } from '../state/router';
import { selectionStore, useSelection } from '../state/selection';
import { useSparklines } from '../state/use-sparklines';
import {
  agentMatches,
  liveMetricsFor,
  memoryPercent,
  presenceRank,
  sortBy,
  type SortState,
} from '../state/selectors';

type AgentColumn =
  | 'select'
  | 'status'
  | 'name'
  | 'config'
  | 'server'
  | 'version'
  | 'lastSeen'
  | 'cpu'
  | 'trend'
  | 'ram'
  | 'labels';

const CONFIG_RANK: Record<ConfigStatus, number> = { failed: 0, drift: 1, pending: 2, in_sync: 3, none: 4 };
type PresenceFilter = 'all' | 'online' | 'offline';

function sortValue(
  agent: AgentView,
  key: AgentColumn,
  servers: ReadonlyMap<string, ServerView>,
): string | number | undefined {
  switch (key) {
    case 'select':
      return undefined;
    case 'config':
      return CONFIG_RANK[agent.configStatus ?? 'none'];
    case 'status':
      return presenceRank(agent.presence);
    case 'name':
      return agent.name;
    case 'server':
      return agent.hostname;
    case 'version':
      return agent.agentVersion;
    case 'lastSeen':
      return agent.lastSeen || undefined;
    case 'cpu':
      return liveMetricsFor(agent, servers)?.cpuPercent;
    case 'trend':
      return undefined;
    case 'ram':
      return memoryPercent(liveMetricsFor(agent, servers));
    case 'labels':
      return Object.keys(agent.labels).length || undefined;
  }
}

/** Numbers read best largest-first; text A→Z. */
const DEFAULT_DIR: Record<AgentColumn, 'asc' | 'desc'> = {
  select: 'asc',
  config: 'asc',
  status: 'asc',
  name: 'asc',
  server: 'asc',
  version: 'desc',
  lastSeen: 'desc',
  cpu: 'desc',
  trend: 'desc',
  ram: 'desc',
  labels: 'desc',
};

export function AgentsView() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const agents = useFleet((s) => s.agents);
  const servers = useFleet((s) => s.servers);
  const sparklines = useSparklines();
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<PresenceFilter>('all');
  const [configFilter, setConfigFilter] = useState<'' | ConfigStatus>('');
  const selected = useSelection((s) => s.ids);
  const [sort, setSort] = useState<SortState<AgentColumn>>({ key: 'name', dir: 'asc' });
  const deferredQuery = useDeferredValue(query.trim());

  const rows = useMemo(() => {
    const matching: AgentView[] = [];
    for (const a of agents.values()) {
      if (filter !== 'all' && a.presence !== filter) continue;
      if (configFilter && a.configStatus !== configFilter) continue;
      if (agentMatches(a, deferredQuery)) matching.push(a);
    }
    return sortBy(
      matching,
      sort,
      (a, key) => sortValue(a, key, servers),
      (a) => a.agentId,
    );
  }, [agents, servers, deferredQuery, filter, configFilter, sort]);

  const columns = useMemo<Column<AgentView, AgentColumn>[]>(
    () => [
      {
        id: 'select',
        header: t('agents.columns.select'),
        width: '2.5rem',
        render: (a) => (
          <input
            type="checkbox"
            className="row-check"
            checked={selected.has(a.agentId)}
            aria-label={t('agents.selectRow', { name: a.name })}
            data-testid="agent-select"
            onClick={(e) => e.stopPropagation()}
            onChange={() => selectionStore.getState().toggle(a.agentId)}
          />
        ),
      },
      {
        id: 'status',
        header: t('agents.columns.status'),
        width: 'minmax(7.5rem, 0.8fr)',
        sortable: true,
        render: (a) => <PresenceBadge presence={a.presence} since={a.since} reason={a.reason} />,
      },
      {
        id: 'name',
        header: t('agents.columns.name'),
        width: 'minmax(9rem, 1.6fr)',
        sortable: true,
        render: (a) => (
          <a className="row-link" href={routeHref({ view: 'agent', id: a.agentId })} title={a.agentId}>
            {a.name}
          </a>
        ),
      },
      {
        id: 'config',
        header: t('agents.columns.config'),
        width: 'minmax(11rem, 1.3fr)',
        sortable: true,
        render: (a) => (
          <span className="cell-config" data-testid="agent-config" data-config-status={a.configStatus}>
            <ConfigStatusBadge agent={a} />
            <ResendButton agent={a} />
          </span>
        ),
      },
      {
        id: 'server',
        header: t('agents.columns.server'),
        width: 'minmax(8rem, 1.3fr)',
        sortable: true,
        render: (a) => <span className="truncate">{a.hostname}</span>,
      },
      {
        id: 'version',
        header: t('agents.columns.version'),
        width: 'minmax(5rem, 0.6fr)',
        sortable: true,
        render: (a) => <span className="mono muted">{a.agentVersion}</span>,
      },
      {
        id: 'lastSeen',
        header: t('agents.columns.lastSeen'),
        width: 'minmax(7rem, 0.9fr)',
        sortable: true,
        // An online agent answers pings: it was seen within the ping interval, whatever the
        // (coarse, at most a minute old) lastSeen says.
        render: (a) =>
          a.presence === 'online' ? (
            <span>{t('presence.seenNow')}</span>
          ) : a.lastSeen ? (
            <time dateTime={new Date(a.lastSeen).toISOString()} title={fmt.dateTime(a.lastSeen)}>
              {fmt.relative(a.lastSeen, now)}
            </time>
          ) : (
            <span className="muted">{t('presence.never')}</span>
          ),
      },
      {
        id: 'cpu',
        header: t('agents.columns.cpu'),
        width: 'minmax(7rem, 0.9fr)',
        sortable: true,
        render: (a) => {
          const m = liveMetricsFor(a, servers);
          return m ? (
            <Meter
              compact
              percent={m.cpuPercent}
              label={t('agents.columns.cpu')}
              text={fmt.percent(m.cpuPercent)}
            />
          ) : (
            <span className="muted">{t('metrics.notAvailable')}</span>
          );
        },
      },
      {
        id: 'trend',
        header: t('charts.sparkline.column'),
        width: '5.5rem',
        render: (a) => <CpuSparkline values={sparklines?.cpu[a.serverId]} />,
      },
      {
        id: 'ram',
        header: t('agents.columns.ram'),
        width: 'minmax(7rem, 0.9fr)',
        sortable: true,
        render: (a) => {
          const p = memoryPercent(liveMetricsFor(a, servers));
          return p !== undefined ? (
            <Meter compact percent={p} label={t('agents.columns.ram')} text={fmt.percent(p)} />
          ) : (
            <span className="muted">{t('metrics.notAvailable')}</span>
          );
        },
      },
      {
        id: 'labels',
        header: t('agents.columns.labels'),
        width: 'minmax(8rem, 1.6fr)',
        render: (a) => (
          <span className="label-list">
            {Object.entries(a.labels).map(([k, v]) => (
              <span key={k} className="label-chip">
                {k}={v}
              </span>
            ))}
          </span>
        ),
      },
    ],
    [t, fmt, now, servers, selected, sparklines],
  );

  const total = agents.size;
  return (
    <div className="page page-fill">
      <header className="page-header">
        <div>
          <h1>{t('agents.title')}</h1>
          <p className="muted" data-testid="agents-count">
            {rows.length === total
              ? t('agents.count', { count: total })
              : t('agents.filtered', {
                  shown: fmt.number(rows.length),
                  total: t('agents.count', { count: total }),
                })}
          </p>
        </div>
        <div className="toolbar">
          <div className="segmented" role="group" aria-label={t('agents.filter.label')}>
            {(['all', 'online', 'offline'] as const).map((f) => (
              <button
                key={f}
                type="button"
                aria-pressed={filter === f}
                className={filter === f ? 'active' : ''}
                onClick={() => setFilter(f)}
              >
                {t(`agents.filter.${f}`)}
              </button>
            ))}
          </div>
          <select
            className="select input"
            aria-label={t('configStatus.filterLabel')}
            value={configFilter}
            data-testid="agents-config-filter"
            onChange={(e) => setConfigFilter(e.target.value as '' | ConfigStatus)}
          >
            <option value="">{t('configStatus.filterAll')}</option>
            {CONFIG_STATUSES.map((c) => (
              <option key={c} value={c}>
                {t(`configStatus.${c}`)}
              </option>
            ))}
          </select>
          <SearchBox
            value={query}
            onChange={setQuery}
            placeholder={t('agents.search')}
            label={t('agents.searchLabel')}
          />
        </div>
      </header>
      <PendingAgents />
      <div className="selection-bar" data-testid="selection-bar">
        <span>{t('agents.selected', { count: selected.size })}</span>
        <button
          type="button"
          className="btn btn-small"
          data-testid="select-all-shown"
          onClick={() =>
            selectionStore.getState().setMany(
              rows.map((a) => a.agentId),
              true,
            )
          }
        >
          {t('agents.selectAll')}
        </button>
        {selected.size > 0 && (
          <>
            <button
              type="button"
              className="btn btn-small btn-primary"
              data-testid="bulk-selected"
              onClick={() => navigate({ view: 'bulk' })}
            >
              {t('agents.bulkSelected')}
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => selectionStore.getState().clear()}
            >
              {t('agents.clearSelection')}
            </button>
          </>
        )}
      </div>
      <VirtualTable
        label={t('agents.tableLabel')}
        rows={rows}
        columns={columns}
        rowKey={(a) => a.agentId}
        rowAttributes={(a) => ({
          'data-testid': 'agent-row',
          'data-agent-id': a.agentId,
          'data-presence': a.presence,
          'data-config-status': a.configStatus,
        })}
        onRowClick={(a) => navigate({ view: 'agent', id: a.agentId })}
        sort={sort}
        onSort={(key) =>
          setSort((s) =>
            s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: DEFAULT_DIR[key] },
          )
        }
        empty={deferredQuery ? t('agents.noMatch', { query: deferredQuery }) : t('agents.empty')}
      />
    </div>
  );
}
