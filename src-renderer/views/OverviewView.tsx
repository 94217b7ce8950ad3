import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../src-shared/fleet';
import { BrokerNotices } from '../components/BrokerStatus';
import { ConnectPanel } from '../components/ConnectPanel';
import { useFormat } from '../i18n/format';
import { useNow } from '../state/clock';
import { useFleet } from '../state/context';
import { routeHref } from '../state/router';

const RECENT_LIMIT = 8;

function Tile({
  testId,
  label,
  value,
  detail,
  tone,
  href,
}: {
  testId: string;
  label: string;
  value: string;
  detail?: string;
  tone: 'good' | 'bad' | 'neutral';
  href: string;
}) {
  return (
    <a className={`tile tile-${tone}`} data-testid={testId} href={href}>
      <span className="tile-label">{label}</span>
      <span className="tile-value" data-testid={`${testId}-value`}>
        {value}
      </span>
      {detail && <span className="tile-detail">{detail}</span>}
    </a>
  );
}

export function OverviewView() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const counts = useFleet((s) => s.counts);
  const agents = useFleet((s) => s.agents);
  const jobStats = useFleet((s) => s.jobStats);
  const configCounts = useFleet((s) => s.configCounts);

  const recentlyOffline = useMemo(() => {
    // Keep the top N in one pass instead of sorting the whole fleet.
    const top: AgentView[] = [];
    for (const a of agents.values()) {
      if (a.presence !== 'offline') continue;
      if (top.length < RECENT_LIMIT || a.since > (top[top.length - 1]?.since ?? 0)) {
        top.push(a);
        top.sort((x, y) => y.since - x.since);
        if (top.length > RECENT_LIMIT) top.pop();
      }
    }
    return top;
  }, [agents]);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>{t('overview.title')}</h1>
          <p className="muted">{t('overview.subtitle')}</p>
        </div>
      </header>
      <BrokerNotices />
      <div className="tiles">
        <Tile
          testId="tile-online"
          label={t('overview.tiles.online')}
          value={fmt.number(counts.agentsOnline)}
          detail={t('overview.tiles.ofTotal', { total: fmt.number(counts.agentsTotal) })}
          tone="good"
          href={routeHref({ view: 'agents' })}
        />
        <Tile
          testId="tile-offline"
          label={t('overview.tiles.offline')}
          value={fmt.number(counts.agentsOffline)}
          detail={
            counts.agentsUnknown > 0
              ? t('overview.tiles.unknown', { count: counts.agentsUnknown })
              : t('overview.tiles.ofTotal', { total: fmt.number(counts.agentsTotal) })
          }
          tone={counts.agentsOffline > 0 ? 'bad' : 'neutral'}
          href={routeHref({ view: 'agents' })}
        />
        <Tile
          testId="tile-total"
          label={t('overview.tiles.total')}
          value={fmt.number(counts.agentsTotal)}
          tone="neutral"
          href={routeHref({ view: 'agents' })}
        />
        <Tile
          testId="tile-servers"
          label={t('overview.tiles.servers')}
          value={fmt.number(counts.serversTotal)}
          detail={t('overview.tiles.serversUpDown', {
            up: fmt.number(counts.serversUp),
            down: fmt.number(counts.serversDown),
          })}
          tone={counts.serversDown > 0 ? 'bad' : 'neutral'}
          href={routeHref({ view: 'servers' })}
        />
        <Tile
          testId="tile-jobs-running"
          label={t('overview.tiles.jobsRunning')}
          value={fmt.number(jobStats.running)}
          detail={
            jobStats.running > 0
              ? t('overview.tiles.jobsRunningOn', { count: jobStats.runningByAgent.size })
              : undefined
          }
          tone="neutral"
          href={routeHref({ view: 'jobs', tab: 'running' })}
        />
        <Tile
          testId="tile-jobs-failed"
          label={t('overview.tiles.jobsFailed')}
          value={fmt.number(jobStats.failed)}
          detail={t('overview.tiles.jobsFailedDetail')}
          tone={jobStats.failed > 0 ? 'bad' : 'neutral'}
          href={routeHref({ view: 'jobs', tab: 'failed' })}
        />
      </div>
      <section
        className="card overview-config"
        aria-labelledby="overview-config-title"
        data-testid="overview-config"
      >
        <h2 id="overview-config-title" className="card-title">
          {t('overview.config.title')}
        </h2>
        <div className="config-count-line">
          {(['in_sync', 'pending', 'failed', 'drift'] as const).map((s) => (
            <a
              key={s}
              className={`config-count config-count-${s}`}
              href={routeHref({ view: 'agents' })}
              data-testid={`config-count-${s}`}
            >
              <strong>{fmt.number(configCounts[s])}</strong>
              <span>{t(`configStatus.${s}`)}</span>
            </a>
          ))}
          <span className="muted small">{t('overview.config.noneSet', { count: configCounts.none })}</span>
        </div>
      </section>
      <div className="overview-columns">
        <section className="card" aria-labelledby="recent-offline-title">
          <h2 id="recent-offline-title" className="card-title">
            {t('overview.recentlyOffline.title')}
          </h2>
          {recentlyOffline.length === 0 ? (
            <p className="muted empty-note">
              {counts.agentsTotal === 0
                ? t('overview.recentlyOffline.emptyFleet')
                : t('overview.recentlyOffline.empty')}
            </p>
          ) : (
            <ul
              className="recent-list"
              aria-label={t('overview.recentlyOffline.listLabel')}
              data-testid="recently-offline"
            >
              {recentlyOffline.map((a) => (
                <li key={a.agentId}>
                  <a className="recent-item" href={routeHref({ view: 'agent', id: a.agentId })}>
                    <span className="presence-dot presence-offline-dot" aria-hidden="true" />
                    <span className="recent-main">
                      <span className="recent-name">{a.name}</span>
                      <span className="muted small">{a.hostname}</span>
                    </span>
                    <span className="recent-side">
                      <span className="reason-chip">{t(`presence.reason.${a.reason}`)}</span>
                      <span className="muted small" title={fmt.dateTime(a.since)}>
                        {t('overview.recentlyOffline.offlineFor', {
                          duration: fmt.duration(now - a.since),
                          time: fmt.time(a.since),
                        })}
                      </span>
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>
        <ConnectPanel />
      </div>
    </div>
  );
}
