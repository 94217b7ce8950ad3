/**
 * Channel names of the console API, free of any dependency so the sandboxed preload (which may only
 * require `electron`) can import them without pulling zod into its bundle. console-api.ts checks at
 * compile time that these lists and the schemas agree.
 */
export const CONSOLE_REQUEST_CHANNELS = [
  'getSnapshot',
  'getAgentDetail',
  'getServerDetail',
  'getAgentConnectionInfo',
  'getBrokerSettings',
  'saveBrokerSettings',
  'testBrokerConnection',
  'sendConfig',
  'getAgentConfig',
  'validateConfig',
  'resendConfig',
  'listProfiles',
  'saveProfile',
  'deleteProfile',
  'bulkApply',
  'retryBulk',
  'queryAudit',
  'exportAudit',
  'getMetricsHistory',
  'getSparklines',
  'getPresenceHistory',
  'getAlertSettings',
  'saveAlertRule',
  'deleteAlertRule',
  'saveChannel',
  'deleteChannel',
  'testChannel',
  'addMute',
  'deleteMute',
  'listAlerts',
  'listDeliveries',
  'getSettingSources',
  'getEnrollment',
  'revealEnrollmentToken',
  'rotateEnrollmentToken',
  'setApprovalMode',
  'acceptAgent',
  'rejectAgent',
  'revokeAgent',
  'regenerateGatewayCertificate',
] as const;

/** `delta`: fleet batches; `notification`: an alert fired or resolved (desktop notification, toast). */
export const CONSOLE_EVENT_CHANNELS = ['delta', 'notification'] as const;

/** IPC channel names: requests are `console:<name>`, pushed events `console-event:<name>`. */
export const ipcRequestChannel = (name: string): string => `console:${name}`;
export const ipcEventChannel = (name: string): string => `console-event:${name}`;

/**
 * What the preload exposes on `window.centralizer` (contextBridge): one named function per request
 * channel, plus `on(event, listener)` that returns an unsubscribe function. Payloads are the
 * contract's types; the renderer's IPC transport (src-renderer/transport/ipc.ts) wraps this object.
 */
export interface PreloadApi {
  request: Record<(typeof CONSOLE_REQUEST_CHANNELS)[number], (input?: unknown) => Promise<unknown>>;
  on(event: (typeof CONSOLE_EVENT_CHANNELS)[number], listener: (payload: unknown) => void): () => void;
}

/** Name of the global the preload exposes. */
export const PRELOAD_GLOBAL = 'centralizer';

/** Path of the headless bridge WebSocket, served by the same HTTP server as the UI. */
export const BRIDGE_PATH = '/bridge';

export type ConsoleErrorCode = 'bad_request' | 'unknown_channel' | 'forbidden' | 'internal';

/** Error a transport returns instead of a result; `message` is safe to show to the operator. */
export class ConsoleError extends Error {
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}
