/**
 * The sandboxed preload: exposes exactly `window[PRELOAD_GLOBAL]` (PreloadApi) and nothing else.
 *
 * It runs with `sandbox: true`, so it is bundled into one CommonJS file whose only import is
 * `electron` (vite.config.ts, preload environment). Keep every import here dependency-free: the
 * zod-free channel list, and the tiny result helpers. Never expose `ipcRenderer` itself or a generic
 * `invoke(channel)`: the page may only call the named console channels.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  CONSOLE_EVENT_CHANNELS,
  CONSOLE_REQUEST_CHANNELS,
  PRELOAD_GLOBAL,
  ipcEventChannel,
  ipcRequestChannel,
  type PreloadApi,
} from '../../src-shared/console-channels';
import { unwrapIpcResult } from './ipc-result';

type RequestName = (typeof CONSOLE_REQUEST_CHANNELS)[number];
type EventName = (typeof CONSOLE_EVENT_CHANNELS)[number];

function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (CONSOLE_EVENT_CHANNELS as readonly string[]).includes(name);
}

function createPreloadApi(): PreloadApi {
  const request = {} as PreloadApi['request'];
  for (const channel of CONSOLE_REQUEST_CHANNELS) {
    const ipcChannel = ipcRequestChannel(channel);
    request[channel as RequestName] = async (input?: unknown) =>
      unwrapIpcResult(await ipcRenderer.invoke(ipcChannel, input));
  }
  Object.freeze(request);

  return Object.freeze({
    request,
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      if (!isEventName(event)) throw new TypeError(`unknown console event ${JSON.stringify(event)}`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      const ipcChannel = ipcEventChannel(event);
      // Strip the IpcRendererEvent: it carries `sender` (the ipcRenderer) which must not leak.
      const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
      ipcRenderer.on(ipcChannel, wrapped);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipcRenderer.removeListener(ipcChannel, wrapped);
      };
    },
  });
}

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, createPreloadApi());
