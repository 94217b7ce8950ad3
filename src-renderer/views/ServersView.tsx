import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServerView } from '../../src-shared/fleet';
import { Meter } from '../components/Meter';
import { PresenceBadge } from '../components/PresenceBadge';
import { SearchBox } from '../components/SearchBox';
import { CpuSparkline } from '../components/Sparkline';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { useFormat } from '../i18n/format';
import { useFleet } from '../state/context';
import { navigate, routeHref } from '../state/router';
import { useSparklines } from '../state/use-sparklines';
import {
  memoryPercent,
  presenceRank,
  serverMatches,
  sortBy,
  worstDisk,
  type SortState,
} from '../state/selectors';

type ServerColumn = 'hostname' | 'status' | 'agents' | 'cpu' | 'trend' | 'ram' | 'disk' | 'network';

function sortValue(s: ServerView, key: ServerColumn): string | number | undefined {
  const live = s.presence === 'online' ? s.metrics : undefined;
  switch (key) {
    case 'hostname':
      return s.hostname;
    case 'status':
      return presenceRank(s.presence);
    case 'agents':
      return s.onlineAgents * 100_000 + s.agentIds.length;
    case 'cpu':
      return live?.cpuPercent;
    case 'trend':
      return undefined;
    case 'ram':
      return memoryPercent(live);
    case 'disk':
      return worstDisk(s.metrics)?.percent;
    case 'network':
      return live ? live.rxBytesPerSec + live.txBytesPerSec : undefined;
  }
}

const DEFAULT_DIR: Record<ServerColumn, 'asc' | 'desc'> = {
  hostname: 'asc',
  status: 'asc',
  agents: 'desc',
  cpu: 'desc',
  trend: 'desc',
  ram: 'desc',
  disk: 'desc',
  network: 'desc',
};

export function ServersView() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const servers = useFleet((s) => s.servers);
  const sparklines = useSparklines();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortState<ServerColumn>>({ key: 'hostname', dir: 'asc' });
  const deferredQuery = useDeferredValue(query.trim());

  const rows = useMemo(() => {
    const matching = [...servers.values()].filter((s) => serverMatches(s, deferredQuery));
    return sortBy(matching, sort, sortValue, (s) => s.serverId);
  }, [servers, deferredQuery, sort]);

  const columns = useMemo<Column<ServerView, ServerColumn>[]>(() => {
    const na = <span className="muted">{t('metrics.notAvailable')}</span>;
    return [
      {
        id: 'hostname',
        header: t('servers.columns.hostname'),
        width: 'minmax(10rem, 1.8fr)',
        sortable: true,
        render: (s) => (
          <a className="row-link" href={routeHref({ view: 'server', id: s.serverId })} title={s.serverId}>
            {s.hostname}
          </a>
        ),
      },
      {
        id: 'status',
        header: t('servers.columns.status'),
        width: 'minmax(7rem, 0.8fr)',
        sortable: true,
        render: (s) => (
          <PresenceBadge presence={s.presence} kind="server" since={s.since} reason={s.reason} />
        ),
      },
      {
        id: 'agents',
        header: t('servers.columns.agents'),
        width: 'minmax(5rem, 0.6fr)',
        sortable: true,
        align: 'end',
        render: (s) => (
          <span className="tabular">
            {t('servers.agentsOnline', {
              online: fmt.number(s.onlineAgents),
              total: fmt.number(s.agentIds.length),
            })}
          </span>
        ),
      },
      {
        id: 'cpu',
        header: t('servers.columns.cpu'),
        width: 'minmax(7rem, 1fr)',
        sortable: true,
        render: (s) =>
          s.presence === 'online' && s.metrics ? (
            <Meter
              compact
              percent={s.metrics.cpuPercent}
              label={t('servers.columns.cpu')}
              text={fmt.percent(s.metrics.cpuPercent)}
            />
          ) : (
            na
          ),
      },
      {
        id: 'trend',
        header: t('charts.sparkline.column'),
        width: '5.5rem',
        render: (s) => <CpuSparkline values={sparklines?.cpu[s.serverId]} />,
      },
      {
        id: 'ram',
        header: t('servers.columns.ram'),
        width: 'minmax(7rem, 1fr)',
        sortable: true,
        render: (s) => {
          const p = s.presence === 'online' ? memoryPercent(s.metrics) : undefined;
          return p !== undefined ? (
            <Meter compact percent={p} label={t('servers.columns.ram')} text={fmt.percent(p)} />
          ) : (
            na
          );
        },
      },
      {
        id: 'disk',
        header: t('servers.columns.disk'),
        width: 'minmax(7rem, 1fr)',
        sortable: true,
        render: (s) => {
          const worst = worstDisk(s.metrics);
          return worst ? (
            <span title={t('servers.worstDisk', { mount: worst.disk.mount })} className="cell-fill">
              <Meter
                compact
                percent={worst.percent}
                label={t('servers.worstDisk', { mount: worst.disk.mount })}
                text={fmt.percent(worst.percent)}
              />
            </span>
          ) : (
            na
          );
        },
      },
      {
        id: 'network',
        header: t('servers.columns.network'),
        width: 'minmax(11rem, 1.3fr)',
        sortable: true,
        render: (s) =>
          s.presence === 'online' && s.metrics ? (
            <span className="tabular small">
              {t('servers.rxTx', {
                rx: fmt.bytesPerSecond(s.metrics.rxBytesPerSec),
                tx: fmt.bytesPerSecond(s.metrics.txBytesPerSec),
              })}
            </span>
          ) : (
            na
          ),
      },
    ];
  }, [t, fmt, sparklines]);

  return (
    <div className="page page-fill">
      <header className="page-header">
        <div>
          <h1>{t('servers.title')}</h1>
          <p className="muted">{t('servers.count', { count: servers.size })}</p>
        </div>
        <div className="toolbar">
          <SearchBox
            value={query}
            onChange={setQuery}
            placeholder={t('servers.search')}
            label={t('servers.searchLabel')}
          />
        </div>
      </header>
      <VirtualTable
        label={t('servers.tableLabel')}
        rows={rows}
        columns={columns}
        rowKey={(s) => s.serverId}
        rowAttributes={(s) => ({
          'data-testid': 'server-row',
          'data-server-id': s.serverId,
          'data-presence': s.presence,
        })}
        onRowClick={(s) => navigate({ view: 'server', id: s.serverId })}
        sort={sort}
        onSort={(key) =>
          setSort((s) =>
            s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: DEFAULT_DIR[key] },
          )
        }
        empty={deferredQuery ? t('servers.noMatch', { query: deferredQuery }) : t('servers.empty')}
      />
    </div>
  );
}
