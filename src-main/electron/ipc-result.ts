/**
 * How a console request result crosses Electron IPC. Electron mangles errors thrown from an
 * `ipcMain.handle` handler (the renderer sees "Error invoking remote method ...: Error: ..." and no
 * custom properties), and contextBridge copies only the `message` of an Error. So the main process
 * never throws across IPC: it resolves with a tagged result, and the preload turns a failure back into
 * a rejected Error.
 *
 * Dependency-free on purpose: the sandboxed preload bundles this file.
 */
export type IpcErrorCode = 'bad_request' | 'unknown_channel' | 'forbidden' | 'internal';

export type IpcResult =
  { ok: true; value: unknown } | { ok: false; error: { code: IpcErrorCode; message: string } };

/** Error the preload rejects with. `code` survives in the preload world and in tests; across
 * contextBridge only `message` does, so the message starts with `[code] ` (see parseIpcErrorMessage). */
export interface IpcError extends Error {
  code: IpcErrorCode;
}

const CODES: readonly IpcErrorCode[] = ['bad_request', 'unknown_channel', 'forbidden', 'internal'];

export function isIpcResult(value: unknown): value is IpcResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return 'value' in v;
  return (
    v.ok === false &&
    typeof v.error === 'object' &&
    v.error !== null &&
    CODES.includes(v.error.code as IpcErrorCode) &&
    typeof v.error.message === 'string'
  );
}

/** Build the Error a failed request rejects with: message `[code] text`, plus a `code` property. */
export function ipcError(code: IpcErrorCode, message: string): IpcError {
  const error = new Error(`[${code}] ${message}`) as IpcError;
  error.name = 'ConsoleError';
  error.code = code;
  return error;
}

/** Recover `{ code, message }` from an error that crossed contextBridge (only its message survives). */
export function parseIpcErrorMessage(message: string): { code: IpcErrorCode; message: string } {
  const match = /^(?:Error: )?\[([a-z_]+)\] ([\s\S]*)$/.exec(message);
  if (match && CODES.includes(match[1] as IpcErrorCode)) {
    return { code: match[1] as IpcErrorCode, message: match[2] ?? '' };
  }
  return { code: 'internal', message };
}

/** Resolve with the value of a successful result; reject with an IpcError otherwise. */
export function unwrapIpcResult(result: unknown): unknown {
  if (!isIpcResult(result)) throw ipcError('internal', 'malformed IPC result from the main process');
  if (result.ok) return result.value;
  throw ipcError(result.error.code, result.error.message);
}
