/**
 * Agent protocol v1: every message that crosses the agent ⇄ hub WebSocket.
 *
 * This module is the single source of truth: the gateway validates with these schemas, the reference
 * agent builds its messages from these types, and docs/protocol.md documents exactly this file.
 * Schemas are strict (unknown keys are rejected) so a typo in an agent shows up as an error frame
 * instead of a silently ignored field.
 */
import { z } from 'zod';
import { JsonDocumentSchema, jsonDocumentProblem } from './json-document';
import { schemaRegexProblem } from './regex-safety';

export const PROTOCOL_VERSION = 1;
/** Path agents connect to on the gateway. */
export const AGENT_WS_PATH = '/agent/v1';

/** Limits the hub enforces; agents should stay well below them. */
export const AGENT_LIMITS = {
  /** Largest message the hub parses. Bigger frames get an `error` frame (code `too_large`). */
  maxMessageBytes: 16 * 1024,
  /** `hello` may be larger, as it can carry the JSON Schema of the agent's configuration. */
  maxHelloBytes: 48 * 1024,
  /** Hard cap at the WebSocket layer: frames above it close the socket with 1009 without being read. */
  maxFrameBytes: 64 * 1024,
  /** Violations within `violationWindowMs` before the hub closes the socket with PROTOCOL_VIOLATION. */
  maxViolations: 5,
  violationWindowMs: 60_000,
  /** Time an agent has, after the upgrade, to send `hello`. */
  helloTimeoutMs: 10_000,
  maxLabels: 32,
  maxLabelKeyLength: 63,
  maxLabelValueLength: 256,
  /** `hello.configSchema`, serialized, at most this many bytes and this deep (objects/arrays). */
  maxConfigSchemaBytes: 32 * 1024,
  maxConfigSchemaDepth: 32,
  maxDisks: 64,
  /**
   * Defaults of the hub's per-connection limits (settings can change them, see .env.example):
   * token-bucket message rate (sustained per second, burst), and the unsent bytes an agent that does
   * not read may pile up before the hub closes it with SLOW_CONSUMER.
   */
  messageRatePerSec: 20,
  messageBurst: 60,
  maxBufferedBytes: 256 * 1024,
} as const;

/** WebSocket close codes used by the hub (4000–4999 is the application range). */
export const CloseCode = {
  /** Normal closure, sent by a well-behaved agent that stops. */
  NORMAL: 1000,
  /** The hub is shutting down; reconnect later. */
  GOING_AWAY: 1001,
  /** Frame larger than `maxFrameBytes` (sent by the ws library itself). */
  MESSAGE_TOO_BIG: 1009,
  /** Credentials were rejected. Normally refused before the upgrade with HTTP 401; kept for completeness. */
  UNAUTHORIZED: 4001,
  /** Too many malformed / invalid / unknown messages. Do not reconnect in a tight loop. */
  PROTOCOL_VIOLATION: 4002,
  /** No `hello` within `helloTimeoutMs`. */
  HELLO_TIMEOUT: 4003,
  /** Another connection with the same agent id took over; this one must not reconnect automatically. */
  REPLACED: 4004,
  /** The agent speaks a protocol version this hub does not. */
  UNSUPPORTED_PROTOCOL: 4005,
  /**
   * The agent is enrolled but waits for the operator's approval: nothing it sent was processed. Keep
   * the credential from `enrolled` and retry it with a slow, jittered backoff.
   */
  PENDING_APPROVAL: 4006,
  /** The operator revoked this agent: its credential no longer works. Do not reconnect. */
  REVOKED: 4007,
  /** More messages than the hub's per-connection rate allows (token bucket). Back off before reconnecting. */
  RATE_LIMITED: 4008,
  /** The agent did not read what the hub sent (unsent data above the hub's cap). */
  SLOW_CONSUMER: 4009,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Agent ids are chosen by the agent, stable across restarts (e.g. a UUID stored beside it). */
export const AgentIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'agent id may contain letters, digits and . _ : @ -')
  // Agent ids become keys of plain objects (stores, files); "__proto__" there is the prototype, not a
  // key: the enrolled agent's credential was lost on restart and other ids resolved to its fields.
  .refine((id) => id !== '__proto__', 'agent id "__proto__" is reserved');

const bytes = z.number().finite().nonnegative();

/**
 * Why a configuration schema is too big for the hub (serialized size, nesting depth), or undefined.
 * The console compiles and renders it, so both are capped even inside an acceptable `hello`.
 */
export function configSchemaProblem(schema: unknown): string | undefined {
  // First, before anything recursive (JSON.stringify below) runs on it: finite numbers, no
  // `__proto__` keys, bounded depth (see json-document.ts).
  const json = jsonDocumentProblem(schema, AGENT_LIMITS.maxConfigSchemaDepth);
  if (json) return `configSchema ${json}`;
  // Its regexes run in the hub and the console on every validation: no catastrophic backtracking.
  const regex = schemaRegexProblem(schema);
  if (regex) return `configSchema ${regex}`;
  const size = new TextEncoder().encode(JSON.stringify(schema) ?? '').length;
  if (size > AGENT_LIMITS.maxConfigSchemaBytes) {
    return `configSchema is ${size} bytes; at most ${AGENT_LIMITS.maxConfigSchemaBytes}`;
  }
  // Iterative walk: a hostile nesting must not overflow the stack of the check itself.
  const stack: [unknown, number][] = [[schema, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > AGENT_LIMITS.maxConfigSchemaDepth) {
      return `configSchema nests deeper than ${AGENT_LIMITS.maxConfigSchemaDepth} levels`;
    }
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return undefined;
}

export const LabelsSchema = z
  .record(
    z.string().min(1).max(AGENT_LIMITS.maxLabelKeyLength),
    z.string().max(AGENT_LIMITS.maxLabelValueLength),
  )
  .refine((labels) => Object.keys(labels).length <= AGENT_LIMITS.maxLabels, {
    message: `at most ${AGENT_LIMITS.maxLabels} labels`,
  });

export const HelloSchema = z.strictObject({
  type: z.literal('hello'),
  protocol: z.number().int(),
  agentId: AgentIdSchema,
  name: z.string().min(1).max(128),
  hostname: z.string().min(1).max(255),
  /** Node-style platform string: linux, win32, darwin, freebsd… */
  platform: z.string().min(1).max(32),
  arch: z.string().max(32).optional(),
  agentVersion: z.string().min(1).max(64),
  labels: LabelsSchema.default({}),
  /** Revision of the configuration the agent runs now; 0 when it has none yet. */
  configRevision: z.number().int().nonnegative().default(0),
  /**
   * JSON Schema (draft 2020-12 or 07) of the agent's configuration document. The console renders a
   * form from it and validates configurations against it before sending them.
   */
  configSchema: z
    .record(z.string(), z.unknown())
    .superRefine((schema, ctx) => {
      const problem = configSchemaProblem(schema);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});
export type Hello = z.infer<typeof HelloSchema>;
export type HelloInput = z.input<typeof HelloSchema>;

export const DiskSchema = z.strictObject({
  /** Mount point (Linux/macOS) or drive (Windows, e.g. "C:"). */
  mount: z.string().min(1).max(256),
  fs: z.string().max(64).optional(),
  usedBytes: bytes,
  totalBytes: bytes,
});
export type Disk = z.infer<typeof DiskSchema>;

export const MetricsSchema = z.strictObject({
  type: z.literal('metrics'),
  /** Sample time, milliseconds since the Unix epoch (agent clock). */
  ts: z.number().int().nonnegative(),
  cpu: z.strictObject({
    /** Busy time over the last interval, all cores, 0–100. */
    percent: z.number().finite().min(0).max(100),
    cores: z.number().int().positive().max(4096),
    /** 1, 5 and 15 minute load averages (zeros where the OS has none, e.g. Windows). */
    load: z.tuple([
      z.number().finite().nonnegative(),
      z.number().finite().nonnegative(),
      z.number().finite().nonnegative(),
    ]),
  }),
  memory: z.strictObject({ usedBytes: bytes, totalBytes: bytes }),
  disks: z.array(DiskSchema).max(AGENT_LIMITS.maxDisks),
  /** Network throughput summed over non-loopback interfaces, bytes per second. */
  network: z.strictObject({ rxBytesPerSec: bytes, txBytesPerSec: bytes }),
  /** Host uptime in seconds. */
  uptimeSec: z.number().finite().nonnegative(),
  /** Configuration revision the agent runs (lets the hub detect drift without a separate heartbeat). */
  configRevision: z.number().int().nonnegative().optional(),
});
export type Metrics = z.infer<typeof MetricsSchema>;

/** Optional keep-alive for agents that have nothing else to say; metrics also count as heartbeats. */
export const HeartbeatSchema = z.strictObject({
  type: z.literal('heartbeat'),
  ts: z.number().int().nonnegative(),
  configRevision: z.number().int().nonnegative().optional(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

/**
 * The agent applied (or refused) a configuration received over the WebSocket. Over RabbitMQ the
 * same report goes to the events exchange (see broker-protocol.ts ConfigReportSchema).
 */
export const WsConfigReportSchema = z.strictObject({
  type: z.literal('config.report'),
  revision: z.number().int().positive(),
  status: z.enum(['applied', 'rejected']),
  error: z.string().max(2000).optional(),
  ts: z.number().int().nonnegative(),
});
export type WsConfigReport = z.infer<typeof WsConfigReportSchema>;

export const AgentMessageSchema = z.discriminatedUnion('type', [
  HelloSchema,
  MetricsSchema,
  HeartbeatSchema,
  WsConfigReportSchema,
]);
export type AgentMessage = z.infer<typeof AgentMessageSchema>;
export const AGENT_MESSAGE_TYPES = ['hello', 'metrics', 'heartbeat', 'config.report'] as const;

// ---- hub → agent -------------------------------------------------------------------------------

export const WelcomeSchema = z.strictObject({
  type: z.literal('welcome'),
  protocol: z.literal(PROTOCOL_VERSION),
  /** How often the agent should send `metrics`, in seconds. */
  metricsIntervalSec: z.number().positive(),
  /** How often the hub pings; a peer that has not answered by the next ping is terminated. */
  pingIntervalSec: z.number().positive(),
  /** Hub clock, ms since epoch, so agents can report skew. */
  serverTime: z.number().int(),
});
export type Welcome = z.infer<typeof WelcomeSchema>;

export const ErrorCodeSchema = z.enum([
  'malformed',
  'too_large',
  'unknown_type',
  'invalid',
  'hello_required',
  'duplicate_hello',
]);
export type ProtocolErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorFrameSchema = z.strictObject({
  type: z.literal('error'),
  code: ErrorCodeSchema,
  message: z.string(),
  /** Violations counted on this connection in the current window; at `maxViolations` the hub closes. */
  violations: z.number().int().nonnegative(),
});
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;

/**
 * A configuration delivered over the WebSocket (the path used when no broker is configured). Same
 * fields and rules as the RabbitMQ `config` message: apply it only if `revision` is newer than the
 * one the agent runs, then answer with `config.report`.
 */
export const WsConfigSchema = z.strictObject({
  type: z.literal('config'),
  revision: z.number().int().positive(),
  issuedAt: z.number().int().nonnegative(),
  config: JsonDocumentSchema,
});
export type WsConfig = z.infer<typeof WsConfigSchema>;

/**
 * Answer to a `hello` sent with the enrollment token (docs/protocol.md, "Enrollment"): the hub
 * issued this agent its own credential. Store it (owner-only) and connect with it from then on; the
 * hub keeps only its SHA-256. `accepted`: a `welcome` follows on this connection. `pending`: the
 * operator must accept the agent first; the hub closes with PENDING_APPROVAL.
 */
export const EnrolledSchema = z.strictObject({
  type: z.literal('enrolled'),
  agentId: AgentIdSchema,
  credential: z.string().min(32).max(256),
  status: z.enum(['accepted', 'pending']),
});
export type Enrolled = z.infer<typeof EnrolledSchema>;

export const HubMessageSchema = z.discriminatedUnion('type', [
  WelcomeSchema,
  ErrorFrameSchema,
  WsConfigSchema,
  EnrolledSchema,
]);
export type HubMessage = z.infer<typeof HubMessageSchema>;

/**
 * Parse one text frame from an agent. Never throws: returns either the message or a protocol error
 * code with a human-readable explanation (sent back in an `error` frame).
 */
export function parseAgentMessage(
  raw: string,
  /** Size of the frame in bytes when the caller knows it (the gateway does); else the string length. */
  byteLength: number = raw.length,
): { ok: true; message: AgentMessage } | { ok: false; code: ProtocolErrorCode; message: string } {
  if (byteLength > AGENT_LIMITS.maxHelloBytes) {
    return { ok: false, code: 'too_large', message: `message exceeds ${AGENT_LIMITS.maxHelloBytes} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'malformed', message: 'message is not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'malformed', message: 'message must be a JSON object' };
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string' || !(AGENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    // The echoed type is clipped: the error frame goes back to the agent and must stay small. Only a
    // string is echoed: JSON.stringify of a hostile nested value overflows the stack (found by fuzzing).
    const shown =
      typeof type === 'string'
        ? clip(JSON.stringify(type), 80)
        : type === undefined
          ? '(none)'
          : `(${type === null ? 'null' : Array.isArray(type) ? 'array' : typeof type}, not a string)`;
    return { ok: false, code: 'unknown_type', message: `unknown message type ${shown}` };
  }
  if (type !== 'hello' && byteLength > AGENT_LIMITS.maxMessageBytes) {
    return { ok: false, code: 'too_large', message: `${type} exceeds ${AGENT_LIMITS.maxMessageBytes} bytes` };
  }
  const parsed = AgentMessageSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, code: 'invalid', message: describeZodError(parsed.error) };
  }
  return { ok: true, message: parsed.data };
}

/**
 * One line per issue, "path: problem", capped so an error frame stays small: at most 5 issues, each
 * path and message clipped (an outside key or an unrecognized key list can be kilobytes long).
 */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map(
      (issue) =>
        `${issue.path.length ? clip(issue.path.join('.'), 120) : '(root)'}: ${clip(issue.message, 200)}`,
    )
    .join('; ');
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
