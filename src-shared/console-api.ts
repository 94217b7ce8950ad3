/**
 * Console API: what a console (the renderer, in Electron or in a browser) may ask the hub, and what
 * the hub pushes back. Declared once as channel → signature maps, like GitHub Desktop's
 * ipc-shared.ts; the Electron IPC layer and the headless WebSocket bridge both implement exactly this.
 *
 * Inputs are validated with these schemas on the hub side of every transport (never trust the
 * renderer: a compromised page must not be able to send the hub anything off-contract).
 */
import { z } from 'zod';
import { AgentIdSchema } from './agent-protocol';
import {
  AgentConfigSchema,
  BrokerSettingsInputSchema,
  type BrokerSettingsView,
  type BrokerStatus,
  type TestConnectionResult,
} from './broker-protocol';
import {
  AuditQuerySchema,
  BulkActionSchema,
  BulkTargetSchema,
  ProfileNameSchema,
  ProfileSchema,
  type AgentConfigDetail,
  type AuditEntry,
  type BulkView,
  type ConfigValidationResult,
  type Profile,
} from './config-management';
import type { AgentDetail, FleetDelta, FleetSnapshot, ServerDetail } from './fleet';
import { monitoringRequestInputs, type AlertNotification, type MonitoringRequestOutputs } from './monitoring';
import { settingSourcesRequestInputs, type SettingSourcesView } from './setting-sources';
import { enrollmentRequestInputs, type EnrollmentRequestOutputs } from './enrollment';
import {
  CONSOLE_EVENT_CHANNELS,
  CONSOLE_REQUEST_CHANNELS,
  ConsoleError,
  type ConsoleErrorCode,
} from './console-channels';

export { CONSOLE_EVENT_CHANNELS, CONSOLE_REQUEST_CHANNELS, ConsoleError, type ConsoleErrorCode };

/** Input schema of each request channel. */
export const consoleRequestInputs = {
  getSnapshot: z.undefined(),
  getAgentDetail: z.strictObject({ agentId: AgentIdSchema }),
  getServerDetail: z.strictObject({ serverId: z.string().min(1).max(255) }),
  getAgentConnectionInfo: z.undefined(),
  /**
   * Replace the gateway's self-signed certificate (new key too). Every agent that pinned the old
   * fingerprint is refused until it gets the new one; connections already open are kept.
   */
  regenerateGatewayCertificate: z.undefined(),
  getBrokerSettings: z.undefined(),
  /** Save and apply (reconnects); the password is stored with the OS keyring, never in clear. */
  saveBrokerSettings: BrokerSettingsInputSchema,
  /** One-shot check of settings before saving; a missing password means "the stored one". */
  testBrokerConnection: BrokerSettingsInputSchema,
  /**
   * Set an agent's own configuration (its override, merged over its profiles). A new revision is
   * created and delivered durably when the effective configuration changes.
   */
  sendConfig: z.strictObject({ agentId: AgentIdSchema, config: AgentConfigSchema }),
  getAgentConfig: z.strictObject({ agentId: AgentIdSchema }),
  /** Check a configuration (override) against the agent's declared JSON Schema, without sending. */
  validateConfig: z.strictObject({ agentId: AgentIdSchema, config: AgentConfigSchema }),
  /** One-click re-send of the desired configuration as a new revision (fixes drift). */
  resendConfig: z.strictObject({ agentId: AgentIdSchema }),
  listProfiles: z.undefined(),
  saveProfile: ProfileSchema,
  deleteProfile: z.strictObject({ name: ProfileNameSchema }),
  bulkApply: z.strictObject({ target: BulkTargetSchema, action: BulkActionSchema }),
  retryBulk: z.strictObject({ bulkId: z.string().min(1).max(64) }),
  queryAudit: AuditQuerySchema,
  /** The audit entries matching the query, as a file the UI offers to save. */
  exportAudit: z.strictObject({ format: z.enum(['csv', 'json']), query: AuditQuerySchema }),
  ...monitoringRequestInputs,
  ...settingSourcesRequestInputs,
  ...enrollmentRequestInputs,
} satisfies Record<(typeof CONSOLE_REQUEST_CHANNELS)[number], z.ZodType>;

/** Result type of each request channel. */
export interface ConsoleRequestOutputs extends MonitoringRequestOutputs, EnrollmentRequestOutputs {
  getSnapshot: FleetSnapshot;
  getSettingSources: SettingSourcesView;
  getAgentDetail: AgentDetail | null;
  getServerDetail: ServerDetail | null;
  getAgentConnectionInfo: AgentConnectionInfo;
  regenerateGatewayCertificate: { fingerprint: string };
  getBrokerSettings: BrokerSettingsView;
  saveBrokerSettings: BrokerStatus;
  testBrokerConnection: TestConnectionResult;
  sendConfig: { agentId: string; revision: number; changed: boolean };
  getAgentConfig: AgentConfigDetail;
  validateConfig: ConfigValidationResult;
  resendConfig: { agentId: string; revision: number };
  listProfiles: Profile[];
  saveProfile: { affected: number };
  deleteProfile: { affected: number };
  bulkApply: BulkView;
  retryBulk: BulkView;
  queryAudit: AuditEntry[];
  exportAudit: { filename: string; mimeType: string; content: string };
}

/** Payload of each pushed event channel. */
export interface ConsoleEvents {
  delta: FleetDelta;
  notification: AlertNotification;
}

export type RequestChannel = keyof typeof consoleRequestInputs;
export type RequestInput<K extends RequestChannel> = z.input<(typeof consoleRequestInputs)[K]>;
export type RequestOutput<K extends RequestChannel> = ConsoleRequestOutputs[K];
export type EventChannel = keyof ConsoleEvents;

export interface AgentConnectionInfo {
  urls: string[];
  /** The shared agent token. Shown to the operator so agents can be configured. */
  token: string;
  /** Where the token came from: generated on first start, or set in .env / environment. */
  tokenSource: 'generated' | 'env';
  /**
   * SHA-256 fingerprint (`sha256:AB:CD:…`) of the gateway's certificate, for agents to pin with
   * --fingerprint; absent when TLS is off (plain ws) or could not be set up.
   */
  fingerprint?: string;
  /** A ready-to-paste command line for the reference agent. */
  exampleCommand: string;
}

/** The one interface the renderer talks to, whatever carries it (Electron IPC or WebSocket bridge). */
export interface ConsoleApi {
  call<K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  on<E extends EventChannel>(event: E, listener: (payload: ConsoleEvents[E]) => void): () => void;
}

/** The hub side: one handler per request channel, inputs already validated. */
export type ConsoleHandlers = {
  [K in RequestChannel]: (input: z.output<(typeof consoleRequestInputs)[K]>) => Promise<RequestOutput<K>>;
};

export function isRequestChannel(channel: unknown): channel is RequestChannel {
  return typeof channel === 'string' && Object.hasOwn(consoleRequestInputs, channel);
}

// ---- headless bridge framing (browser ⇄ hub over one WebSocket) --------------------------------

/** Browser → hub. */
export const BridgeRequestSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.string().max(64),
  input: z.unknown().optional(),
});
export type BridgeRequest = z.infer<typeof BridgeRequestSchema>;

/** Hub → browser. */
export type BridgeMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: { code: ConsoleErrorCode; message: string } }
  | { kind: 'event'; event: EventChannel; payload: unknown };

/** Limit for bridge frames from the browser (requests are tiny). */
export const BRIDGE_MAX_PAYLOAD = 64 * 1024;
