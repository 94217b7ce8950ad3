import { useTranslation } from 'react-i18next';
import { AgentJobsCard } from '../components/AgentJobsCard';
import { MuteButton } from '../components/alerts/MuteButton';
import { ConfigCard } from '../components/ConfigCard';
import { ConfigStatusBadge, ResendButton } from '../components/ConfigStatusBadge';
import { BackLink, DetailPlaceholder, Field, Fields, PresenceCard } from '../components/DetailParts';
import { MetricsPanel } from '../components/MetricsPanel';
import { PresenceBadge } from '../components/PresenceBadge';
import { PresenceLog } from '../components/PresenceLog';
import { RevokeButton } from '../components/RevokeAgent';
import { OfflineNotice, PresenceTimeline } from '../components/PresenceTimeline';
import { useConsole, useFleet } from '../state/context';
import { routeHref } from '../state/router';
import { useDetail } from '../state/use-detail';

export function AgentDetailView({ agentId }: { agentId: string }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const live = useFleet((s) => s.agents.get(agentId));
  const detail = useDetail(agentId, () => api.call('getAgentDetail', { agentId }), live);
  // The store is fresher than the last fetch for the entity itself; the log comes from the fetch.
  const agent = live ?? detail.data?.agent;
  const liveServer = useFleet((s) => (agent ? s.servers.get(agent.serverId) : undefined));
  const server = liveServer ?? detail.data?.server;

  if (!agent) {
    return (
      <DetailPlaceholder
        back={{ view: 'agents' }}
        kind="detail.kindAgent"
        error={detail.error}
        notFound={detail.data === null}
      />
    );
  }

  const labels = Object.entries(agent.labels);
  return (
    <div className="page" data-testid="agent-detail" data-agent-id={agent.agentId}>
      <BackLink to={{ view: 'agents' }} />
      <header className="page-header">
        <div>
          <h1 className="detail-title">
            {agent.name} <PresenceBadge presence={agent.presence} />
          </h1>
          <p className="muted mono">{agent.agentId}</p>
          <p className="config-card-status">
            <span className="muted small">{t('configStatus.label')}</span>
            <ConfigStatusBadge agent={agent} />
            <ResendButton agent={agent} />
          </p>
        </div>
        <div className="toolbar">
          <MuteButton target={{ kind: 'agent', agentId: agent.agentId }} />
          <RevokeButton agentId={agent.agentId} name={agent.name} />
        </div>
      </header>
      <OfflineNotice kind="agent" presence={agent.presence} since={agent.since} reason={agent.reason} />
      {detail.error && (
        <p className="error-text" role="alert">
          {t('app.loadFailed', { message: detail.error })}
        </p>
      )}
      <div className="detail-grid">
        <section className="card" aria-labelledby="identity-title">
          <h2 id="identity-title" className="card-title">
            {t('detail.identity')}
          </h2>
          <Fields>
            <Field label={t('detail.fields.agentId')}>
              <code>{agent.agentId}</code>
            </Field>
            <Field label={t('detail.fields.server')}>
              <a href={routeHref({ view: 'server', id: agent.serverId })}>{agent.hostname}</a>
            </Field>
            <Field label={t('detail.fields.platform')}>
              {agent.arch
                ? t('detail.platformArch', { platform: agent.platform, arch: agent.arch })
                : agent.platform}
            </Field>
            <Field label={t('detail.fields.version')}>
              <code>{agent.agentVersion}</code>
            </Field>
            {agent.remoteAddress && (
              <Field label={t('detail.fields.remoteAddress')}>
                <code>{agent.remoteAddress}</code>
              </Field>
            )}
            <Field label={t('detail.fields.configRevision')}>{agent.configRevision}</Field>
            <Field label={t('detail.fields.violations')}>
              <span className={agent.violations > 0 ? 'warn-text' : undefined}>{agent.violations}</span>
            </Field>
          </Fields>
          <h3 className="subheading">{t('detail.labels')}</h3>
          {labels.length === 0 ? (
            <p className="muted">{t('detail.noLabels')}</p>
          ) : (
            <div className="label-list wrap">
              {labels.map(([k, v]) => (
                <span key={k} className="label-chip">
                  {k}={v}
                </span>
              ))}
            </div>
          )}
        </section>
        <PresenceCard
          kind="agent"
          presence={agent.presence}
          since={agent.since}
          reason={agent.reason}
          lastSeen={agent.lastSeen}
        />
      </div>
      <MetricsPanel metrics={server?.metrics} />
      <AgentJobsCard agentId={agent.agentId} />
      <ConfigCard agent={agent} />
      <PresenceTimeline kind="agent" id={agent.agentId} presence={agent.presence} since={agent.since} />
      <PresenceLog kind="agent" log={detail.data?.presenceLog ?? []} />
    </div>
  );
}
