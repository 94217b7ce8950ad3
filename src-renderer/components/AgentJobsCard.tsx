/** The jobs of one agent on its detail page: running first, then the most recent, bounded. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNow } from '../state/clock';
import { useFleet } from '../state/context';
import { jobsOfAgent } from '../state/jobs';
import { routeHref } from '../state/router';
import { ExitCode, JobDuration, JobStarted, JobStateBadge, ProgressBar } from './JobParts';

const LIMIT = 15;

export function AgentJobsCard({ agentId }: { agentId: string }) {
  const { t } = useTranslation();
  const now = useNow();
  const jobs = useFleet((s) => s.jobs);
  const running = useFleet((s) => s.jobStats.runningByAgent.get(agentId) ?? 0);
  const mine = useMemo(() => jobsOfAgent(jobs.values(), agentId, LIMIT), [jobs, agentId]);

  return (
    <section className="card" aria-labelledby="agent-jobs-title" data-testid="agent-jobs">
      <header className="card-header">
        <h2 id="agent-jobs-title" className="card-title">
          {t('jobs.agentCard.title')}{' '}
          {running > 0 && (
            <span className="count-chip" data-testid="agent-jobs-running">
              {t('jobs.agentCard.running', { count: running })}
            </span>
          )}
        </h2>
        <a className="small" href={routeHref({ view: 'jobs', tab: 'recent', agent: agentId })}>
          {t('jobs.agentCard.viewAll')}
        </a>
      </header>
      {mine.length === 0 ? (
        <p className="muted">{t('jobs.agentCard.empty')}</p>
      ) : (
        <table className="simple-table" aria-label={t('jobs.agentCard.listLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('jobs.columns.state')}</th>
              <th scope="col">{t('jobs.columns.name')}</th>
              <th scope="col">{t('jobs.columns.started')}</th>
              <th scope="col">{t('jobs.columns.duration')}</th>
              <th scope="col">{t('jobs.columns.progress')}</th>
              <th scope="col">{t('jobs.columns.exitCode')}</th>
              <th scope="col">{t('jobs.columns.message')}</th>
            </tr>
          </thead>
          <tbody>
            {mine.map((j) => (
              <tr key={j.key} data-testid="agent-job-row" data-job-key={j.key} data-job-state={j.state}>
                <td>
                  <JobStateBadge state={j.state} />
                </td>
                <td className="strong">{j.name}</td>
                <td>
                  <JobStarted job={j} now={now} />
                </td>
                <td>
                  <JobDuration job={j} now={now} />
                </td>
                <td className="cell-progress">
                  {j.state === 'running' && j.progress !== undefined ? (
                    <ProgressBar percent={j.progress} label={t('jobs.progressLabel', { name: j.name })} />
                  ) : (
                    <span className="muted">{t('jobs.none')}</span>
                  )}
                </td>
                <td>
                  <ExitCode code={j.exitCode} />
                </td>
                <td className={`cell-message${j.state === 'failed' ? ' error-text' : ''}`} title={j.message}>
                  {j.message ?? <span className="muted">{t('jobs.none')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
