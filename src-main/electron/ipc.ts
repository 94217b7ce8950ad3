/**
 * The typed IPC layer between the console contract and the hub: the only main-process module that
 * touches `ipcMain` (eslint enforces it). Every handler first checks who is calling (the main frame
 * of our own window, showing our own page) and then hands the raw input to the ConsoleService, which
 * validates it against the shared contract before anything runs. Results cross as IpcResult values.
 */
import { pathToFileURL } from 'node:url';
import {
  ipcMain as electronIpcMain,
  type IpcMain,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import {
  CONSOLE_REQUEST_CHANNELS,
  ConsoleError,
  ipcEventChannel,
  ipcRequestChannel,
  type ConsoleErrorCode,
} from '../../src-shared';
import type { ConsoleService } from '../hub/console-service';
import type { Logger } from '../hub/logger';
import type { IpcErrorCode, IpcResult } from './ipc-result';

// The IPC error codes must be exactly the contract's (ipc-result.ts cannot import src-shared: it
// is bundled into the dependency-free preload).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _codesAgree: Same<ConsoleErrorCode, IpcErrorCode> = true;

/** Decides whether an IPC call comes from our own page. */
export type TrustedSenderCheck = (event: IpcMainInvokeEvent) => boolean;

/**
 * Where our page lives: app://console/index.html (app-protocol.ts `appProtocolUrl`), in development
 * only a dev server origin, or (createAppUrl without a dev server) a file:// page. Query and hash
 * are ignored for the app and file pages (hash routing is fine).
 */
export interface AppUrl {
  /** The URL to load. */
  readonly url: string;
  /** Is `candidate` our own page? */
  matches(candidate: string): boolean;
}

export function createAppUrl(options: { indexHtml: string; devServerUrl?: string | undefined }): AppUrl {
  if (options.devServerUrl) {
    const dev = new URL(options.devServerUrl);
    if (dev.protocol !== 'http:' && dev.protocol !== 'https:') {
      throw new Error(`dev server URL must be http(s): ${options.devServerUrl}`);
    }
    return {
      url: dev.href,
      matches(candidate) {
        const parsed = safeUrl(candidate);
        return parsed !== null && parsed.origin === dev.origin;
      },
    };
  }
  const file = pathToFileURL(options.indexHtml);
  return {
    url: file.href,
    matches(candidate) {
      const parsed = safeUrl(candidate);
      return (
        parsed !== null &&
        parsed.protocol === 'file:' &&
        parsed.host === file.host &&
        decodeURIComponent(parsed.pathname) === decodeURIComponent(file.pathname)
      );
    },
  };
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** Minimal view of the main window the sender check needs (BrowserWindow satisfies it). */
export interface TrustedWindow {
  isDestroyed(): boolean;
  readonly webContents: WebContents;
}

/**
 * Trusted = sent by the main window's webContents, from its main frame (not an iframe), while that
 * frame shows our app URL. Anything else (another window, a subframe, a navigated page) is refused.
 */
export function createTrustedSenderCheck(
  getWindow: () => TrustedWindow | null | undefined,
  appUrl: AppUrl,
): TrustedSenderCheck {
  return (event) => {
    const win = getWindow();
    if (!win || win.isDestroyed()) return false;
    const contents = win.webContents;
    if (event.sender !== contents) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    const main = contents.mainFrame;
    const sameFrame =
      frame === main || (frame.processId === main.processId && frame.routingId === main.routingId);
    return sameFrame && appUrl.matches(frame.url);
  };
}

function describeSender(event: IpcMainInvokeEvent): Record<string, unknown> {
  let url: string | undefined;
  try {
    url = event.senderFrame?.url;
  } catch {
    url = undefined;
  }
  return { webContentsId: event.sender?.id, processId: event.processId, frameId: event.frameId, url };
}

function toFailure(error: unknown): IpcResult {
  if (error instanceof ConsoleError) {
    return { ok: false, error: { code: error.code, message: error.message } };
  }
  return { ok: false, error: { code: 'internal', message: 'internal error' } };
}

/**
 * Register one `ipcMain.handle` per request channel of the contract. Returns a dispose function that
 * removes exactly these handlers.
 */
export function registerConsoleIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  console: ConsoleService,
  isTrustedSender: TrustedSenderCheck,
  logger?: Logger,
): () => void {
  const registered: string[] = [];
  for (const channel of CONSOLE_REQUEST_CHANNELS) {
    const ipcChannel = ipcRequestChannel(channel);
    ipcMain.handle(ipcChannel, async (event: IpcMainInvokeEvent, input: unknown): Promise<IpcResult> => {
      let trusted = false;
      try {
        trusted = isTrustedSender(event);
      } catch (error) {
        logger?.warn('IPC sender check failed', { channel, error: (error as Error)?.message });
      }
      if (!trusted) {
        logger?.warn('refused console IPC call from an untrusted sender', {
          channel,
          ...describeSender(event),
        });
        return toFailure(new ConsoleError('forbidden', 'this sender may not call the console API'));
      }
      try {
        return { ok: true, value: await console.request(channel, input) };
      } catch (error) {
        if (!(error instanceof ConsoleError) || error.code === 'internal') {
          logger?.error('console request failed', { channel, error: (error as Error)?.message });
        }
        return toFailure(error);
      }
    });
    registered.push(ipcChannel);
  }
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    for (const ipcChannel of registered) ipcMain.removeHandler(ipcChannel);
  };
}

/** registerConsoleIpc on Electron's own ipcMain (the app uses this; tests pass a mock ipcMain). */
export function registerMainConsoleIpc(
  console: ConsoleService,
  isTrustedSender: TrustedSenderCheck,
  logger?: Logger,
): () => void {
  return registerConsoleIpc(electronIpcMain, console, isTrustedSender, logger);
}

/**
 * Push console events to one window's webContents while it is alive. Stops by itself when the
 * webContents is destroyed; returns an unsubscribe function.
 */
export function forwardConsoleEvents(
  console: ConsoleService,
  contents: Pick<WebContents, 'send' | 'isDestroyed' | 'once' | 'removeListener'>,
  logger?: Logger,
): () => void {
  let unsubscribe: (() => void) | null = null;
  const stop = (): void => {
    if (!unsubscribe) return;
    const u = unsubscribe;
    unsubscribe = null;
    contents.removeListener('destroyed', stop);
    u();
  };
  unsubscribe = console.subscribe((event, payload) => {
    if (contents.isDestroyed()) {
      stop();
      return;
    }
    try {
      contents.send(ipcEventChannel(event), payload);
    } catch (error) {
      logger?.warn('could not forward console event', { event, error: (error as Error)?.message });
    }
  });
  contents.once('destroyed', stop);
  return stop;
}
