import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import {
  BrowserWindow,
  MockWebContents,
  MockWebFrameMain,
  ipcMain,
  resetElectronMock,
} from './electron-mock';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import {
  CONSOLE_REQUEST_CHANNELS,
  ipcEventChannel,
  ipcRequestChannel,
  type ConsoleHandlers,
} from '../../../src-shared';
import { createConsoleService, type ConsoleEventListener } from '../../../src-main/hub/console-service';
import {
  createAppUrl,
  createTrustedSenderCheck,
  forwardConsoleEvents,
  registerConsoleIpc,
  type TrustedWindow,
} from '../../../src-main/electron/ipc';
import type { IpcResult } from '../../../src-main/electron/ipc-result';

vi.mock('electron', () => import('./electron-mock'));

const AGENT_ID = 'agent-1';

let dir: string;
let indexHtml: string;
let win: BrowserWindow;
let listeners: Set<ConsoleEventListener>;
let handlers: { [K in keyof ConsoleHandlers]: Mock<(input?: unknown) => Promise<unknown>> };
let warn: Mock<(message: string, fields?: Record<string, unknown>) => void>;
let dispose: () => void;

function makeService() {
  listeners = new Set();
  // Every channel answers null unless a test needs more; the ones below are used by name.
  handlers = Object.fromEntries(
    CONSOLE_REQUEST_CHANNELS.map((channel) => [
      channel,
      vi.fn(async (_input?: unknown): Promise<unknown> => null),
    ]),
  ) as typeof handlers;
  handlers.getSnapshot.mockImplementation(async () => ({ seq: 1, agents: [], servers: [] }));
  handlers.getAgentConnectionInfo.mockImplementation(async () => {
    throw new Error('boom');
  });
  return createConsoleService(handlers as unknown as ConsoleHandlers, (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  });
}

function trustedEvent(contents = win.webContents, frame = contents.mainFrame): IpcMainInvokeEvent {
  return {
    sender: contents,
    senderFrame: frame,
    processId: frame.processId,
    frameId: frame.routingId,
  } as never;
}

beforeEach(async () => {
  resetElectronMock();
  dir = mkdtempSync(join(tmpdir(), 'ac-ipc-'));
  indexHtml = join(dir, 'renderer', 'index.html');
  win = new BrowserWindow({ webPreferences: {} });
  await win.loadFile(indexHtml);
  const appUrl = createAppUrl({ indexHtml });
  warn = vi.fn();
  const logger = { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() };
  const isTrusted = createTrustedSenderCheck(() => win as unknown as TrustedWindow, appUrl);
  dispose = registerConsoleIpc(ipcMain as unknown as IpcMain, makeService(), isTrusted, logger);
});
afterEach(() => {
  dispose();
  rmSync(dir, { recursive: true, force: true });
});

const call = (channel: string, event: IpcMainInvokeEvent, input?: unknown) =>
  ipcMain.invoke(ipcRequestChannel(channel), event, input) as Promise<IpcResult>;

describe('registerConsoleIpc', () => {
  it('registers exactly one handler per request channel, and dispose removes them', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      CONSOLE_REQUEST_CHANNELS.map(ipcRequestChannel).sort(),
    );
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
    dispose(); // idempotent
  });

  it('runs a trusted, valid call and returns { ok: true, value }', async () => {
    await expect(call('getSnapshot', trustedEvent())).resolves.toEqual({
      ok: true,
      value: { seq: 1, agents: [], servers: [] },
    });
    await expect(call('getAgentDetail', trustedEvent(), { agentId: AGENT_ID })).resolves.toEqual({
      ok: true,
      value: null,
    });
    expect(handlers.getAgentDetail).toHaveBeenCalledWith({ agentId: AGENT_ID });
  });

  it('answers bad_request for invalid input from a trusted sender (real ConsoleService)', async () => {
    for (const input of [{ agentId: 42 }, { agentId: AGENT_ID, extra: 1 }, 'x', undefined]) {
      const result = await call('getAgentDetail', trustedEvent(), input);
      expect(result).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(await call('getSnapshot', trustedEvent(), { unexpected: true })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(handlers.getAgentDetail).not.toHaveBeenCalled();
    expect(handlers.getSnapshot).not.toHaveBeenCalled();
  });

  it('turns a failing handler into an internal error result, never a throw', async () => {
    const result = await call('getAgentConnectionInfo', trustedEvent());
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  describe('refuses untrusted senders with forbidden, before the hub sees anything', () => {
    const cases: Array<[string, () => IpcMainInvokeEvent]> = [
      ['another webContents', () => trustedEvent(new MockWebContents() as never)],
      [
        'another webContents showing our page',
        () => {
          const other = new MockWebContents();
          other.mainFrame.url = pathToFileURL(indexHtml).href;
          return trustedEvent(other as never);
        },
      ],
      [
        'a subframe of our window',
        () =>
          trustedEvent(
            win.webContents,
            new MockWebFrameMain(pathToFileURL(indexHtml).href, win.webContents.mainFrame),
          ),
      ],
      [
        'a different top-level frame object',
        () => trustedEvent(win.webContents, new MockWebFrameMain(pathToFileURL(indexHtml).href, null, 999)),
      ],
      [
        'our frame after navigating to another URL',
        () => {
          win.webContents.mainFrame.url = 'https://evil.example.com/';
          return trustedEvent();
        },
      ],
      [
        'another file:// page',
        () => {
          win.webContents.mainFrame.url = pathToFileURL(join(dir, 'renderer', 'other.html')).href;
          return trustedEvent();
        },
      ],
      ['a destroyed frame (senderFrame null)', () => ({ ...trustedEvent(), senderFrame: null }) as never],
      [
        'a closed window',
        () => {
          const event = trustedEvent();
          win.close();
          return event;
        },
      ],
    ];
    for (const [name, makeEvent] of cases) {
      it(name, async () => {
        for (const channel of CONSOLE_REQUEST_CHANNELS) {
          const input = channel === 'getAgentDetail' ? { agentId: AGENT_ID } : undefined;
          const result = await call(channel, makeEvent(), input);
          expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        }
        for (const handler of Object.values(handlers)) expect(handler).not.toHaveBeenCalled();
        expect(warn).toHaveBeenCalledWith(
          'refused console IPC call from an untrusted sender',
          expect.objectContaining({ channel: 'getSnapshot' }),
        );
      });
    }
  });

  it('treats a throwing sender check as untrusted', async () => {
    dispose();
    dispose = registerConsoleIpc(ipcMain as unknown as IpcMain, makeService(), () => {
      throw new Error('frame gone');
    });
    expect(await call('getSnapshot', trustedEvent())).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(handlers.getSnapshot).not.toHaveBeenCalled();
  });
});

describe('forwardConsoleEvents', () => {
  it('sends events to the webContents until unsubscribed', () => {
    const service = makeService();
    const contents = new MockWebContents();
    const stop = forwardConsoleEvents(service, contents as never);
    expect(listeners.size).toBe(1);
    const delta = {
      seq: 2,
      agents: [],
      servers: [],
      jobs: [],
      bulks: [],
      removedAgents: [],
      removedServers: [],
      removedJobs: [],
      alerts: [],
      removedAlerts: [],
    };
    for (const listener of listeners) listener('delta', delta);
    expect(contents.send).toHaveBeenCalledWith(ipcEventChannel('delta'), delta);
    stop();
    expect(listeners.size).toBe(0);
    stop();
  });

  it('stops by itself when the webContents is destroyed', () => {
    const service = makeService();
    const contents = new MockWebContents();
    forwardConsoleEvents(service, contents as never);
    contents.destroy();
    expect(listeners.size).toBe(0);
    expect(contents.listenerCount('destroyed')).toBe(0);
  });

  it('never sends to a destroyed webContents', () => {
    const service = makeService();
    const contents = new MockWebContents();
    forwardConsoleEvents(service, contents as never);
    vi.spyOn(contents, 'isDestroyed').mockReturnValue(true);
    for (const listener of [...listeners]) listener('delta', { seq: 3 } as never);
    expect(contents.send).not.toHaveBeenCalled();
    expect(listeners.size).toBe(0);
  });
});

describe('createAppUrl', () => {
  it('matches only our index.html (any hash or query) on file://', () => {
    const appUrl = createAppUrl({ indexHtml });
    const href = pathToFileURL(indexHtml).href;
    expect(appUrl.matches(href)).toBe(true);
    expect(appUrl.matches(`${href}#/servers/x`)).toBe(true);
    expect(appUrl.matches(`${href}x`)).toBe(false);
    expect(appUrl.matches('file:///etc/passwd')).toBe(false);
    expect(appUrl.matches('http://localhost/')).toBe(false);
    expect(appUrl.matches('garbage')).toBe(false);
  });

  it('refuses a non-http dev server URL', () => {
    expect(() => createAppUrl({ indexHtml, devServerUrl: 'file:///tmp/x' })).toThrow(/http/);
  });
});
