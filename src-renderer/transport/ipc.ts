/**
 * ConsoleApi over Electron IPC: wraps the named functions the sandboxed preload exposes on
 * `window.centralizer` (src-shared/console-channels.ts PreloadApi). No Electron import here.
 */
import type {
  ConsoleEvents,
  EventChannel,
  RequestChannel,
  RequestOutput,
} from '../../src-shared/console-api';
import type { PreloadApi } from '../../src-shared/console-channels';
import { PRELOAD_GLOBAL } from '../../src-shared/console-channels';
import type { ConnectionState, ConsoleTransport } from './types';

/** The preload object, when the page runs inside the Electron window. */
export function getPreloadApi(): PreloadApi | undefined {
  const candidate = (globalThis as Record<string, unknown>)[PRELOAD_GLOBAL] as PreloadApi | undefined;
  return candidate && typeof candidate === 'object' && typeof candidate.on === 'function'
    ? candidate
    : undefined;
}

/** Electron prefixes errors thrown by ipcMain handlers with "Error invoking remote method '…': Error: ". */
const REMOTE_PREFIX = /^Error invoking remote method '[^']*': (?:\w*Error: )?/;

export function createIpcTransport(preload: PreloadApi): ConsoleTransport {
  const state: ConnectionState = { status: 'open', attempt: 0 };
  return {
    kind: 'ipc',
    async call<K extends RequestChannel>(channel: K, input: unknown): Promise<RequestOutput<K>> {
      const fn = preload.request[channel];
      try {
        return (await fn(input)) as RequestOutput<K>;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(message.replace(REMOTE_PREFIX, ''), { cause: error });
      }
    },
    on<E extends EventChannel>(event: E, listener: (payload: ConsoleEvents[E]) => void): () => void {
      return preload.on(event, (payload) => listener(payload as ConsoleEvents[E]));
    },
    connection: () => state,
    // The IPC link lives as long as the window: it never changes state.
    onConnection: () => () => {},
    dispose: () => {},
  };
}
