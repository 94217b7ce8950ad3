/** Pure job derivations shared by the Jobs view, the agent detail and the tests. */
import type { JobState, JobView } from '../../src-shared/fleet';
import type { JobTab } from './router';

/**
 * How long a job ran (finished) or has been running (at `now`). Times are the agent's clock, so a
 * running job's figure can be off by the agent's clock skew; never negative.
 */
export function jobDurationMs(job: JobView, now: number): number {
  if (job.state === 'running') return Math.max(0, now - job.startedAt);
  if (job.durationMs !== undefined) return Math.max(0, job.durationMs);
  return Math.max(0, (job.finishedAt ?? job.updatedAt) - job.startedAt);
}

/** When the job last moved: what "recent" sorts by. */
export function jobActivityAt(job: JobView): number {
  return job.finishedAt ?? job.updatedAt ?? job.startedAt;
}

export interface JobFilter {
  tab: JobTab;
  /** Only in the Recent tab; the other tabs are a state already. */
  state?: JobState | 'all';
  /** Agent id, or '' for every agent. */
  agentId?: string;
  /** Case-insensitive substring of the job name (or its id). */
  name?: string;
}

export function jobMatches(job: JobView, filter: JobFilter): boolean {
  if (filter.tab === 'running' && job.state !== 'running') return false;
  if (filter.tab === 'failed' && job.state !== 'failed') return false;
  if (filter.tab === 'recent' && filter.state && filter.state !== 'all' && job.state !== filter.state) {
    return false;
  }
  if (filter.agentId && job.agentId !== filter.agentId) return false;
  if (filter.name) {
    const q = filter.name.toLowerCase();
    if (!job.name.toLowerCase().includes(q) && !job.jobId.toLowerCase().includes(q)) return false;
  }
  return true;
}

/** Running jobs first (newest start first), then the rest by latest activity. */
export function compareJobsForAgent(a: JobView, b: JobView): number {
  const ra = a.state === 'running' ? 0 : 1;
  const rb = b.state === 'running' ? 0 : 1;
  if (ra !== rb) return ra - rb;
  return ra === 0 ? b.startedAt - a.startedAt : jobActivityAt(b) - jobActivityAt(a);
}

/** The jobs of one agent, running first, at most `limit`. */
export function jobsOfAgent(jobs: Iterable<JobView>, agentId: string, limit: number): JobView[] {
  const mine: JobView[] = [];
  for (const j of jobs) if (j.agentId === agentId) mine.push(j);
  mine.sort(compareJobsForAgent);
  return mine.slice(0, limit);
}
