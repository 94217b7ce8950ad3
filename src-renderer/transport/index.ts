/**
 * Picks the transport: Electron IPC when the preload exposed `window.centralizer`, otherwise the
 * headless bridge WebSocket of the server that served the page.
 */
import { createIpcTransport, getPreloadApi } from './ipc';
import type { ConsoleTransport } from './types';
import { createWebSocketTransport } from './websocket';

export type { ConnectionReason, ConnectionState, ConnectionStatus, ConsoleTransport } from './types';

export function createTransport(): ConsoleTransport {
  const preload = getPreloadApi();
  return preload ? createIpcTransport(preload) : createWebSocketTransport();
}
