/**
 * The rule engine: turns presence transitions, metrics samples and job outcomes into alerts.
 *
 *  - agent_offline / server_offline: an offline transition starts a pending condition; if the subject
 *    is still offline when the grace period (forSec) is over, the alert fires; coming back online
 *    cancels a pending condition (nothing is raised) or resolves a firing alert. Subjects whose
 *    presence is still `unknown` (remembered from a previous run, not reconnected) count as offline
 *    from hub start.
 *  - cpu / memory / disk: one ThresholdTracker per rule and server.
 *  - job_failed: fires when a run ends failed, one alert per agent + job name; the next successful
 *    run of that job name on that agent resolves it.
 *
 * Pending conditions live here only; AlertBook holds what fired. Condition key = rule id + subject.
 */
import type { AlertKind, AlertRule, JobView, MetricsView, PresenceTransition } from '../../../src-shared';
import type { Logger } from '../logger';
import type { AlertBook } from './alert-book';
import type { AlertRecord } from './alert-files';
import type { Clock } from '../util/clock';
import { describeMute, type Mutes } from './mutes';
import { conditionChanged, isThresholdKind, resolveDelayMs } from './rules';
import { matchesSelector, type Subject, type Subjects } from './subjects';
import { ThresholdTracker } from './threshold-tracker';

export interface EngineOptions {
  clock: Clock;
  subjects: Subjects;
  book: AlertBook;
  mutes: Mutes;
  rules: () => readonly AlertRule[];
  /** When the hub started: subjects still `unknown` are offline since then. */
  startedAt: number;
  /** An alert fired or resolved and was not muted: notify these channels. */
  notify(event: 'alert.fired' | 'alert.resolved', alertId: string, channels: string[]): void;
  logger: Logger;
}

interface PendingOffline {
  ruleId: string;
  subjectKind: 'agent' | 'server';
  subjectId: string;
  startedAt: number;
  timer: unknown;
}

/** Last run seen per agent + job name, to ignore duplicates and runs reported out of order. */
interface JobOutcome {
  jobId: string;
  finishedAt: number;
}
const JOB_OUTCOMES_KEPT = 10_000;

const keyOf = (ruleId: string, kind: Subject['kind'], id: string): string => `${ruleId}|${kind}:${id}`;
const offlineKind = (kind: 'agent' | 'server'): AlertKind =>
  kind === 'agent' ? 'agent_offline' : 'server_offline';
const percent = (value: number): string => `${Math.round(value * 10) / 10} %`;

const REASON_WORDS: Record<string, string> = {
  clean_disconnect: 'disconnected cleanly',
  connection_lost: 'connection lost',
  ping_timeout: 'stopped answering pings',
  replaced: 'connection replaced',
  protocol_violation: 'protocol violation',
  hub_shutdown: 'hub shut down',
  all_agents_offline: 'all its agents are offline',
};

export class AlertEngine {
  private readonly pending = new Map<string, PendingOffline>();
  private readonly trackers = new Map<string, ThresholdTracker>();
  private readonly jobOutcomes = new Map<string, JobOutcome>();
  private stopped = false;

  constructor(private readonly o: EngineOptions) {}

  /** Resolve restored alerts that no longer apply, then start conditions for what is offline now. */
  start(): void {
    for (const record of this.o.book.allFiring()) this.recheck(record, ' while the hub was stopped');
    for (const rule of this.o.rules()) this.seed(rule);
  }

  stop(): void {
    this.stopped = true;
    for (const p of this.pending.values()) this.o.clock.clearTimeout(p.timer);
    this.pending.clear();
  }

  // ---- inputs ----------------------------------------------------------------------------------

  presence(kind: 'agent' | 'server', id: string, transition: PresenceTransition): void {
    if (this.stopped) return;
    if (kind === 'server' && transition.state !== 'online') {
      // No samples while offline: a threshold condition must start over when they resume.
      for (const rule of this.thresholdRules()) this.trackers.get(keyOf(rule.id, 'server', id))?.interrupt();
    }
    for (const rule of this.o.rules()) {
      if (rule.kind !== offlineKind(kind)) continue;
      const key = keyOf(rule.id, kind, id);
      if (transition.state === 'online') {
        this.cancelPending(key);
        const firing = this.o.book.firingByKey(key);
        if (firing) this.resolve(firing, 'back online');
      } else if (transition.state === 'offline' && transition.reason !== 'hub_shutdown' && rule.enabled) {
        // A hub shutdown is not the subject's fault; after the restart it is `unknown` and counted then.
        this.startOffline(rule, kind, id, transition.at, transition.reason);
      }
    }
  }

  metrics(serverId: string, metrics: MetricsView): void {
    if (this.stopped) return;
    const rules = this.thresholdRules();
    if (rules.length === 0) return;
    // Looked up only when a selector needs the labels or an alert fires: this runs for every
    // metrics sample of every server (3,000 a second at 15,000 agents).
    let subject: Subject | undefined | null = null;
    const subjectOf = (): Subject | undefined => {
      if (subject === null) subject = this.o.subjects.server(serverId);
      return subject;
    };
    for (const rule of rules) {
      const reading = readValue(rule.kind, metrics);
      if (!reading) continue;
      const key = keyOf(rule.id, 'server', serverId);
      const firing = this.o.book.firingByKey(key);
      const selective = Object.keys(rule.selector).length > 0;
      if (selective && !subjectOf()) return;
      // A firing alert keeps being evaluated even if the labels changed, so it can resolve.
      if (!firing && selective && !matchesSelector(rule.selector, subjectOf()?.labels ?? new Map())) {
        this.trackers.delete(key);
        continue;
      }
      let tracker = this.trackers.get(key);
      if (!tracker) {
        tracker = new ThresholdTracker(
          {
            threshold: rule.threshold ?? 100,
            hysteresis: rule.hysteresis,
            forMs: rule.forSec * 1000,
            resolveMs: resolveDelayMs(rule),
          },
          firing !== undefined,
        );
        this.trackers.set(key, tracker);
      }
      const decision = tracker.sample(reading.value, metrics.receivedAt);
      if (decision === 'fire' && !firing) {
        const fired = subjectOf();
        if (!fired) return;
        this.fire(rule, fired, key, tracker.startedAt ?? metrics.receivedAt, {
          value: round(reading.value),
          message: `${describeKind(rule.kind)}${reading.where} at ${percent(reading.value)}: above ${percent(rule.threshold ?? 100)} for ${rule.forSec} s`,
        });
      } else if (decision === 'resolve' && firing) {
        const below = percent((rule.threshold ?? 100) - rule.hysteresis);
        this.resolve(
          firing,
          `${describeKind(rule.kind)} back to ${percent(reading.value)}, below ${below} for ${resolveDelayMs(rule) / 1000} s`,
        );
      }
    }
  }

  job(job: JobView): void {
    if (this.stopped || job.state === 'running') return;
    const runKey = `${job.agentId}/${job.name}`;
    const finishedAt = job.finishedAt ?? job.updatedAt;
    const last = this.jobOutcomes.get(runKey);
    // Redelivered or out-of-order outcomes (older runs) must not fire or resolve anything.
    if (last && (last.jobId === job.jobId || finishedAt < last.finishedAt)) return;
    this.jobOutcomes.delete(runKey);
    this.jobOutcomes.set(runKey, { jobId: job.jobId, finishedAt });
    if (this.jobOutcomes.size > JOB_OUTCOMES_KEPT) {
      const oldest = this.jobOutcomes.keys().next().value;
      if (oldest !== undefined) this.jobOutcomes.delete(oldest);
    }
    const subject = this.o.subjects.job(job.agentId, job.name);
    for (const rule of this.o.rules()) {
      if (rule.kind !== 'job_failed') continue;
      const key = keyOf(rule.id, 'job', subject.id);
      const firing = this.o.book.firingByKey(key);
      if (job.state === 'succeeded') {
        if (firing) this.resolve(firing, `run ${job.jobId} succeeded`);
        continue;
      }
      if (!rule.enabled || !matchesSelector(rule.selector, subject.labels)) continue;
      const why = failureWords(job);
      if (firing) {
        this.o.book.note(firing.view.id, 'fired', `failed again: run ${job.jobId}${why}`, this.o.clock.now());
        continue;
      }
      this.fire(rule, subject, key, this.o.clock.now(), {
        message: `Job "${job.name}" failed (run ${job.jobId}${why})`,
        agentId: job.agentId,
      });
    }
  }

  /** A rule was created (before undefined), edited, or deleted (after undefined). */
  ruleChanged(before: AlertRule | undefined, after: AlertRule | undefined): void {
    const ruleId = (after ?? before)?.id;
    if (ruleId === undefined || this.stopped) return;
    const firing = this.o.book.allFiring().filter((r) => r.view.ruleId === ruleId);
    if (after) for (const record of firing) this.o.book.retitle(record, after);
    if (before && after && !conditionChanged(before, after)) return;
    this.forgetConditions(ruleId);
    for (const record of firing) this.recheck(record, '');
    if (after) this.seed(after);
  }

  // ---- conditions ------------------------------------------------------------------------------

  /** Start a pending offline condition, unless one is pending or firing already. */
  private startOffline(
    rule: AlertRule,
    kind: 'agent' | 'server',
    id: string,
    startedAt: number,
    reason: string,
  ): void {
    const key = keyOf(rule.id, kind, id);
    if (this.pending.has(key) || this.o.book.firingByKey(key)) return;
    const subject = kind === 'agent' ? this.o.subjects.agent(id) : this.o.subjects.server(id);
    if (!subject || !matchesSelector(rule.selector, subject.labels)) return;
    const delay = Math.max(0, startedAt + rule.forSec * 1000 - this.o.clock.now());
    const timer = this.o.clock.setTimeout(() => this.graceOver(key, reason), delay);
    this.pending.set(key, { ruleId: rule.id, subjectKind: kind, subjectId: id, startedAt, timer });
  }

  private graceOver(key: string, reason: string): void {
    const p = this.pending.get(key);
    if (!p || this.stopped) return;
    this.pending.delete(key);
    const rule = this.o.rules().find((r) => r.id === p.ruleId);
    const presence = this.o.subjects.presence(p.subjectKind, p.subjectId);
    if (!rule?.enabled || !presence || presence.state === 'online') return;
    const subject =
      p.subjectKind === 'agent' ? this.o.subjects.agent(p.subjectId) : this.o.subjects.server(p.subjectId);
    if (!subject || !matchesSelector(rule.selector, subject.labels)) return;
    // Messages leave the subject out: consoles show it next to them (desktop: "<subject>: <message>").
    const message =
      presence.state === 'unknown'
        ? `Offline: not connected since the hub started (grace ${rule.forSec} s)`
        : `Offline: ${REASON_WORDS[reason] ?? reason} (grace ${rule.forSec} s)`;
    this.fire(rule, subject, key, p.startedAt, {
      message,
      agentId: p.subjectKind === 'agent' ? p.subjectId : undefined,
    });
  }

  /** Offline conditions for subjects already offline (or unknown) when a rule starts to apply. */
  private seed(rule: AlertRule): void {
    if (!rule.enabled || (rule.kind !== 'agent_offline' && rule.kind !== 'server_offline')) return;
    const kind = rule.kind === 'agent_offline' ? 'agent' : 'server';
    for (const id of this.o.subjects.ids(kind)) {
      const presence = this.o.subjects.presence(kind, id);
      if (!presence || presence.state === 'online') continue;
      const unknown = presence.state === 'unknown';
      const startedAt = unknown ? Math.max(presence.since, this.o.startedAt) : presence.since;
      this.startOffline(rule, kind, id, startedAt, unknown ? 'unknown' : presence.reason);
    }
  }

  private cancelPending(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.o.clock.clearTimeout(p.timer);
    this.pending.delete(key);
  }

  private forgetConditions(ruleId: string): void {
    const prefix = `${ruleId}|`;
    for (const key of [...this.pending.keys()]) if (key.startsWith(prefix)) this.cancelPending(key);
    for (const key of [...this.trackers.keys()]) if (key.startsWith(prefix)) this.trackers.delete(key);
  }

  /** Resolve a firing alert whose rule or subject no longer makes it apply. */
  /** `when` is appended to the reason (" while the hub was stopped" at start). */
  private recheck(record: AlertRecord, when: string): void {
    const rule = this.o.rules().find((r) => r.id === record.view.ruleId);
    const { kind, id } = record.view.subject;
    if (!rule) return this.resolve(record, `rule deleted${when}`);
    if (!rule.enabled) return this.resolve(record, `rule disabled${when}`);
    if (rule.kind !== record.view.kind) return this.resolve(record, `rule changed to another kind${when}`);
    if (kind === 'job') {
      const agentId = record.agentId ?? id.slice(0, id.indexOf('/'));
      const subject = this.o.subjects.job(agentId, id.slice(agentId.length + 1));
      if (!matchesSelector(rule.selector, subject.labels))
        this.resolve(record, `no longer matches the rule's selector${when}`);
      return;
    }
    const subject = kind === 'agent' ? this.o.subjects.agent(id) : this.o.subjects.server(id);
    if (!subject) return this.resolve(record, `${kind} no longer known to the hub`);
    if (!matchesSelector(rule.selector, subject.labels))
      return this.resolve(record, `no longer matches the rule's selector${when}`);
    if (rule.kind === 'agent_offline' || rule.kind === 'server_offline') {
      if (this.o.subjects.presence(kind, id)?.state === 'online') this.resolve(record, 'back online');
    }
  }

  private fire(
    rule: AlertRule,
    subject: Subject,
    key: string,
    startedAt: number,
    details: { message: string; value?: number; agentId?: string },
  ): void {
    const mute = this.o.mutes.covering(subject);
    const record = this.o.book.fire(
      {
        key,
        rule,
        subject,
        startedAt,
        value: details.value,
        message: details.message,
        agentId: details.agentId ?? (subject.kind === 'agent' ? subject.id : undefined),
        mutedBy: mute && describeMute(mute),
        channels: rule.channels,
      },
      this.o.clock.now(),
    );
    this.o.logger.info('alert fired', {
      alertId: record.view.id,
      rule: rule.name,
      subject: subject.id,
      muted: record.view.muted,
    });
    if (!record.view.muted) this.o.notify('alert.fired', record.view.id, record.channels);
  }

  private resolve(record: AlertRecord, detail: string): void {
    this.o.book.resolve(record, this.o.clock.now(), detail);
    this.o.logger.info('alert resolved', { alertId: record.view.id, detail });
    // Whoever was told it fired is told it resolved (muted alerts told no one).
    if (!record.view.muted && record.channels.length > 0)
      this.o.notify('alert.resolved', record.view.id, record.channels);
  }

  /**
   * Enabled cpu / memory / disk rules, filtered once per rule-list change (the rule book replaces its
   * array on every save), not on every metrics sample.
   */
  private thresholdRules(): AlertRule[] {
    const all = this.o.rules();
    if (this.thresholdCache?.from !== all) {
      this.thresholdCache = { from: all, list: all.filter((r) => r.enabled && isThresholdKind(r.kind)) };
    }
    return this.thresholdCache.list;
  }

  private thresholdCache?: { from: readonly AlertRule[]; list: AlertRule[] };
}

function readValue(kind: AlertKind, m: MetricsView): { value: number; where: string } | undefined {
  if (!isThresholdKind(kind)) return undefined;
  if (kind === 'cpu') return Number.isFinite(m.cpuPercent) ? { value: m.cpuPercent, where: '' } : undefined;
  if (kind === 'memory') {
    if (!(m.memoryTotalBytes > 0)) return undefined;
    return { value: (m.memoryUsedBytes / m.memoryTotalBytes) * 100, where: '' };
  }
  // Any disk over the threshold counts: the fullest one is the value.
  let fullest: { value: number; where: string } | undefined;
  for (const disk of m.disks) {
    if (!(disk.totalBytes > 0)) continue;
    const value = (disk.usedBytes / disk.totalBytes) * 100;
    if (!fullest || value > fullest.value) fullest = { value, where: ` ${disk.mount}` };
  }
  return fullest;
}

const describeKind = (kind: AlertKind): string =>
  kind === 'cpu' ? 'CPU' : kind === 'memory' ? 'Memory' : kind === 'disk' ? 'Disk' : kind;

const round = (value: number): number => Math.round(value * 10) / 10;

function failureWords(job: JobView): string {
  const parts: string[] = [];
  if (job.exitCode !== undefined) parts.push(`exit code ${job.exitCode}`);
  if (job.message) parts.push(job.message.slice(0, 200));
  return parts.length ? `: ${parts.join(', ')}` : '';
}
