import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView, HubStatus } from '../../src-shared/fleet';
import type { AlertView } from '../../src-shared/monitoring';
import { BrokerNotices } from '../components/BrokerStatus';
import { ConnectPanel } from '../components/ConnectPanel';
import { FleetGrid, UnhealthyServers } from '../components/FleetGrid';
import { useFormat } from '../i18n/format';
import { ruleDisplayName } from '../i18n/rule-names';
import { alertChangedAt, latestAlerts, subjectRoute } from '../state/alert-order';
import { useNow } from '../state/clock';
import { useFleet } from '../state/context';
import { routeHref } from '../state/router';

const RECENT_LIMIT = 8;
const ALERTS_LIMIT = 10;

function Tile({
  testId,
  label,
  value,
  detail,
  tone,
  href,
  wordValue = false,
}: {
  testId: string;
  label: string;
  value: string;
  detail?: string;
  tone: 'good' | 'bad' | 'warn' | 'neutral';
  href: string;
  /** A word (a state) rather than a count: drawn smaller. */
  wordValue?: boolean;
}) {
  return (
    <a className={`tile tile-${tone}`} data-testid={testId} href={href}>
      <span className="tile-label">{label}</span>
      <span
        className={`tile-value${wordValue ? ' tile-value-word' : ''}`}
        data-testid={`${testId}-value`}
        title={wordValue ? value : undefined}
      >
        {value}
      </span>
      {detail && (
        <span className="tile-detail" title={detail}>
          {detail}
        </span>
      )}
    </a>
  );
}

/** Alerts, broker and gateway tiles: the hub's own state next to the fleet's. */
function HubTiles({ status }: { status: HubStatus }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { alerts, broker, gateway } = status;
  const brokerTone =
    broker.state === 'connected'
      ? 'good'
      : broker.state === 'disconnected'
        ? 'bad'
        : broker.state === 'blocked' || broker.state === 'connecting'
          ? 'warn'
          : 'neutral';
  const address = gateway.urls[0] ?? `${gateway.host}:${gateway.port}`;
  return (
    <>
      <Tile
        testId="tile-alerts"
        label={t('dashboard.tiles.alerts')}
        value={fmt.number(alerts.active)}
        detail={
          alerts.active > 0
            ? t('dashboard.tiles.alertsCritical', { count: alerts.critical })
            : t('dashboard.tiles.alertsNone')
        }
        tone={alerts.critical > 0 ? 'bad' : alerts.active > 0 ? 'warn' : 'good'}
        href={routeHref({ view: 'alerts', tab: 'active' })}
      />
      <Tile
        testId="tile-broker"
        label={t('dashboard.tiles.broker')}
        value={t(`broker.state.${broker.state}`)}
        wordValue
        detail={broker.reason ? t(`broker.reason.${broker.reason}`) : (broker.url ?? undefined)}
        tone={brokerTone}
        href={routeHref({ view: 'settings' })}
      />
      <Tile
        testId="tile-gateway"
        label={t('dashboard.tiles.gateway')}
        value={t(`dashboard.gatewayState.${gateway.state}`)}
        wordValue
        detail={
          gateway.state === 'error'
            ? (gateway.error ?? address)
            : t('dashboard.tiles.gatewayDetail', {
                address,
                count: gateway.connections,
                connections: fmt.number(gateway.connections),
              })
        }
        tone={gateway.state === 'listening' ? 'good' : gateway.state === 'error' ? 'bad' : 'neutral'}
        href={routeHref({ view: 'settings' })}
      />
    </>
  );
}

/** The latest alerts (firing first, newest first), each linking to what it is about. */
function LatestAlerts({ alerts }: { alerts: ReadonlyMap<string, AlertView> }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const list = useMemo(() => latestAlerts(alerts.values(), ALERTS_LIMIT), [alerts]);
  return (
    <section className="card" aria-labelledby="latest-alerts-title" data-testid="dashboard-alerts">
      <header className="card-header">
        <h2 id="latest-alerts-title" className="card-title">
          {t('dashboard.alerts.title')}
        </h2>
        <a className="small" href={routeHref({ view: 'alerts' })}>
          {t('dashboard.alerts.all')}
        </a>
      </header>
      {list.length === 0 ? (
        <p className="muted empty-note">{t('dashboard.alerts.empty')}</p>
      ) : (
        <ul className="recent-list" aria-label={t('dashboard.alerts.listLabel')}>
          {list.map((a) => {
            const at = alertChangedAt(a);
            return (
              <li key={a.id}>
                <a
                  className={`recent-item dashboard-alert alert-${a.state}`}
                  href={routeHref(subjectRoute(a.subject))}
                  data-testid="dashboard-alert"
                  data-alert-id={a.id}
                  data-state={a.state}
                  data-severity={a.severity}
                >
                  <span
                    className={`severity-chip severity-${a.state === 'resolved' ? 'resolved' : a.severity}`}
                  >
                    {a.state === 'resolved'
                      ? t('dashboard.alerts.state.resolved')
                      : t(`dashboard.alerts.severity.${a.severity}`)}
                  </span>
                  <span className="recent-main">
                    <span className="recent-name">{a.subject.name}</span>
                    <span className="muted small">{a.message || ruleDisplayName(a.ruleId, a.ruleName)}</span>
                  </span>
                  <span className="recent-side">
                    {a.muted && <span className="muted small">{t('dashboard.alerts.muted')}</span>}
                    <span className="muted small" title={fmt.dateTime(at)}>
                      {a.state === 'resolved'
                        ? t('dashboard.alerts.resolvedAgo', { relative: fmt.relative(at, now) })
                        : t('dashboard.alerts.firingFor', { duration: fmt.duration(now - a.firedAt) })}
                    </span>
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** Every server as a colored cell, with the legend and the servers that need attention. */
function FleetGridCard() {
  const { t } = useTranslation();
  const servers = useFleet((s) => s.servers);
  return (
    <section className="card fleet-grid-card" aria-labelledby="fleet-grid-title">
      <header className="card-header">
        <h2 id="fleet-grid-title" className="card-title">
          {t('dashboard.grid.title')}
        </h2>
        <a className="small" href={routeHref({ view: 'servers' })}>
          {t('dashboard.grid.allServers')}
        </a>
      </header>
      <FleetGrid servers={servers} />
      <UnhealthyServers servers={servers} />
    </section>
  );
}

/** Agents that went offline most recently, with why and for how long. */
function RecentlyOffline({ agents, total }: { agents: AgentView[]; total: number }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  return (
    <section className="card" aria-labelledby="recent-offline-title">
      <h2 id="recent-offline-title" className="card-title">
        {t('overview.recentlyOffline.title')}
      </h2>
      {agents.length === 0 ? (
        <p className="muted empty-note">
          {total === 0 ? t('overview.recentlyOffline.emptyFleet') : t('overview.recentlyOffline.empty')}
        </p>
      ) : (
        <ul
          className="recent-list"
          aria-label={t('overview.recentlyOffline.listLabel')}
          data-testid="recently-offline"
        >
          {agents.map((a) => (
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
  );
}

export function OverviewView() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const counts = useFleet((s) => s.counts);
  const agents = useFleet((s) => s.agents);
  const jobStats = useFleet((s) => s.jobStats);
  const configCounts = useFleet((s) => s.configCounts);
  const status = useFleet((s) => s.status);
  const alerts = useFleet((s) => s.alerts);

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
        {status && <HubTiles status={status} />}
      </div>
      <FleetGridCard />
      <div className="overview-columns">
        <LatestAlerts alerts={alerts} />
        <RecentlyOffline agents={recentlyOffline} total={counts.agentsTotal} />
      </div>
      <div className="overview-columns">
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
        <ConnectPanel />
      </div>
    </div>
  );
}
