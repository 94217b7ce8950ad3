/**
 * The hub's alerts: every firing alert plus the most recent resolved ones (bounded). Each change is
 * reported to the delta coalescer (an alert dropped from the list is reported too, so consoles
 * remove it) and scheduled for persistence. Pending conditions never get here: an alert exists from
 * the moment it fires.
 */
import { randomUUID } from 'node:crypto';
import type { AlertEventType, AlertListQuerySchema, AlertRule, AlertView } from '../../../src-shared';
import type { z } from 'zod';
import type { AlertRecord } from './alert-files';
import type { Subject } from './subjects';

/** Resolved alerts kept for the console (and snapshots); older ones are dropped. */
export const RESOLVED_KEPT = 500;
/** Timeline entries per alert; the first two (condition start, fired) are always kept. */
export const TIMELINE_MAX = 50;
const TIMELINE_PINNED = 2;

export interface FireInput {
  key: string;
  rule: AlertRule;
  subject: Subject;
  /** When the condition started (start of the grace period / duration). */
  startedAt: number;
  value?: number;
  message: string;
  agentId?: string;
  /** Set when a maintenance mute covers the subject: the words for the timeline. */
  mutedBy?: string;
  /** Channels that will be notified (empty when muted). */
  channels: string[];
}

export interface AlertSink {
  alert(alertId: string): void;
  status(): void;
}

export type AlertListQuery = z.output<typeof AlertListQuerySchema>;

const copyView = (view: AlertView): AlertView => ({
  ...view,
  subject: { ...view.subject },
  timeline: view.timeline.map((entry) => ({ ...entry })),
});

export class AlertBook {
  /** Firing alerts by condition key. */
  private readonly firing = new Map<string, AlertRecord>();
  /** Resolved alerts by id, in resolution order (oldest first). */
  private readonly resolved = new Map<string, AlertRecord>();
  /** Every retained alert by id. */
  private readonly byId = new Map<string, AlertRecord>();

  constructor(
    initial: AlertRecord[],
    private readonly sink: AlertSink,
    private readonly persist: () => void,
  ) {
    const resolved = initial.filter((r) => r.view.state === 'resolved');
    resolved.sort((a, b) => (a.view.resolvedAt ?? 0) - (b.view.resolvedAt ?? 0));
    for (const record of resolved.slice(-RESOLVED_KEPT)) this.resolved.set(record.view.id, record);
    for (const record of initial) {
      if (record.view.state !== 'firing') continue;
      // Two firing alerts for one condition cannot happen through this class; keep the newer.
      const other = this.firing.get(record.key);
      if (!other || other.view.firedAt < record.view.firedAt) this.firing.set(record.key, record);
    }
    for (const record of [...this.firing.values(), ...this.resolved.values()])
      this.byId.set(record.view.id, record);
  }

  fire(input: FireInput, now: number): AlertRecord {
    const timeline: AlertView['timeline'] = [];
    if (input.startedAt < now)
      timeline.push({ at: input.startedAt, type: 'pending', detail: 'condition started' });
    timeline.push({ at: now, type: 'fired', detail: input.message });
    if (input.mutedBy) timeline.push({ at: now, type: 'muted', detail: input.mutedBy });
    const record: AlertRecord = {
      key: input.key,
      agentId: input.agentId,
      channels: input.mutedBy ? [] : input.channels,
      view: {
        id: randomUUID(),
        ruleId: input.rule.id,
        ruleName: input.rule.name,
        kind: input.rule.kind,
        severity: input.rule.severity,
        subject: { kind: input.subject.kind, id: input.subject.id, name: input.subject.name },
        state: 'firing',
        startedAt: input.startedAt,
        firedAt: now,
        value: input.value,
        message: input.message,
        muted: input.mutedBy !== undefined,
        timeline,
      },
    };
    this.firing.set(record.key, record);
    this.byId.set(record.view.id, record);
    this.changed(record.view.id, true);
    return record;
  }

  resolve(record: AlertRecord, now: number, detail: string): void {
    if (record.view.state !== 'firing' || this.firing.get(record.key) !== record) return;
    this.firing.delete(record.key);
    record.view.state = 'resolved';
    record.view.resolvedAt = now;
    this.push(record, 'resolved', detail, now);
    this.resolved.set(record.view.id, record);
    this.changed(record.view.id, true);
    for (const id of this.resolved.keys()) {
      if (this.resolved.size <= RESOLVED_KEPT) break;
      this.resolved.delete(id);
      this.byId.delete(id);
      // Undefined from alertView() from now on: the coalescer sends it as removed.
      this.sink.alert(id);
    }
  }

  /** Add a timeline entry (notified, notify_failed, a repeated job failure…). */
  note(alertId: string, type: AlertEventType, detail: string, now: number): void {
    const record = this.find(alertId);
    if (!record) return;
    this.push(record, type, detail, now);
    this.changed(alertId, false);
  }

  /** A rule was renamed or its severity changed: its firing alerts follow. */
  retitle(record: AlertRecord, rule: AlertRule): void {
    if (record.view.ruleName === rule.name && record.view.severity === rule.severity) return;
    const severityChanged = record.view.severity !== rule.severity;
    record.view.ruleName = rule.name;
    record.view.severity = rule.severity;
    this.changed(record.view.id, severityChanged);
  }

  firingByKey(key: string): AlertRecord | undefined {
    return this.firing.get(key);
  }

  allFiring(): AlertRecord[] {
    return [...this.firing.values()];
  }

  view(alertId: string): AlertView | undefined {
    const record = this.find(alertId);
    return record && copyView(record.view);
  }

  record(alertId: string): AlertRecord | undefined {
    return this.find(alertId);
  }

  /** Firing alerts first, then resolved ones, each newest first. */
  retained(): AlertView[] {
    const byFired = (a: AlertRecord, b: AlertRecord) => b.view.firedAt - a.view.firedAt;
    return [...[...this.firing.values()].sort(byFired), ...[...this.resolved.values()].reverse()].map((r) =>
      copyView(r.view),
    );
  }

  list(query: AlertListQuery): AlertView[] {
    const subjectMatches = (r: AlertRecord) =>
      query.subjectId === undefined || r.view.subject.id === query.subjectId || r.agentId === query.subjectId;
    return this.retained()
      .filter((view) => query.state === 'all' || view.state === query.state)
      .filter((view) => subjectMatches(this.find(view.id) as AlertRecord))
      .slice(0, query.limit);
  }

  /** Everything to persist (firing and retained resolved). */
  records(): AlertRecord[] {
    return [...this.firing.values(), ...this.resolved.values()];
  }

  counts(): { active: number; critical: number } {
    let critical = 0;
    for (const r of this.firing.values()) if (r.view.severity === 'critical') critical++;
    return { active: this.firing.size, critical };
  }

  private find(alertId: string): AlertRecord | undefined {
    return this.byId.get(alertId);
  }

  private push(record: AlertRecord, type: AlertEventType, detail: string, at: number): void {
    const timeline = record.view.timeline;
    timeline.push({ at, type, detail });
    if (timeline.length > TIMELINE_MAX) timeline.splice(TIMELINE_PINNED, timeline.length - TIMELINE_MAX);
  }

  private changed(alertId: string, countersChanged: boolean): void {
    this.sink.alert(alertId);
    if (countersChanged) this.sink.status();
    this.persist();
  }
}
