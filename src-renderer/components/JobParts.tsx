/** Small pieces of job display shared by the Jobs view and the agent detail. */
import { useTranslation } from 'react-i18next';
import type { JobState, JobView } from '../../src-shared/fleet';
import { useFormat } from '../i18n/format';
import { jobDurationMs } from '../state/jobs';

const ICONS: Record<JobState, string> = {
  // Play triangle, check mark, cross.
  running: 'M5 3.5v9l7-4.5z',
  succeeded: 'M3.5 8.5l3 3 6-7',
  failed: 'M4.5 4.5l7 7M11.5 4.5l-7 7',
};

/** Icon plus the word: colour alone never carries the meaning. */
export function JobStateBadge({ state }: { state: JobState }) {
  const { t } = useTranslation();
  return (
    <span className={`job-state job-state-${state}`} data-job-state={state}>
      <svg viewBox="0 0 16 16" className="job-state-icon" aria-hidden="true">
        <path d={ICONS[state]} />
      </svg>
      <span className="job-state-word">{t(`jobs.state.${state}`)}</span>
    </span>
  );
}

/** Progress of a running job: a neutral accent bar (not a red/amber "usage" meter). */
export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  const fmt = useFormat();
  const clamped = Math.max(0, Math.min(100, percent));
  const text = fmt.percent(clamped);
  return (
    <span className="progress">
      <span
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(clamped)}
        aria-valuetext={text}
      >
        <span className="progress-fill" style={{ width: `${clamped}%` }} />
      </span>
      <span className="progress-text">{text}</span>
    </span>
  );
}

/** "3 min 5 s"; for a running job it ticks with the shared clock (`now` from useNow()). */
export function JobDuration({ job, now }: { job: JobView; now: number }) {
  const fmt = useFormat();
  return (
    <span className={`tabular${job.state === 'running' ? ' job-live' : ''}`}>
      {fmt.duration(jobDurationMs(job, now))}
    </span>
  );
}

/** Relative start time with the absolute one as a tooltip. */
export function JobStarted({ job, now }: { job: JobView; now: number }) {
  const fmt = useFormat();
  return (
    <time dateTime={new Date(job.startedAt).toISOString()} title={fmt.dateTime(job.startedAt)}>
      {fmt.relative(job.startedAt, now)}
    </time>
  );
}

export function ExitCode({ code }: { code: number | undefined }) {
  const { t } = useTranslation();
  if (code === undefined) return <span className="muted">{t('jobs.none')}</span>;
  return (
    <span
      className={`mono tabular${code !== 0 ? ' error-text' : ''}`}
      title={t('jobs.exitCodeLabel', { code })}
    >
      {code}
    </span>
  );
}
