/**
 * What the renderer's transports share: the contract's ConsoleApi plus the state of the link that
 * carries it, so the UI can say "console disconnected" and the sync layer can re-snapshot.
 */
import type { ConsoleApi } from '../../src-shared/console-api';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** Why the link is not open, as a machine code; the UI turns it into words (i18n `connection.reason.*`). */
export type ConnectionReason = 'missing_token' | 'closed' | 'unreachable' | 'stopped';

export interface ConnectionState {
  status: ConnectionStatus;
  reason?: ConnectionReason;
  /** WebSocket close code and reason text of the last close, when there was one. */
  closeCode?: number;
  closeText?: string;
  /** Consecutive failed attempts since the link was last open. */
  attempt: number;
  /** When the next connection attempt is scheduled (ms since epoch), while closed. */
  retryAt?: number;
}

export interface ConsoleTransport extends ConsoleApi {
  readonly kind: 'ipc' | 'websocket';
  connection(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Close the link and stop reconnecting (tests, hot reload). */
  dispose(): void;
}
