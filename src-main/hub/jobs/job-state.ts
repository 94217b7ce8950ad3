/**
 * Jobs reported by agents over RabbitMQ: running jobs and a bounded history.
 *
 * Idempotent by design, because RabbitMQ redelivers and publishers retry: an eventId already seen is
 * ignored, terminal jobs never go back to running, and an event older than the job's latest one does
 * not overwrite it. Memory is bounded by `maxJobs` (terminal jobs evicted oldest first) and
 * `retentionMs`, and the seen-event set by `maxRememberedEvents`.
 */
import type { JobCounters, JobEvent, JobView } from '../../../src-shared';

export interface JobStateOptions {
  maxJobs: number;
  retentionMs: number;
  maxRememberedEvents?: number;
  onChange: (key: string) => void;
}

export type ApplyResult = 'applied' | 'duplicate' | 'stale';

const jobKey = (agentId: string, jobId: string): string => `${agentId}/${jobId}`;
const isTerminal = (job: JobView): boolean => job.state !== 'running';

export class JobStore {
  /** Insertion order = first-seen order, which makes eviction of the oldest cheap. */
  private readonly jobs = new Map<string, JobView>();
  private readonly seenEvents = new Set<string>();
  private readonly counters: JobCounters = {
    running: 0,
    failed: 0,
    eventsProcessed: 0,
    duplicates: 0,
    deadLettered: 0,
  };

  constructor(private readonly options: JobStateOptions) {}

  apply(event: JobEvent): ApplyResult {
    if (this.seenEvents.has(event.eventId)) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.remember(event.eventId);
    this.counters.eventsProcessed++;
    const key = jobKey(event.agentId, event.jobId);
    const job = this.jobs.get(key);
    if (!job) {
      this.jobs.set(key, this.create(key, event));
      if (event.event === 'started' || event.event === 'progress') this.counters.running++;
      else if (this.jobs.get(key)?.state === 'failed') this.counters.failed++;
      this.options.onChange(key);
      this.evict();
      return 'applied';
    }
    // A terminal job stays terminal; an older event never overwrites a newer one.
    if (isTerminal(job) || event.ts < job.updatedAt) return 'stale';
    this.update(job, event);
    this.options.onChange(key);
    return 'applied';
  }

  countDeadLetter(): void {
    this.counters.deadLettered++;
  }

  get(key: string): JobView | undefined {
    return this.jobs.get(key);
  }

  all(): JobView[] {
    return [...this.jobs.values()];
  }

  stats(): JobCounters {
    return { ...this.counters };
  }

  /** Drop terminal jobs past the retention time (called periodically). */
  prune(now: number): void {
    for (const [key, job] of this.jobs) {
      if (isTerminal(job) && (job.finishedAt ?? job.updatedAt) < now - this.options.retentionMs)
        this.remove(key);
    }
  }

  private create(key: string, event: JobEvent): JobView {
    const job: JobView = {
      key,
      jobId: event.jobId,
      agentId: event.agentId,
      name: event.name,
      state: 'running',
      startedAt: event.startedAt ?? event.ts,
      updatedAt: event.ts,
    };
    this.fill(job, event);
    return job;
  }

  private update(job: JobView, event: JobEvent): void {
    const wasRunning = job.state === 'running';
    this.fill(job, event);
    if (wasRunning && job.state !== 'running') {
      this.counters.running--;
      if (job.state === 'failed') this.counters.failed++;
    }
  }

  private fill(job: JobView, event: JobEvent): void {
    job.name = event.name;
    job.updatedAt = event.ts;
    if (event.startedAt !== undefined) job.startedAt = event.startedAt;
    if (event.progress !== undefined) job.progress = event.progress;
    if (event.message !== undefined) job.message = event.message;
    if (event.exitCode !== undefined) job.exitCode = event.exitCode;
    if (event.event === 'finished' || event.event === 'failed') {
      job.state = event.event === 'failed' || (event.exitCode ?? 0) !== 0 ? 'failed' : 'succeeded';
      job.finishedAt = event.ts;
      job.durationMs = Math.max(0, event.ts - job.startedAt);
      if (job.state === 'succeeded') job.progress = 100;
    }
  }

  private remember(eventId: string): void {
    this.seenEvents.add(eventId);
    const max = this.options.maxRememberedEvents ?? 100_000;
    if (this.seenEvents.size > max) {
      // Sets iterate in insertion order: the first entry is the oldest.
      const oldest = this.seenEvents.values().next().value;
      if (oldest !== undefined) this.seenEvents.delete(oldest);
    }
  }

  /** Forget every job of an agent (revoked with its history purged). */
  removeAgent(agentId: string): void {
    for (const [key, job] of this.jobs) if (job.agentId === agentId) this.remove(key);
  }

  private evict(): void {
    if (this.jobs.size <= this.options.maxJobs) return;
    for (const [key, job] of this.jobs) {
      if (this.jobs.size <= this.options.maxJobs) break;
      if (isTerminal(job)) this.remove(key);
    }
  }

  private remove(key: string): void {
    const job = this.jobs.get(key);
    if (!job) return;
    if (job.state === 'failed') this.counters.failed--;
    if (job.state === 'running') this.counters.running--;
    this.jobs.delete(key);
    this.options.onChange(key);
  }
}
