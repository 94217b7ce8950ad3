/**
 * Monitoring contract: metrics history, presence history, alerts, notification channels and
 * maintenance mutes. Views are plain JSON produced by the hub; the `*Schema`s validate what a
 * console sends (rules, channels, mutes, queries) on the hub side of every transport.
 */
import { z } from 'zod';
import { AgentIdSchema } from './agent-protocol';
import type { PresenceReason, PresenceState } from './fleet';

// ---- metrics history ----------------------------------------------------------------------------

/**
 * `1h`: full resolution for the last hour: one bucket per metrics interval (the hub's
 * metricsIntervalSec clamped to 1–60 s; 5 s = 720 buckets by default). `24h`: 288 five-minute
 * buckets (average and maximum) for the last day. Details: docs/monitoring.md.
 */
export const HistoryRangeSchema = z.enum(['1h', '24h']);
export type HistoryRange = z.infer<typeof HistoryRangeSchema>;

/**
 * Series names: `cpu` (%), `load1`, `mem` (% used), `rx` / `tx` (bytes/s), and `disk:<mount>` (% used)
 * for every disk the server reported.
 */
export type SeriesName = 'cpu' | 'load1' | 'mem' | 'rx' | 'tx' | `disk:${string}`;

export interface MetricsHistory {
  serverId: string;
  range: HistoryRange;
  /** Bucket width in ms. */
  stepMs: number;
  /** Bucket start times, ms since epoch, oldest first; every bucket of the range, empty ones included. */
  t: number[];
  /**
   * Average per bucket, aligned with `t`; null = no sample in that bucket. `cpu`, `load1`, `mem`,
   * `rx`, `tx` are always present; a `disk:<mount>` only when it has a sample in the range.
   */
  series: Record<string, (number | null)[]>;
  /** Maximum per bucket (24h only; 1h buckets hold about one sample each). */
  max?: Record<string, (number | null)[]>;
}

/** CPU sparklines for the lists: the last 30 minutes in 1-minute averages, oldest first. */
export interface Sparklines {
  stepMs: number;
  /** Start of the first point, ms since epoch. */
  from: number;
  cpu: Record<string, (number | null)[]>;
}

// ---- presence history -----------------------------------------------------------------------------

export const PresenceRangeSchema = z.enum(['24h', '7d']);
export type PresenceRange = z.infer<typeof PresenceRangeSchema>;

export interface PresenceBand {
  state: PresenceState;
  from: number;
  to: number;
  /**
   * Why the band started. On an `unknown` band only `hub_shutdown` (the hub was not running) is
   * meaningful; otherwise the hub was running but had not seen the subject yet.
   */
  reason: PresenceReason;
}

export interface PresenceHistory {
  kind: 'agent' | 'server';
  id: string;
  range: PresenceRange;
  from: number;
  to: number;
  /** Contiguous, oldest first, covering [from, to]; `unknown` where the hub was not running or had not seen it. */
  bands: PresenceBand[];
  /** Online time / (online + offline) time in the range, 0–100; null when nothing is known. */
  uptimePercent: number | null;
  /** Set while the subject is offline. */
  offlineSince?: number;
  offlineReason?: PresenceReason;
}

// ---- alerts ---------------------------------------------------------------------------------------

export const AlertKindSchema = z.enum([
  'agent_offline',
  'server_offline',
  'cpu',
  'memory',
  'disk',
  'job_failed',
]);
export type AlertKind = z.infer<typeof AlertKindSchema>;

export const SeveritySchema = z.enum(['warning', 'critical']);
export type Severity = z.infer<typeof SeveritySchema>;

const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');
const LabelKeySchema = z.string().min(1).max(64);
const LabelValueSchema = z.string().max(256);

export const AlertRuleSchema = z.strictObject({
  /** Omit to create a rule; the hub assigns one. */
  id: IdSchema.optional(),
  name: z.string().trim().min(1).max(120),
  kind: AlertKindSchema,
  enabled: z.boolean().default(true),
  severity: SeveritySchema.default('warning'),
  /** cpu / memory / disk: fire when the value is above this percentage… */
  threshold: z.number().min(0).max(100).optional(),
  /**
   * …for this many seconds (the grace period for agent_offline / server_offline: a reconnect within
   * it raises nothing). Ignored for job_failed.
   */
  forSec: z.number().int().min(0).max(86_400).default(30),
  /** Resolve only once the value is below threshold − hysteresis (percentage points). */
  hysteresis: z.number().min(0).max(50).default(5),
  /** Only agents/servers whose labels include all of these (a server has the labels of its agents). */
  selector: z.record(LabelKeySchema, LabelValueSchema).default({}),
  /** Notification channel ids; empty = no notification (the alert still shows in the console). */
  channels: z.array(IdSchema).max(20).default([]),
});
export type AlertRuleInput = z.input<typeof AlertRuleSchema>;
export type AlertRule = z.output<typeof AlertRuleSchema> & { id: string };

export const ChannelSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    id: IdSchema.optional(),
    kind: z.literal('desktop'),
    name: z.string().trim().min(1).max(120),
    enabled: z.boolean().default(true),
  }),
  z.strictObject({
    id: IdSchema.optional(),
    kind: z.literal('webhook'),
    name: z.string().trim().min(1).max(120),
    enabled: z.boolean().default(true),
    url: z
      .string()
      .max(2048)
      .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), 'an http:// or https:// URL'),
    /** Extra request headers (e.g. Authorization); values are never shown back in clear. */
    headers: z.record(z.string().min(1).max(128), z.string().max(4096)).default({}),
  }),
]);
export type ChannelInput = z.input<typeof ChannelSchema>;
export type Channel = z.output<typeof ChannelSchema> & { id: string };

export const MuteTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('agent'), agentId: AgentIdSchema }),
  z.strictObject({ kind: z.literal('server'), serverId: z.string().min(1).max(255) }),
  z.strictObject({ kind: z.literal('label'), key: LabelKeySchema, value: LabelValueSchema }),
]);
export type MuteTarget = z.infer<typeof MuteTargetSchema>;

export const MuteInputSchema = z.strictObject({
  target: MuteTargetSchema,
  /** ms since epoch; must be in the future. */
  until: z.number().int().positive(),
  reason: z.string().max(500).default(''),
});
export type MuteInput = z.input<typeof MuteInputSchema>;

export interface Mute {
  id: string;
  target: MuteTarget;
  until: number;
  reason: string;
  createdAt: number;
  createdBy: string;
}

export type AlertState = 'pending' | 'firing' | 'resolved';

export type AlertEventType =
  'pending' | 'fired' | 'resolved' | 'cancelled' | 'muted' | 'notified' | 'notify_failed';

export interface AlertTimelineEntry {
  at: number;
  type: AlertEventType;
  /** Words for the operator: the value, the channel, the error… */
  detail?: string;
}

export interface AlertView {
  id: string;
  ruleId: string;
  ruleName: string;
  kind: AlertKind;
  severity: Severity;
  subject: { kind: 'agent' | 'server' | 'job'; id: string; name: string };
  /** Only firing and resolved alerts reach consoles; pending conditions stay inside the hub. */
  state: AlertState;
  /** When the condition started (before the grace/duration elapsed). */
  startedAt: number;
  firedAt: number;
  resolvedAt?: number;
  /** The value that fired it (percentage for cpu/memory/disk). */
  value?: number;
  message: string;
  /** Fired while a maintenance mute covered the subject: shown, not notified. */
  muted: boolean;
  /** Oldest first; bounded. */
  timeline: AlertTimelineEntry[];
}

export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface DeliveryView {
  id: string;
  alertId: string;
  channelId: string;
  channelName: string;
  event: 'alert.fired' | 'alert.resolved' | 'test';
  state: DeliveryState;
  attempts: number;
  lastError?: string;
  /** HTTP status of the last attempt, when there was a response. */
  lastStatus?: number;
  nextAttemptAt?: number;
  createdAt: number;
  updatedAt: number;
}

/** A view of a channel for the console: webhook header values are masked. */
export type ChannelView = Channel & { lastDelivery?: DeliveryView };

export interface AlertSettings {
  rules: AlertRule[];
  channels: ChannelView[];
  /** Active mutes only (expired ones are dropped). */
  mutes: Mute[];
}

export interface AlertCounters {
  /** Firing alerts. */
  active: number;
  critical: number;
  /** Webhook deliveries that gave up since start. */
  failedDeliveries: number;
}

/** What the hub pushes to consoles when an alert fires or resolves (desktop notification, toast). */
export interface AlertNotification {
  event: 'alert.fired' | 'alert.resolved';
  alert: AlertView;
}

/**
 * JSON body of a webhook delivery (documented in docs/alerts.md). `version` changes only on a
 * breaking change.
 */
export interface WebhookBody {
  version: 1;
  event: 'alert.fired' | 'alert.resolved' | 'test';
  /** ISO 8601. */
  sentAt: string;
  /** Host name of the workstation running the console. */
  console: string;
  alert: AlertView | null;
}

export const AlertListQuerySchema = z.strictObject({
  state: z.enum(['firing', 'resolved', 'all']).default('all'),
  subjectId: z.string().max(255).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});

/** Shown instead of a webhook header value; sending it back unchanged keeps the stored value. */
export const MASKED_SECRET = '••••••';

export const monitoringRequestInputs = {
  getMetricsHistory: z.strictObject({ serverId: z.string().min(1).max(255), range: HistoryRangeSchema }),
  getSparklines: z.undefined(),
  getPresenceHistory: z.strictObject({
    kind: z.enum(['agent', 'server']),
    id: z.string().min(1).max(255),
    range: PresenceRangeSchema,
  }),
  getAlertSettings: z.undefined(),
  saveAlertRule: AlertRuleSchema,
  deleteAlertRule: z.strictObject({ id: IdSchema }),
  saveChannel: ChannelSchema,
  deleteChannel: z.strictObject({ id: IdSchema }),
  /** Send a test notification through a channel now (webhook: with the same retries). */
  testChannel: z.strictObject({ id: IdSchema }),
  addMute: MuteInputSchema,
  deleteMute: z.strictObject({ id: IdSchema }),
  listAlerts: AlertListQuerySchema,
  listDeliveries: z.strictObject({ limit: z.number().int().min(1).max(500).default(100) }),
};

export interface MonitoringRequestOutputs {
  getMetricsHistory: MetricsHistory | null;
  getSparklines: Sparklines;
  getPresenceHistory: PresenceHistory | null;
  getAlertSettings: AlertSettings;
  saveAlertRule: AlertRule;
  deleteAlertRule: { deleted: boolean };
  saveChannel: ChannelView;
  deleteChannel: { deleted: boolean };
  testChannel: DeliveryView;
  addMute: Mute;
  deleteMute: { deleted: boolean };
  listAlerts: AlertView[];
  listDeliveries: DeliveryView[];
}
