import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ElectronMock from './electron-mock';
import {
  CONSOLE_REQUEST_CHANNELS,
  PRELOAD_GLOBAL,
  ipcEventChannel,
  ipcRequestChannel,
  type PreloadApi,
} from '../../../src-shared/console-channels';
import { parseIpcErrorMessage, type IpcError } from '../../../src-main/electron/ipc-result';

vi.mock('electron', () => import('./electron-mock'));

const root = join(import.meta.dirname, '../../..');
let api: PreloadApi;
let contextBridge: typeof ElectronMock.contextBridge;
let ipcRenderer: typeof ElectronMock.ipcRenderer;

beforeEach(async () => {
  // A fresh preload (and a fresh mock: the module registry is reset) for every test.
  vi.resetModules();
  const electron = (await import('electron')) as unknown as typeof ElectronMock;
  electron.resetElectronMock();
  ({ contextBridge, ipcRenderer } = electron);
  await import('../../../src-main/electron/preload');
  api = contextBridge.exposed[PRELOAD_GLOBAL] as PreloadApi;
});

describe('preload', () => {
  it('exposes only PRELOAD_GLOBAL, with exactly the request functions and on', () => {
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(Object.keys(contextBridge.exposed)).toEqual([PRELOAD_GLOBAL]);
    expect(Object.keys(api).sort()).toEqual(['on', 'request']);
    expect(Object.keys(api.request).sort()).toEqual([...CONSOLE_REQUEST_CHANNELS].sort());
    for (const fn of Object.values(api.request)) expect(typeof fn).toBe('function');
    expect(typeof api.on).toBe('function');
    expect(Object.isFrozen(api) && Object.isFrozen(api.request)).toBe(true);
  });

  it('invokes the contract channel with the input and unwraps a success', async () => {
    ipcRenderer.invoke.mockResolvedValue({ ok: true, value: { seq: 7 } });
    await expect(api.request.getAgentDetail({ agentId: 'a' })).resolves.toEqual({ seq: 7 });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(ipcRequestChannel('getAgentDetail'), { agentId: 'a' });
    for (const channel of CONSOLE_REQUEST_CHANNELS) {
      await api.request[channel]();
      expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(ipcRequestChannel(channel), undefined);
    }
  });

  it('rejects with an Error carrying the code (also recoverable from the message alone)', async () => {
    ipcRenderer.invoke.mockResolvedValue({
      ok: false,
      error: { code: 'bad_request', message: 'agentId: required' },
    });
    const error = (await api.request.getAgentDetail({}).catch((e: unknown) => e)) as IpcError;
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('bad_request');
    // contextBridge copies only `message` across worlds: the code must survive in it.
    expect(parseIpcErrorMessage(error.message)).toEqual({
      code: 'bad_request',
      message: 'agentId: required',
    });
    expect(parseIpcErrorMessage('plain')).toEqual({ code: 'internal', message: 'plain' });

    ipcRenderer.invoke.mockResolvedValue('not a result');
    await expect(api.request.getSnapshot()).rejects.toMatchObject({ code: 'internal' });
  });

  it('on() strips the IpcRendererEvent, and its return value unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = api.on('delta', listener);
    const event = { sender: ipcRenderer, senderId: 0 };
    ipcRenderer.emit(ipcEventChannel('delta'), event, { seq: 1 });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([{ seq: 1 }]);
    unsubscribe();
    unsubscribe();
    ipcRenderer.emit(ipcEventChannel('delta'), event, { seq: 2 });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.listenerCount(ipcEventChannel('delta'))).toBe(0);
  });

  it('on() refuses unknown events and non-function listeners', () => {
    expect(() => api.on('console:getSnapshot' as never, vi.fn())).toThrow(TypeError);
    expect(() => api.on('__proto__' as never, vi.fn())).toThrow(TypeError);
    expect(() => api.on('delta', 'x' as never)).toThrow(TypeError);
    expect(ipcRenderer.eventNames()).toEqual([]);
  });

  it('imports nothing but electron and dependency-free local modules (sandbox)', () => {
    const importsOf = (file: string) =>
      [
        ...readFileSync(join(root, file), 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm),
      ].map((m) => m[1]);
    expect(importsOf('src-main/electron/preload.ts')).toEqual([
      'electron',
      '../../src-shared/console-channels',
      './ipc-result',
    ]);
    expect(importsOf('src-shared/console-channels.ts')).toEqual([]);
    expect(importsOf('src-main/electron/ipc-result.ts')).toEqual([]);
  });
});
