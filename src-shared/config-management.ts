/**
 * Central configuration management: desired configuration per agent (profiles + per-agent
 * override → effective config with revisions), the delivery ledger, bulk changes and the audit log.
 * Shapes shared by the hub (src-main/hub/configs), the console API and the renderer.
 */
import { z } from 'zod';
import { AgentIdSchema, LabelsSchema } from './agent-protocol';
import { AgentConfigSchema } from './broker-protocol';

/** Largest configuration document accepted (serialized JSON). */
export const MAX_CONFIG_BYTES = 64 * 1024;

export const ProfileNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'profile names may contain letters, digits and . _ -');

export const ProfileSchema = z.strictObject({
  name: ProfileNameSchema,
  description: z.string().max(500).default(''),
  /**
   * Agents whose labels contain all of these pairs get the profile (empty = only agents it is
   * assigned to by hand).
   */
  selector: LabelsSchema.default({}),
  config: AgentConfigSchema,
});
export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;

/**
 * Per agent, where the configuration stands:
 * - `none`: no configuration was ever set for this agent;
 * - `in_sync`: the agent reported applying the desired revision and runs it;
 * - `pending`: the desired revision is queued or delivered, not applied yet;
 * - `failed`: the agent rejected the desired revision (see the ledger for its error);
 * - `drift`: the agent runs a revision other than the one the hub recorded as applied/desired
 *   (e.g. its local config was replaced by hand), with no delivery pending.
 */
export type ConfigStatus = 'none' | 'in_sync' | 'pending' | 'failed' | 'drift';

export type LedgerState = 'queued' | 'delivered' | 'applied' | 'rejected' | 'superseded';

/** One revision's path to one agent. Timestamps are ms since epoch (hub clock). */
export interface LedgerEntry {
  agentId: string;
  revision: number;
  state: LedgerState;
  /** How it travels: the agent's RabbitMQ queue, or the WebSocket when no broker is configured. */
  path: 'broker' | 'websocket';
  queuedAt: number;
  /** Broker confirmed it into the agent's durable queue, or it was written to the agent's socket. */
  deliveredAt?: number;
  appliedAt?: number;
  rejectedAt?: number;
  /** A newer revision replaced this one before it was applied (latest wins). */
  supersededAt?: number;
  error?: string;
}

export interface RevisionEntry {
  revision: number;
  createdAt: number;
  /** OS user who made the change. */
  by: string;
  /** Short description: "edited", "profile web assigned", "bulk patch #12"… */
  cause: string;
  /** The effective configuration of this revision. */
  config: Record<string, unknown>;
}

export interface AgentConfigSummary {
  status: ConfigStatus;
  /** Revision the hub wants the agent to run (0 = none). */
  desiredRevision: number;
  /** Revision the agent reports it runs. */
  reportedRevision: number;
}

export interface AgentConfigDetail extends AgentConfigSummary {
  agentId: string;
  /** Per-agent override (merged last). */
  override: Record<string, unknown>;
  /** Profiles that apply, in merge order, and why. */
  profiles: { name: string; via: 'selector' | 'assigned' }[];
  /** Profiles assigned by hand. */
  assignedProfiles: string[];
  /** profiles merged in order, then the override (JSON merge patch semantics). */
  effective: Record<string, unknown>;
  /** JSON Schema the agent declared in its hello, if any. */
  schema?: Record<string, unknown>;
  /** The configuration of the revision the agent reports it runs, when the hub still has it. */
  applied?: Record<string, unknown>;
  /** Newest first, bounded. */
  revisions: RevisionEntry[];
  /** Newest first, bounded. */
  ledger: LedgerEntry[];
}

export interface ConfigValidationResult {
  ok: boolean;
  /** One entry per problem; `path` is a JSON pointer ("" = the whole document). */
  errors: { path: string; message: string }[];
}

// ---- bulk changes ---------------------------------------------------------------------------------

export const AgentFilterSchema = z.strictObject({
  /** Every pair must match. */
  labels: LabelsSchema.optional(),
  presence: z.enum(['online', 'offline']).optional(),
  configStatus: z.enum(['none', 'in_sync', 'pending', 'failed', 'drift']).optional(),
  /** Case-insensitive substring of id, name or hostname. */
  search: z.string().max(200).optional(),
});
export type AgentFilter = z.infer<typeof AgentFilterSchema>;

export const BulkTargetSchema = z.union([
  z.strictObject({ agentIds: z.array(AgentIdSchema).min(1).max(20_000) }),
  z.strictObject({ filter: AgentFilterSchema }),
]);
export type BulkTarget = z.infer<typeof BulkTargetSchema>;

export const BulkActionSchema = z.discriminatedUnion('kind', [
  /** JSON merge patch (RFC 7386) applied to each agent's override: null deletes a key. */
  z.strictObject({ kind: z.literal('patch'), patch: AgentConfigSchema }),
  z.strictObject({ kind: z.literal('assignProfile'), profile: ProfileNameSchema }),
  z.strictObject({ kind: z.literal('unassignProfile'), profile: ProfileNameSchema }),
]);
export type BulkAction = z.infer<typeof BulkActionSchema>;

export interface BulkView {
  bulkId: string;
  createdAt: number;
  by: string;
  action: BulkAction;
  /** Agents the change targeted (M). */
  total: number;
  /** Agents whose configuration did not change (already had it). */
  unchanged: number;
  applied: number;
  pending: number;
  failed: { agentId: string; revision: number; error: string }[];
  done: boolean;
}

// ---- audit ------------------------------------------------------------------------------------------

export interface AuditEntry {
  id: string;
  at: number;
  /** OS user of the console. */
  user: string;
  /** e.g. config.set, config.resend, profile.save, profile.delete, bulk.apply, bulk.retry, config.report */
  action: string;
  agentIds: string[];
  /** Human-readable summary. */
  summary: string;
  /** Changes as JSON pointer → [before, after]; null = absent. */
  diff?: Record<string, [unknown, unknown]>;
  /** For outcomes: applied / rejected with the error, or queued. */
  outcome?: string;
  /** Entry this one reports the outcome of. */
  ref?: string;
}

export const AuditQuerySchema = z.strictObject({
  /** Case-insensitive text in user, action, agents, summary, outcome. */
  text: z.string().max(200).optional(),
  agentId: AgentIdSchema.optional(),
  since: z.number().int().nonnegative().optional(),
  until: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(10_000).default(500),
});
export type AuditQuery = z.input<typeof AuditQuerySchema>;
