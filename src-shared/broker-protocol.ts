/**
 * RabbitMQ side of the agent protocol: topology names, message properties and every message body
 * that crosses the broker. Agents publish job events and configuration reports to the events
 * exchange; the hub publishes configurations to one durable queue per agent. Documented in
 * docs/protocol.md (section "RabbitMQ").
 */
import { z } from 'zod';
import { AgentIdSchema } from './agent-protocol';
import { JsonDocumentSchema } from './json-document';

export const BROKER_PROTOCOL_VERSION = 1;

export const Topology = {
  /** Topic exchange agents publish to. Routing key: `agent.<agentId>.job` or `agent.<agentId>.config`. */
  eventsExchange: 'centralizer.events',
  /** Durable queue the hub consumes (manual acks), bound to the events exchange with `agent.#`. */
  hubEventsQueue: 'centralizer.hub.events',
  /** Fanout dead-letter exchange for events the hub rejected as malformed. */
  deadLetterExchange: 'centralizer.dlx',
  deadLetterQueue: 'centralizer.hub.events.dead',
  /** Direct exchange the hub publishes configurations to; routing key = agent id. */
  commandsExchange: 'centralizer.commands',
  /** Per-agent durable queue name. */
  agentQueue: (agentId: string): string => `centralizer.agent.${agentId}`,
  jobRoutingKey: (agentId: string): string => `agent.${agentId}.job`,
  configReportRoutingKey: (agentId: string): string => `agent.${agentId}.config`,
  /**
   * Per-agent queue bound: configurations are whole documents and "latest wins", so the queue keeps
   * only the newest ready message and drops the older one (`drop-head`): an agent back after a week
   * applies the latest revision once instead of replaying every change. (A message already delivered
   * and not yet acked does not count toward the limit.)
   */
  agentQueueMaxLength: 1,
  agentQueueOverflow: 'drop-head',
  /** Unacknowledged deliveries in flight per consumer (RabbitMQ's advice: 100–300). */
  hubPrefetch: 200,
} as const;

/** Headers every message carries (besides the AMQP properties listed in docs/protocol.md). */
export const Headers = {
  agentId: 'x-agent-id',
  protocol: 'x-protocol',
} as const;

const ts = z.number().int().nonnegative();

// ---- agent → hub (events exchange) ----------------------------------------------------------------

export const JobEventKindSchema = z.enum(['started', 'progress', 'finished', 'failed']);
export type JobEventKind = z.infer<typeof JobEventKindSchema>;

export const JobEventSchema = z.strictObject({
  type: z.literal('job'),
  /** Unique per event; the hub ignores an eventId it has already processed (redeliveries, retries). */
  eventId: z.string().min(1).max(128),
  event: JobEventKindSchema,
  agentId: AgentIdSchema,
  /** Unique per job run on this agent. */
  jobId: z.string().min(1).max(128),
  name: z.string().min(1).max(256),
  /** When the event happened, ms since epoch (agent clock). */
  ts,
  /** When the job started, ms since epoch. */
  startedAt: ts.optional(),
  /** 0–100, for `progress` (and optionally others). */
  progress: z.number().finite().min(0).max(100).optional(),
  message: z.string().max(2000).optional(),
  /** Process exit status for `finished` / `failed` (0 = success). */
  exitCode: z.number().int().optional(),
});
export type JobEvent = z.infer<typeof JobEventSchema>;

export const ConfigReportSchema = z.strictObject({
  type: z.literal('config.report'),
  eventId: z.string().min(1).max(128),
  agentId: AgentIdSchema,
  revision: z.number().int().positive(),
  status: z.enum(['applied', 'rejected']),
  /** Why the agent rejected the configuration (validation error, write failure…). */
  error: z.string().max(2000).optional(),
  ts,
});
export type ConfigReport = z.infer<typeof ConfigReportSchema>;

export const AgentEventSchema = z.discriminatedUnion('type', [JobEventSchema, ConfigReportSchema]);
export type AgentEvent = z.infer<typeof AgentEventSchema>;

// ---- hub → agent (commands exchange, per-agent queue) -----------------------------------------

/** A JSON object: finite numbers, no `__proto__` key, at most MAX_JSON_DEPTH levels (json-document.ts). */
export const AgentConfigSchema = JsonDocumentSchema;
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export const ConfigMessageSchema = z.strictObject({
  type: z.literal('config'),
  agentId: AgentIdSchema,
  /** Increases with every change for this agent; agents ignore a revision older than theirs. */
  revision: z.number().int().positive(),
  issuedAt: ts,
  config: AgentConfigSchema,
});
export type ConfigMessage = z.infer<typeof ConfigMessageSchema>;

/** Largest broker message body the hub or an agent accepts. */
export const MAX_BROKER_MESSAGE_BYTES = 256 * 1024;

// ---- broker state as the console shows it -------------------------------------------------------

export type BrokerState = 'not_configured' | 'connecting' | 'connected' | 'blocked' | 'disconnected';

/** Why the hub is not (fully) connected, each with its own words in the UI. */
export type BrokerReasonCode =
  | 'not_configured'
  | 'invalid_settings'
  | 'unreachable'
  | 'auth_failed'
  | 'vhost_missing'
  | 'tls_error'
  | 'not_amqp'
  | 'blocked'
  | 'connection_lost'
  | 'closed_by_broker'
  | 'setup_failed'
  | 'other';

export interface BrokerDiagnosis {
  code: BrokerReasonCode;
  /** One or two sentences for the UI, naming what to check. Never contains the password. */
  message: string;
  /** The underlying error text (credentials masked), for logs and a "details" disclosure. */
  detail?: string;
}

export interface BrokerStatus {
  state: BrokerState;
  /** Why we are not (fully) connected; null when connected and unblocked. */
  reason: BrokerReasonCode | null;
  /** Operator-facing words for `reason`. */
  reasonText: string | null;
  /** Underlying error text, credentials masked. */
  detail: string | null;
  /** When the broker last became usable or unusable, ms since epoch. */
  since: number;
  /** Redacted URL (amqp://user:***@host:port/vhost), null when not configured. */
  url: string | null;
  /** Failed attempts since the last successful connection. */
  attempts: number;
  /** When the next attempt is due, while disconnected with a retry scheduled. */
  nextRetryAt: number | null;
}

export type TestConnectionResult =
  | { ok: true; url: string; latencyMs: number; serverVersion: string | null; product: string | null }
  | { ok: false; url: string | null; diagnosis: BrokerDiagnosis };

/** Broker settings as edited in the Settings screen. The password is write-only. */
export const BrokerSettingsInputSchema = z.strictObject({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  username: z.string().min(1).max(255),
  /** Omitted = keep the stored password. */
  password: z.string().max(1024).optional(),
  vhost: z.string().min(1).max(255),
  tls: z.boolean(),
});
export type BrokerSettingsInput = z.infer<typeof BrokerSettingsInputSchema>;

export interface BrokerSettingsView {
  /** Where the active settings come from. */
  source: 'settings' | 'env' | 'none';
  host: string;
  port: number;
  username: string;
  vhost: string;
  tls: boolean;
  hasPassword: boolean;
  /**
   * How a password saved from the Settings screen is protected: `os` (Electron safeStorage with a
   * real keyring), `basic_text` (Linux without a keyring: obfuscated only), `unavailable`
   * (headless: passwords come from .env / the environment only and are never written to disk).
   */
  secretBackend: 'os' | 'basic_text' | 'unavailable';
}
