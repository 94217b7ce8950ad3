/**
 * `--headless` in the desktop app (mocked electron): the hub starts, no BrowserWindow is created,
 * the console is served to a browser instead, a second launch may still open the window, closing
 * it does not stop the hub, and quitting stops both. Plus the packaged app's .env and log file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { BrowserWindow, app, mockEvent, resetElectronMock } from './electron-mock';
import type { ConsoleHandlers } from '../../../src-shared';
import { createConsoleService } from '../../../src-main/hub/console-service';
import { createHub, type Hub, type HubOptions } from '../../../src-main/hub/hub';
import { startApp, type StartAppOptions } from '../../../src-main/electron/app';
import { appEnvDirs, isHeadless } from '../../../src-main/electron/headless-mode';

vi.mock('electron', () => import('./electron-mock'));
vi.mock('../../../src-main/hub/hub', () => ({ createHub: vi.fn() }));
const createHubMock = vi.mocked(createHub);

type FakeHub = Hub & { start: Mock<() => Promise<void>>; stop: Mock<() => Promise<void>> };
function fakeHub(): FakeHub {
  const handlers = { getSnapshot: vi.fn(async () => ({ seq: 7 })) } as unknown as ConsoleHandlers;
  return {
    console: createConsoleService(handlers, () => () => {}),
    settings: { console: { host: '127.0.0.1', port: 0, token: 'console-token-for-the-test' } },
    start: vi.fn(async () => undefined),
    stop: vi.fn(async () => undefined),
    status: vi.fn(() => ({ alerts: { active: 0 } })),
  } as unknown as FakeHub;
}

let dir: string;
let hub: FakeHub;
let stdout: string[];
const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function start(options: StartAppOptions = {}) {
  const rendererDir = join(dir, 'dist', 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
  return startApp({
    envDirs: [dir],
    processEnv: {},
    logger,
    logDir: null,
    paths: { indexHtml: join(rendererDir, 'index.html'), preload: join(dir, 'preload.cjs') },
    crashGuards: false,
    ...options,
  });
}

beforeEach(() => {
  resetElectronMock();
  vi.clearAllMocks();
  dir = mkdtempSync(join(tmpdir(), 'ac-headless-'));
  app.userData = join(dir, 'userData');
  hub = fakeHub();
  createHubMock.mockImplementation(() => hub);
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  rmSync(dir, { recursive: true, force: true });
});

describe('--headless', () => {
  it('starts the hub and serves the console, with no window', async () => {
    const handle = start({ argv: ['/opt/ac/agent-centralizer', '--headless'] });
    await handle.ready;
    expect(hub.start).toHaveBeenCalledTimes(1);
    expect(BrowserWindow.instances).toHaveLength(0);
    expect(handle.getWindow()).toBeNull();

    const line = stdout.join('').match(/console: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))/);
    expect(line, stdout.join('')).not.toBeNull();
    expect(line![3]).toBe('console-token-for-the-test');
    const page = await fetch(`http://127.0.0.1:${line![2]}/`);
    expect(await page.text()).toContain('<title>console</title>');
    // The token goes to stdout only, never to the log.
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain('console-token-for-the-test');

    app.quit();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    expect(hub.stop).toHaveBeenCalledTimes(1);
    await expect(fetch(`http://127.0.0.1:${line![2]}/`)).rejects.toThrow();
  });

  it('is also turned on by CENTRALIZER_HEADLESS in the environment or .env', async () => {
    writeFileSync(join(dir, '.env'), 'CENTRALIZER_HEADLESS=true\n');
    await start({ argv: ['/opt/ac/agent-centralizer'] }).ready;
    expect(hub.start).toHaveBeenCalledTimes(1);
    expect(BrowserWindow.instances).toHaveLength(0);
    app.quit();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
  });

  it('quits (stopping the hub) on SIGTERM, as a service manager asks', async () => {
    await start({ argv: ['x', '--headless'] }).ready;
    process.emit('SIGTERM');
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    expect(hub.stop).toHaveBeenCalledTimes(1);
  });

  it('a second plain launch opens the window; closing it keeps the hub running', async () => {
    await start({ argv: ['x', '--headless'] }).ready;
    app.emit('second-instance', mockEvent(), ['x', '--headless'], dir);
    expect(BrowserWindow.instances).toHaveLength(0);
    app.emit('second-instance', mockEvent(), ['x'], dir);
    expect(BrowserWindow.instances).toHaveLength(1);
    BrowserWindow.instances[0]!.close();
    app.emit('window-all-closed');
    await flush();
    expect(app.quit).not.toHaveBeenCalled();
    expect(hub.stop).not.toHaveBeenCalled();
    app.quit();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
  });

  it('without the flag a window opens and no console server is started', async () => {
    await start({ argv: ['x'] }).ready;
    expect(BrowserWindow.instances).toHaveLength(1);
    expect(stdout.join('')).not.toContain('console:');
    app.quit();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
  });

  it('a second launch with --quit stops the running instance in order', async () => {
    await start({ argv: ['x', '--headless'] }).ready;
    app.emit('second-instance', mockEvent(), ['x', '--quit'], dir);
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    expect(hub.stop).toHaveBeenCalledTimes(1);
    expect(BrowserWindow.instances).toHaveLength(0);
  });

  it('--quit with no running instance starts nothing and exits', async () => {
    await start({ argv: ['x', '--quit'] }).ready;
    expect(createHubMock).not.toHaveBeenCalled();
    expect(app.quit).toHaveBeenCalled();
  });

  it('respects the single-instance lock: a second headless app does not start a hub', async () => {
    app.requestSingleInstanceLock.mockImplementation(() => false);
    await start({ argv: ['x', '--headless'] }).ready;
    expect(createHubMock).not.toHaveBeenCalled();
    expect(app.quit).toHaveBeenCalled();
  });
});

describe('packaged app: .env beside the executable, log file, sources', () => {
  it('reads the .env next to the executable and hands the layers and log path to the hub', async () => {
    app.isPackaged = true;
    const exeDir = join(dir, 'portable');
    mkdirSync(exeDir);
    writeFileSync(join(exeDir, '.env'), 'CENTRALIZER_GATEWAY_PORT=9100\n');
    expect(appEnvDirs({ PORTABLE_EXECUTABLE_DIR: exeDir })).toEqual([exeDir]);

    const logDir = join(dir, 'logs');
    await start({
      envDirs: undefined,
      processEnv: { PORTABLE_EXECUTABLE_DIR: exeDir },
      logger: undefined,
      logDir,
      argv: ['x'],
    }).ready;
    const options = createHubMock.mock.calls[0]![0] as HubOptions;
    expect(options.env.CENTRALIZER_GATEWAY_PORT).toBe('9100');
    expect(options.envLayers?.files).toEqual([
      { path: join(exeDir, '.env'), found: true, values: { CENTRALIZER_GATEWAY_PORT: '9100' } },
    ]);
    expect(options.logFile).toBe(join(logDir, 'hub.log'));
    // The app's own logger writes there (the "loaded .env" line replayed after the logger exists).
    expect(readFileSync(join(logDir, 'hub.log'), 'utf8')).toContain('loaded .env');
    app.quit();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
  });
});

describe('isHeadless', () => {
  it('accepts the flag or a true-ish environment value only', () => {
    expect(isHeadless(['app', '--headless'], {})).toBe(true);
    expect(isHeadless(['app'], { CENTRALIZER_HEADLESS: '1' })).toBe(true);
    expect(isHeadless(['app'], { CENTRALIZER_HEADLESS: 'Yes ' })).toBe(true);
    expect(isHeadless(['app'], { CENTRALIZER_HEADLESS: '0' })).toBe(false);
    expect(isHeadless(['app', '--headlessx'], {})).toBe(false);
  });
});
