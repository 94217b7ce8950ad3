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
import type { ConsoleErrorCode, PreloadApi } from '../../src-shared/console-channels';
import { ConsoleError, PRELOAD_GLOBAL } from '../../src-shared/console-channels';
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
/**
 * The preload rejects with `[code] text` (src-main/electron/ipc-result.ts ipcError): contextBridge
 * keeps only an Error's `message`, so the code travels inside it. Some engines prepend "Error: ".
 */
const CODE_PREFIX = /^(?:\w*Error: )?\[(bad_request|unknown_channel|forbidden|internal)\] /;

/**
 * Turn whatever a preload call rejected with into a ConsoleError whose message is fit for the
 * operator: the `[code] ` prefix becomes `code`, Electron's "Error invoking remote method" noise goes.
 * A message without a known code is kept whole, as an `internal` error.
 */
export function toConsoleError(error: unknown): ConsoleError {
  if (error instanceof ConsoleError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(REMOTE_PREFIX, '');
  const match = CODE_PREFIX.exec(message);
  const code = (match?.[1] ?? 'internal') as ConsoleErrorCode;
  const text = match ? message.slice(match[0].length) : message;
  const result = new ConsoleError(code, text);
  // Keep the original for devtools (`cause` is not a constructor parameter of ConsoleError).
  Object.defineProperty(result, 'cause', { value: error, enumerable: false, configurable: true });
  return result;
}

export function createIpcTransport(preload: PreloadApi): ConsoleTransport {
  const state: ConnectionState = { status: 'open', attempt: 0 };
  return {
    kind: 'ipc',
    async call<K extends RequestChannel>(channel: K, input: unknown): Promise<RequestOutput<K>> {
      const fn = preload.request[channel];
      try {
        return (await fn(input)) as RequestOutput<K>;
      } catch (error) {
        throw toConsoleError(error);
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
