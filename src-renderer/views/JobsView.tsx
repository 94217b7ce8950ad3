import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView, JobState, JobView } from '../../src-shared/fleet';
import { ExitCode, JobDuration, JobStarted, JobStateBadge, ProgressBar } from '../components/JobParts';
import { SearchBox } from '../components/SearchBox';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { useFormat } from '../i18n/format';
import { useNow } from '../state/clock';
import { useFleet } from '../state/context';
import { jobDurationMs, jobMatches } from '../state/jobs';
import { JOB_TABS, navigate, routeHref, type JobTab } from '../state/router';
import { sortBy, type SortState } from '../state/selectors';

type JobColumn = 'state' | 'name' | 'agent' | 'started' | 'duration' | 'progress' | 'exitCode' | 'message';

const STATE_ORDER: Record<JobState, number> = { failed: 0, running: 1, succeeded: 2 };

const DEFAULT_DIR: Partial<Record<JobColumn, 'asc' | 'desc'>> = {
  state: 'asc',
  name: 'asc',
  agent: 'asc',
  started: 'desc',
  duration: 'desc',
};

function agentName(agents: ReadonlyMap<string, AgentView>, agentId: string): string {
  return agents.get(agentId)?.name ?? agentId;
}

export function JobsView({ tab, initialAgent = '' }: { tab: JobTab; initialAgent?: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const jobs = useFleet((s) => s.jobs);
  const agents = useFleet((s) => s.agents);
  const stats = useFleet((s) => s.jobStats);
  const [query, setQuery] = useState('');
  const [agentId, setAgentId] = useState(initialAgent);
  const [state, setState] = useState<JobState | 'all'>('all');
  const [sort, setSort] = useState<SortState<JobColumn>>({ key: 'started', dir: 'desc' });
  const deferredQuery = useDeferredValue(query.trim());
  // Running durations change every second; only re-sort on the clock when sorting by duration.
  const sortNow = sort.key === 'duration' ? now : 0;

  /** Agents that appear in the job history (bounded by the hub), for the agent filter. */
  const jobAgents = useMemo(() => {
    const ids = new Set<string>();
    for (const j of jobs.values()) ids.add(j.agentId);
    return [...ids]
      .map((id) => ({ id, name: agentName(agents, id) }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }, [jobs, agents]);

  const rows = useMemo(() => {
    const matching: JobView[] = [];
    const filter = { tab, state, agentId, name: deferredQuery };
    for (const j of jobs.values()) if (jobMatches(j, filter)) matching.push(j);
    return sortBy(
      matching,
      sort,
      (j, key) => {
        switch (key) {
          case 'state':
            return STATE_ORDER[j.state];
          case 'name':
            return j.name;
          case 'agent':
            return agentName(agents, j.agentId);
          case 'started':
            return j.startedAt;
          case 'duration':
            return jobDurationMs(j, sortNow);
          default:
            return undefined;
        }
      },
      (j) => j.key,
    );
  }, [jobs, agents, tab, state, agentId, deferredQuery, sort, sortNow]);

  const columns = useMemo<Column<JobView, JobColumn>[]>(
    () => [
      {
        id: 'state',
        header: t('jobs.columns.state'),
        width: 'minmax(7.5rem, 0.8fr)',
        sortable: true,
        render: (j) => <JobStateBadge state={j.state} />,
      },
      {
        id: 'name',
        header: t('jobs.columns.name'),
        width: 'minmax(9rem, 1.5fr)',
        sortable: true,
        render: (j) => (
          <span className="truncate strong" title={`${j.name} (${j.jobId})`}>
            {j.name}
          </span>
        ),
      },
      {
        id: 'agent',
        header: t('jobs.columns.agent'),
        width: 'minmax(8rem, 1.1fr)',
        sortable: true,
        render: (j) => (
          <a className="row-link" href={routeHref({ view: 'agent', id: j.agentId })} title={j.agentId}>
            {agentName(agents, j.agentId)}
          </a>
        ),
      },
      {
        id: 'started',
        header: t('jobs.columns.started'),
        width: 'minmax(7rem, 0.9fr)',
        sortable: true,
        render: (j) => <JobStarted job={j} now={now} />,
      },
      {
        id: 'duration',
        header: t('jobs.columns.duration'),
        width: 'minmax(6rem, 0.8fr)',
        sortable: true,
        render: (j) => <JobDuration job={j} now={now} />,
      },
      {
        id: 'progress',
        header: t('jobs.columns.progress'),
        width: 'minmax(8rem, 1fr)',
        render: (j) =>
          j.state === 'running' && j.progress !== undefined ? (
            <ProgressBar percent={j.progress} label={t('jobs.progressLabel', { name: j.name })} />
          ) : (
            <span className="muted">{t('jobs.none')}</span>
          ),
      },
      {
        id: 'exitCode',
        header: t('jobs.columns.exitCode'),
        width: 'minmax(3.5rem, 0.4fr)',
        align: 'end',
        render: (j) => <ExitCode code={j.exitCode} />,
      },
      {
        id: 'message',
        header: t('jobs.columns.message'),
        width: 'minmax(10rem, 2fr)',
        render: (j) =>
          j.message ? (
            <span className={`truncate${j.state === 'failed' ? ' error-text' : ''}`} title={j.message}>
              {j.message}
            </span>
          ) : (
            <span className="muted">{t('jobs.none')}</span>
          ),
      },
    ],
    [t, now, agents],
  );

  const total = jobs.size;
  const filtered = rows.length !== total;
  return (
    <div className="page page-fill" data-testid="jobs-view" data-tab={tab}>
      <header className="page-header">
        <div>
          <h1>{t('jobs.title')}</h1>
          <p className="muted" data-testid="jobs-count">
            {filtered
              ? t('jobs.filtered', {
                  shown: fmt.number(rows.length),
                  total: t('jobs.count', { count: total }),
                })
              : t('jobs.count', { count: total })}
          </p>
        </div>
        <div className="toolbar">
          <div className="segmented" role="group" aria-label={t('jobs.tabs.label')}>
            {JOB_TABS.map((x) => (
              <button
                key={x}
                type="button"
                aria-pressed={tab === x}
                className={tab === x ? 'active' : ''}
                data-testid={`jobs-tab-${x}`}
                onClick={() =>
                  // Same agent in the address: the view is not remounted, local filters stay.
                  navigate(
                    initialAgent ? { view: 'jobs', tab: x, agent: initialAgent } : { view: 'jobs', tab: x },
                  )
                }
              >
                {t(`jobs.tabs.${x}`)}
                {x === 'running' && stats.running > 0 && <span className="tab-count">{stats.running}</span>}
                {x === 'failed' && stats.failed > 0 && <span className="tab-count">{stats.failed}</span>}
              </button>
            ))}
          </div>
          {tab === 'recent' && (
            <select
              className="select"
              aria-label={t('jobs.stateFilter.label')}
              data-testid="jobs-state-filter"
              value={state}
              onChange={(e) => setState(e.target.value as JobState | 'all')}
            >
              <option value="all">{t('jobs.stateFilter.all')}</option>
              {(['running', 'succeeded', 'failed'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`jobs.state.${s}`)}
                </option>
              ))}
            </select>
          )}
          <select
            className="select"
            aria-label={t('jobs.agentFilter.label')}
            data-testid="jobs-agent-filter"
            value={agentId}
            onChange={(e) => setAgentId(e.target.value)}
          >
            <option value="">{t('jobs.agentFilter.all')}</option>
            {agentId && !jobAgents.some((a) => a.id === agentId) && (
              <option value={agentId}>{agentName(agents, agentId)}</option>
            )}
            {jobAgents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          <SearchBox
            value={query}
            onChange={setQuery}
            placeholder={t('jobs.search')}
            label={t('jobs.searchLabel')}
          />
        </div>
      </header>
      <VirtualTable
        label={t('jobs.tableLabel')}
        rows={rows}
        columns={columns}
        rowKey={(j) => j.key}
        rowAttributes={(j) => ({
          'data-testid': 'job-row',
          'data-job-key': j.key,
          'data-job-state': j.state,
        })}
        sort={sort}
        onSort={(key) =>
          setSort((s) =>
            s.key === key
              ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' }
              : { key, dir: DEFAULT_DIR[key] ?? 'asc' },
          )
        }
        empty={
          deferredQuery || agentId || (tab === 'recent' && state !== 'all')
            ? t('jobs.noMatch')
            : t(`jobs.empty.${tab}`)
        }
      />
    </div>
  );
}
