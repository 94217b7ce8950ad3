/**
 * RabbitMQ side of the agent protocol: topology names, message properties and every message body
 * that crosses the broker. Agents publish job events and configuration reports to the events
 * exchange; the hub publishes configurations to one durable queue per agent. Documented in
 * docs/protocol.md (section "RabbitMQ").
 */
import { z } from 'zod';
import { AgentIdSchema } from './agent-protocol';

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
   * Per-agent queue bound: configurations are "latest wins", so when an offline agent's queue is
   * full the OLDEST message is dropped (`drop-head`), never the newest.
   */
  agentQueueMaxLength: 50,
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

export const AgentConfigSchema = z.record(z.string(), z.unknown());
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
