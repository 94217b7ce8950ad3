/**
 * Fleet views: the shapes the hub hands to consoles (snapshot and deltas). Plain data, JSON-safe,
 * no zod: they are produced by our own hub, not parsed from outside input.
 */
import type { Disk } from './agent-protocol';
import type { BrokerStatus } from './broker-protocol';
import type { BulkView, ConfigStatus } from './config-management';
import type { AlertCounters, AlertView } from './monitoring';
import type { EnrollmentCounters } from './enrollment';

/**
 * Presence of an agent or a server. `unknown` = registered (e.g. from the store) but not seen since
 * the hub started; the rest are real transitions.
 */
export type PresenceState = 'online' | 'offline' | 'unknown';

/** Why a presence transition happened; shown to operators in words by the renderer. */
export type PresenceReason =
  | 'connected'
  | 'clean_disconnect'
  | 'connection_lost'
  | 'ping_timeout'
  | 'replaced'
  | 'protocol_violation'
  | 'hub_shutdown'
  /** Server-level: the first agent of the server came online / the last one went away. */
  | 'agent_online'
  | 'all_agents_offline';

export interface PresenceTransition {
  state: PresenceState;
  /** ms since epoch (hub clock). */
  at: number;
  reason: PresenceReason;
}

export interface MetricsView {
  /** Hub receive time, ms since epoch (agent clocks may be skewed). */
  receivedAt: number;
  cpuPercent: number;
  cores: number;
  load: [number, number, number];
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  disks: Disk[];
  rxBytesPerSec: number;
  txBytesPerSec: number;
  uptimeSec: number;
}

export interface AgentView {
  agentId: string;
  name: string;
  /** Server id (normalized hostname) the agent runs on. */
  serverId: string;
  hostname: string;
  platform: string;
  arch?: string;
  agentVersion: string;
  labels: Record<string, string>;
  presence: PresenceState;
  /** Since when the agent is in its current presence state. */
  since: number;
  reason: PresenceReason;
  /** Last message of any kind (or pong) from the agent, ms since epoch; 0 = never. */
  lastSeen: number;
  /** Remote address of the current/last connection. */
  remoteAddress?: string;
  /** Configuration revision the agent reports it runs. */
  configRevision: number;
  /** Revision the hub wants it to run (0 = none set). */
  desiredRevision: number;
  configStatus: ConfigStatus;
  /** The agent declared a JSON Schema for its configuration. */
  hasConfigSchema: boolean;
  /** Protocol violations counted on this agent's connections since the hub started. */
  violations: number;
}

export interface ServerView {
  serverId: string;
  hostname: string;
  platform: string;
  presence: PresenceState;
  since: number;
  reason: PresenceReason;
  agentIds: string[];
  onlineAgents: number;
  /** Latest metrics reported by any agent of this server. */
  metrics?: MetricsView;
}

export interface GatewayStatus {
  state: 'starting' | 'listening' | 'error' | 'stopped';
  host: string;
  port: number;
  /** ws:// URLs agents can use (one per non-internal address when bound to 0.0.0.0). */
  urls: string[];
  error?: string;
  connections: number;
  /** Frames rejected (malformed, too large, unknown, invalid) since start. */
  violations: number;
  /** Upgrade requests refused for bad credentials since start. */
  refusedAuth: number;
  /** Frames received from agents since start. */
  messages: number;
  pingIntervalSec: number;
  metricsIntervalSec: number;
  /** Transport security (absent from fixtures and older hubs: treat as unknown, not as secure). */
  tls?: GatewayTlsStatus;
  /** Limits in force and how often each one closed or refused a connection (absent: unknown). */
  limits?: GatewayLimitsStatus;
}

export interface GatewayTlsStatus {
  /** `off`: plain ws (lab only — the console warns); `self-signed`: generated, pinned by agents; `files`. */
  mode: 'off' | 'self-signed' | 'files';
  /** `sha256:AB:CD:…` of the served certificate: what agents pin with --fingerprint. */
  fingerprint?: string;
  /** Certificate expiry, ms since the epoch. */
  notAfter?: number;
  subjectAltNames?: string[];
  /** Why TLS could not be set up (names the settings key); the gateway does not listen then. */
  error?: string;
}

export interface GatewayLimitsStatus {
  settings: {
    /** Token bucket per connection: sustained messages per second and burst. */
    messageRatePerSec: number;
    messageBurst: number;
    maxFrameBytes: number;
    maxConnections: number;
    maxBufferedBytes: number;
    maxLabels: number;
    maxConfigSchemaBytes: number;
    helloTimeoutMs: number;
  };
  /** Since start: connections closed (or refused) by each limit. */
  counters: {
    /** Closed with RATE_LIMITED (4008). */
    rateLimited: number;
    /** Frames above maxFrameBytes: closed with 1009 by the WebSocket layer. */
    frameTooLarge: number;
    /** `hello` over the label / schema caps or otherwise invalid: closed with PROTOCOL_VIOLATION. */
    helloRejected: number;
    /** Upgrades refused with HTTP 503 at the connection cap. */
    connectionCap: number;
    /** Closed with SLOW_CONSUMER (4009). */
    slowConsumer: number;
    /** Closed with HELLO_TIMEOUT (4003). */
    helloTimeout: number;
    /** Closed with PROTOCOL_VIOLATION after too many bad frames. */
    protocolViolation: number;
  };
}

export interface HubStatus {
  startedAt: number;
  /** 'electron' for the desktop app, 'headless' for the browser console. */
  mode: 'electron' | 'headless';
  gateway: GatewayStatus;
  broker: BrokerStatus;
  jobs: JobCounters;
  /** Configuration messages waiting for a broker confirm (durable outbox). */
  configOutbox: number;
  alerts: AlertCounters;
  /** Agents waiting for approval (absent from hubs without enrollment, e.g. test fixtures). */
  enrollment?: EnrollmentCounters;
}

export interface FleetSnapshot {
  /** Deltas with seq ≤ this one are already included. */
  seq: number;
  status: HubStatus;
  agents: AgentView[];
  servers: ServerView[];
  /** Running jobs and the retained history. */
  jobs: JobView[];
  /** Recent bulk configuration changes with their progress. */
  bulks: BulkView[];
  /** Firing alerts and the most recent resolved ones (bounded). */
  alerts: AlertView[];
}

/** Coalesced changes since the previous batch: the latest full view of each changed entity. */
export interface FleetDelta {
  seq: number;
  agents: AgentView[];
  servers: ServerView[];
  jobs: JobView[];
  removedAgents: string[];
  removedServers: string[];
  /** Keys of jobs dropped from the history (retention). */
  removedJobs: string[];
  bulks: BulkView[];
  /** Alerts that fired, resolved or changed (latest view of each). */
  alerts: AlertView[];
  /** Resolved alerts dropped from the retained list. */
  removedAlerts: string[];
  status?: HubStatus;
}

export interface AgentDetail {
  agent: AgentView;
  /** Most recent first; bounded. */
  presenceLog: PresenceTransition[];
  server?: ServerView;
}

export interface ServerDetail {
  server: ServerView;
  presenceLog: PresenceTransition[];
  agents: AgentView[];
}

export type JobState = 'running' | 'succeeded' | 'failed';

export interface JobView {
  /** `<agentId>/<jobId>`: job ids are unique per agent only. */
  key: string;
  jobId: string;
  agentId: string;
  name: string;
  state: JobState;
  startedAt: number;
  /** Time of the latest event applied (agent clock). */
  updatedAt: number;
  finishedAt?: number;
  durationMs?: number;
  /** 0–100 */
  progress?: number;
  message?: string;
  exitCode?: number;
}

export interface JobCounters {
  running: number;
  /** Failed jobs still in the retained history. */
  failed: number;
  /** Events processed since start (duplicates excluded). */
  eventsProcessed: number;
  /** Redelivered / re-sent events recognized and ignored. */
  duplicates: number;
  /** Malformed events rejected to the dead-letter queue. */
  deadLettered: number;
}
