import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../src-shared/fleet';
import { MuteButton } from '../components/alerts/MuteButton';
import { BackLink, DetailPlaceholder, Field, Fields, PresenceCard } from '../components/DetailParts';
import { MetricsHistoryCard } from '../components/charts/MetricsHistoryCard';
import { MetricsPanel } from '../components/MetricsPanel';
import { PresenceBadge } from '../components/PresenceBadge';
import { PresenceLog } from '../components/PresenceLog';
import { OfflineNotice, PresenceTimeline } from '../components/PresenceTimeline';
import { useConsole, useFleet } from '../state/context';
import { routeHref } from '../state/router';
import { useDetail } from '../state/use-detail';

export function ServerDetailView({ serverId }: { serverId: string }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const live = useFleet((s) => s.servers.get(serverId));
  const agentsMap = useFleet((s) => s.agents);
  const detail = useDetail(serverId, () => api.call('getServerDetail', { serverId }), live);
  const server = live ?? detail.data?.server;

  const agents = useMemo(() => {
    if (!server) return [];
    const fromStore = server.agentIds
      .map((id) => agentsMap.get(id))
      .filter((a): a is AgentView => a !== undefined);
    return fromStore.length > 0 ? fromStore : (detail.data?.agents ?? []);
  }, [server, agentsMap, detail.data]);

  if (!server) {
    return (
      <DetailPlaceholder
        back={{ view: 'servers' }}
        kind="detail.kindServer"
        error={detail.error}
        notFound={detail.data === null}
      />
    );
  }

  return (
    <div className="page" data-testid="server-detail" data-server-id={server.serverId}>
      <BackLink to={{ view: 'servers' }} />
      <header className="page-header">
        <div>
          <h1 className="detail-title">
            {server.hostname} <PresenceBadge presence={server.presence} kind="server" />
          </h1>
          <p className="muted mono">{server.serverId}</p>
        </div>
        <div className="toolbar">
          <MuteButton target={{ kind: 'server', serverId: server.serverId }} />
        </div>
      </header>
      <OfflineNotice kind="server" presence={server.presence} since={server.since} reason={server.reason} />
      <div className="detail-grid">
        <section className="card" aria-labelledby="identity-title">
          <h2 id="identity-title" className="card-title">
            {t('detail.identity')}
          </h2>
          <Fields>
            <Field label={t('detail.fields.serverId')}>
              <code>{server.serverId}</code>
            </Field>
            <Field label={t('detail.fields.hostname')}>{server.hostname}</Field>
            <Field label={t('detail.fields.platform')}>{server.platform}</Field>
            <Field label={t('detail.fields.agents')}>
              {t('servers.agentsOnline', { online: server.onlineAgents, total: server.agentIds.length })}
            </Field>
          </Fields>
          <h3 className="subheading">{t('detail.agentsOnServer')}</h3>
          <ul className="plain-list">
            {agents.map((a) => (
              <li key={a.agentId}>
                <a href={routeHref({ view: 'agent', id: a.agentId })}>{a.name}</a>
                <PresenceBadge presence={a.presence} since={a.since} reason={a.reason} />
              </li>
            ))}
          </ul>
        </section>
        <PresenceCard kind="server" presence={server.presence} since={server.since} reason={server.reason} />
      </div>
      <MetricsPanel metrics={server.metrics} />
      <MetricsHistoryCard serverId={server.serverId} />
      <PresenceTimeline kind="server" id={server.serverId} presence={server.presence} since={server.since} />
      <PresenceLog kind="server" log={detail.data?.presenceLog ?? []} />
    </div>
  );
}
