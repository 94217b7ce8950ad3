import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type * as ElectronMock from './electron-mock';
import {
  BrowserWindow,
  MockSession,
  app,
  dialog,
  ipcMain,
  mockEvent,
  protocol,
  resetElectronMock,
} from './electron-mock';
import {
  CONSOLE_REQUEST_CHANNELS,
  ipcEventChannel,
  ipcRequestChannel,
  type ConsoleHandlers,
} from '../../../src-shared';
import { createConsoleService, type ConsoleEventListener } from '../../../src-main/hub/console-service';
import { createHub, type Hub, type HubOptions } from '../../../src-main/hub/hub';
import { DEV_SERVER_ENV, startApp, type StartAppOptions } from '../../../src-main/electron/app';
import { loadEnv } from '../../../src-main/hub/env-files';

vi.mock('electron', () => import('./electron-mock'));
vi.mock('../../../src-main/hub/hub', () => ({ createHub: vi.fn() }));

const createHubMock = vi.mocked(createHub);

interface FakeHub extends Hub {
  start: Mock<() => Promise<void>>;
  stop: Mock<() => Promise<void>>;
  listeners: Set<ConsoleEventListener>;
  snapshot: Mock<() => Promise<unknown>>;
}

function fakeHub(): FakeHub {
  const listeners = new Set<ConsoleEventListener>();
  const snapshot = vi.fn(async () => ({ seq: 0 }));
  const handlers = {
    getSnapshot: snapshot,
    getAgentDetail: vi.fn(async () => null),
    getServerDetail: vi.fn(async () => null),
    getAgentConnectionInfo: vi.fn(async () => ({})),
  } as unknown as ConsoleHandlers;
  return {
    console: createConsoleService(handlers, (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    }),
    start: vi.fn(async () => undefined),
    stop: vi.fn(async () => undefined),
    status: vi.fn(),
    listeners,
    snapshot,
  } as unknown as FakeHub;
}

let dir: string;
let cwd: string;
let hub: FakeHub;
const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

function paths() {
  return {
    indexHtml: join(dir, 'dist', 'renderer', 'index.html'),
    preload: join(dir, 'dist', 'preload', 'preload.cjs'),
  };
}

function start(options: StartAppOptions = {}) {
  return startApp({
    envDirs: [cwd],
    processEnv: { FROM_PROCESS: 'p', SHARED: 'process wins' },
    logger,
    paths: paths(),
    crashGuards: false,
    ...options,
  });
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  resetElectronMock();
  vi.clearAllMocks();
  dir = mkdtempSync(join(tmpdir(), 'ac-app-'));
  cwd = join(dir, 'cwd');
  mkdirSync(cwd);
  app.userData = join(dir, 'userData');
  hub = fakeHub();
  createHubMock.mockImplementation(() => hub);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('startApp', () => {
  it('enables the sandbox, creates the hub in userData with .env merged, starts it, opens the window', async () => {
    writeFileSync(join(cwd, '.env'), 'FROM_FILE=f\nSHARED=file loses\n# comment\n');
    const handle = start();
    expect(app.enableSandbox).toHaveBeenCalledTimes(1);
    await handle.ready;

    expect(createHubMock).toHaveBeenCalledTimes(1);
    const options = createHubMock.mock.calls[0]![0] as HubOptions;
    expect(options.mode).toBe('electron');
    expect(options.dataDir).toBe(app.userData);
    expect(options.env).toMatchObject({ FROM_FILE: 'f', FROM_PROCESS: 'p', SHARED: 'process wins' });
    expect(options.logger).toBe(logger);
    expect(hub.start).toHaveBeenCalledTimes(1);

    expect(BrowserWindow.instances).toHaveLength(1);
    const win = BrowserWindow.instances[0]!;
    expect(win.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      preload: paths().preload,
    });
    expect(win.loadURL).toHaveBeenCalledWith('app://console/index.html');
    expect(win.loadFile).not.toHaveBeenCalled();
    expect(handle.getHub()).toBe(hub);
    expect(handle.getWindow()).toBe(win);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      CONSOLE_REQUEST_CHANNELS.map(ipcRequestChannel).sort(),
    );
  });

  it('enables the sandbox before the app is ready', () => {
    let readyResolved = false;
    app.whenReady.mockImplementation(async () => {
      readyResolved = true;
    });
    start();
    expect(app.enableSandbox).toHaveBeenCalled();
    expect(app.enableSandbox.mock.invocationCallOrder[0]!).toBeLessThan(
      app.whenReady.mock.invocationCallOrder[0]!,
    );
    expect(readyResolved).toBe(true); // whenReady called, but enableSandbox came first
  });

  it('wires IPC from the window to the hub, trusting only the main window page', async () => {
    await start().ready;
    const win = BrowserWindow.instances[0]!;
    await flush();
    expect(win.webContents.mainFrame.url).toBe('app://console/index.html');
    const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    await expect(ipcMain.invoke(ipcRequestChannel('getSnapshot'), event)).resolves.toEqual({
      ok: true,
      value: { seq: 0 },
    });
    const other = new BrowserWindow({ webPreferences: {} });
    const foreign = { sender: other.webContents, senderFrame: other.webContents.mainFrame };
    await expect(ipcMain.invoke(ipcRequestChannel('getSnapshot'), foreign)).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(hub.snapshot).toHaveBeenCalledTimes(1);
  });

  it('forwards hub events to the window, and stops when it closes', async () => {
    await start().ready;
    const win = BrowserWindow.instances[0]!;
    // Two listeners: the window's forwarding and the desktop notifications (notifications.ts).
    expect(hub.listeners.size).toBe(2);
    for (const l of hub.listeners) l('delta', { seq: 5 } as never);
    expect(win.webContents.send).toHaveBeenCalledWith(ipcEventChannel('delta'), { seq: 5 });
    win.close();
    // The notifications outlive the window (macOS keeps the app running without one).
    expect(hub.listeners.size).toBe(1);
  });

  it('stops the hub before quitting (before-quit waits for hub.stop)', async () => {
    await start().ready;
    let finishStop!: () => void;
    hub.stop.mockImplementation(() => new Promise<void>((resolve) => (finishStop = resolve)));

    app.quit();
    expect(hub.stop).toHaveBeenCalledTimes(1);
    expect(app.quitted).toBe(false); // quit deferred while the hub stops
    app.quit(); // a second request while stopping does not stop twice
    expect(hub.stop).toHaveBeenCalledTimes(1);

    finishStop();
    await flush();
    expect(app.quitted).toBe(true);
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('still quits when hub.stop fails, and logs it', async () => {
    await start().ready;
    hub.stop.mockRejectedValue(new Error('socket stuck'));
    app.quit();
    await flush();
    expect(app.quitted).toBe(true);
    expect(logger.error).toHaveBeenCalledWith('error while stopping the hub', { error: 'socket stuck' });
  });

  it('quits when all windows are closed (except on macOS)', async () => {
    await start().ready;
    BrowserWindow.instances[0]!.close();
    await flush();
    if (process.platform === 'darwin') expect(app.quit).not.toHaveBeenCalled();
    else {
      expect(app.quit).toHaveBeenCalled();
      expect(hub.stop).toHaveBeenCalled();
    }
  });

  it('focuses the existing window on a second launch', async () => {
    await start().ready;
    const win = BrowserWindow.instances[0]!;
    win.minimize();
    app.emit('second-instance', mockEvent(), ['electron', '.'], cwd);
    expect(win.restore).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
    expect(BrowserWindow.instances).toHaveLength(1);
  });

  it('does nothing but quit when another instance holds the lock', async () => {
    app.requestSingleInstanceLock.mockReturnValue(false);
    const handle = start();
    await handle.ready;
    expect(app.quit).toHaveBeenCalled();
    expect(createHubMock).not.toHaveBeenCalled();
    expect(BrowserWindow.instances).toHaveLength(0);
  });

  it('logs a failing hub.start and still opens the console', async () => {
    hub.start.mockRejectedValue(new Error('EADDRINUSE'));
    await start().ready;
    expect(logger.error).toHaveBeenCalledWith('hub failed to start', { error: 'EADDRINUSE' });
    expect(BrowserWindow.instances).toHaveLength(1);
  });

  it('reports a hub that cannot be created instead of crashing', async () => {
    createHubMock.mockImplementation(() => {
      throw new Error('invalid settings: CENTRALIZER_GATEWAY_PORT');
    });
    await expect(start().ready).resolves.toBeUndefined();
    expect(dialog.showErrorBox).toHaveBeenCalledWith(
      'Agent Centralizer cannot start',
      expect.stringContaining('GATEWAY_PORT'),
    );
    expect(app.exit).toHaveBeenCalledWith(1);
    expect(BrowserWindow.instances).toHaveLength(0);
  });

  it('uses a dev server URL only when not packaged', async () => {
    await start({ processEnv: { [DEV_SERVER_ENV]: 'http://localhost:5173/' } }).ready;
    expect(BrowserWindow.instances[0]!.loadURL).toHaveBeenCalledWith('http://localhost:5173/');

    resetElectronMock();
    app.userData = join(dir, 'userData');
    app.isPackaged = true;
    await start({ processEnv: { [DEV_SERVER_ENV]: 'http://localhost:5173/' } }).ready;
    expect(BrowserWindow.instances[0]!.loadURL).toHaveBeenCalledWith('app://console/index.html');
  });

  it('ignores a malformed dev server URL and loads the built page', async () => {
    await start({ processEnv: { [DEV_SERVER_ENV]: 'not a url' } }).ready;
    expect(BrowserWindow.instances[0]!.loadURL).toHaveBeenCalledWith('app://console/index.html');
    expect(logger.error).toHaveBeenCalledWith(`ignoring ${DEV_SERVER_ENV}`, expect.anything());
  });

  it('denies popups, webviews and navigation away for every webContents created', async () => {
    await start().ready;
    const other = new BrowserWindow({ webPreferences: {} });
    expect(other.webContents.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const webview = mockEvent();
    other.webContents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    for (const name of ['will-navigate', 'will-redirect']) {
      const away = mockEvent({ url: 'https://evil.example.com/' });
      other.webContents.emit(name, away);
      expect(away.defaultPrevented, name).toBe(true);
      const file = mockEvent({ url: pathToFileURL(paths().indexHtml).href });
      other.webContents.emit(name, file);
      expect(file.defaultPrevented, `${name} to file://`).toBe(true);
      const home = mockEvent({ url: 'app://console/index.html#/alerts' });
      other.webContents.emit(name, home);
      expect(home.defaultPrevented, name).toBe(false);
    }
    expect(logger.warn).toHaveBeenCalledWith('blocked navigation', {
      url: 'https://evil.example.com/',
    });
  });

  it('hardens every session created later: permissions denied, CSP header added', async () => {
    await start().ready;
    const partition = new MockSession();
    app.emit('session-created', partition);
    const callback = vi.fn();
    partition.permissionRequestHandler!(null, 'media', callback, {});
    expect(callback).toHaveBeenCalledWith(false);
    expect(partition.permissionCheckHandler!(null, 'clipboard-read', 'app://console', {})).toBe(false);
    const headers = vi.fn();
    partition.headersReceived!({ responseHeaders: {} }, headers);
    expect(headers.mock.calls[0]![0]).toMatchObject({
      responseHeaders: { 'Content-Security-Policy': [expect.stringContaining("script-src 'self'")] },
    });
  });

  it('registers the privileged app:// scheme before ready and serves the built renderer on it', async () => {
    let registeredBeforeReady = false;
    app.whenReady.mockImplementation(async () => {
      registeredBeforeReady = protocol.registerSchemesAsPrivileged.mock.calls.length === 1;
      expect(protocol.handlers.size).toBe(0);
    });
    mkdirSync(join(dir, 'dist', 'renderer'), { recursive: true });
    writeFileSync(paths().indexHtml, '<!doctype html><title>console</title>');
    await start().ready;
    expect(registeredBeforeReady).toBe(true);
    expect(protocol.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    const handler = protocol.handlers.get('app')!;
    const response = await handler({ url: 'app://console/index.html', method: 'GET' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>console</title>');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('does not serve app:// when the page comes from the dev server', async () => {
    await start({ processEnv: { [DEV_SERVER_ENV]: 'http://localhost:5173/' } }).ready;
    expect(protocol.handlers.size).toBe(0);
  });
});

describe('loadEnv', () => {
  it('lets the environment win, earlier directories win over later ones, and ignores missing files', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, '.env'), 'K=a\nONLY_A=1\n');
    writeFileSync(join(b, '.env'), 'K=b\nONLY_B=2\n');
    expect(loadEnv([a, b, join(dir, 'missing')], { E: 'e' })).toEqual({
      K: 'a',
      ONLY_A: '1',
      ONLY_B: '2',
      E: 'e',
    });
    expect(loadEnv([a], { K: 'env' }).K).toBe('env');
  });
});

describe('main.ts', () => {
  it('only starts the app', async () => {
    vi.resetModules();
    const startAppSpy = vi.fn();
    vi.doMock('../../../src-main/electron/app', () => ({ startApp: startAppSpy }));
    await import('../../../src-main/electron/main');
    expect(startAppSpy).toHaveBeenCalledTimes(1);
    vi.doUnmock('../../../src-main/electron/app');
  });

  it('as the real entry: starts the hub, opens the window, stops the hub on quit', async () => {
    vi.resetModules();
    // Fresh module registry: take the electron mock and the hub mock the entry will see.
    const electron = (await import('electron')) as unknown as typeof ElectronMock;
    const hubModule = await import('../../../src-main/hub/hub');
    electron.resetElectronMock();
    electron.app.userData = join(dir, 'userData');
    const realHub = fakeHub();
    vi.mocked(hubModule.createHub).mockImplementation(() => realHub);
    writeFileSync(join(cwd, '.env'), 'CENTRALIZER_LOG_LEVEL=error\nFROM_DOTENV=yes\n');
    const previousCwd = process.cwd();
    const guards = {
      rejection: process.listeners('unhandledRejection'),
      exception: process.listeners('uncaughtException'),
    };
    process.chdir(cwd);
    try {
      await import('../../../src-main/electron/main');
      for (let i = 0; i < 5 && electron.BrowserWindow.instances.length === 0; i++) await flush();
      expect(vi.mocked(hubModule.createHub).mock.calls[0]![0]).toMatchObject({
        mode: 'electron',
        dataDir: electron.app.userData,
        env: { FROM_DOTENV: 'yes' },
      });
      expect(realHub.start).toHaveBeenCalledTimes(1);
      expect(electron.BrowserWindow.instances).toHaveLength(1);
      electron.app.quit();
      await flush();
      expect(realHub.stop).toHaveBeenCalledTimes(1);
      expect(electron.app.quitted).toBe(true);
    } finally {
      process.chdir(previousCwd);
      for (const l of process.listeners('unhandledRejection')) {
        if (!guards.rejection.includes(l)) process.off('unhandledRejection', l);
      }
      for (const l of process.listeners('uncaughtException')) {
        if (!guards.exception.includes(l)) process.off('uncaughtException', l);
      }
    }
  });
});
