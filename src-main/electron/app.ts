/**
 * Electron app lifecycle around one hub: single instance, .env + environment, the hub started in
 * userData, the typed IPC, the window, events forwarded, and an orderly hub stop before quitting.
 * main.ts only calls startApp(); tests call it with a mocked `electron` and a mocked hub.
 */
import { dirname } from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';
import { readEnvLayers } from '../hub/env-files';
import { appEnvDirs, isHeadless, openAppLogFile, QUIT_FLAG, startHeadless } from './headless-mode';
import { createHub, type Hub } from '../hub/hub';
import { createSafeStorageSecretStore } from './secret-store';
import { createLogger, type Logger, type LogLevel } from '../hub/logger';
import {
  createAppUrl,
  createTrustedSenderCheck,
  type AppUrl,
  forwardConsoleEvents,
  registerMainConsoleIpc,
} from './ipc';
import { startDesktopNotifications, type DesktopNotifications } from './notifications';
import { appProtocolUrl, registerAppScheme, serveAppProtocol } from './app-protocol';
import {
  CONTENT_SECURITY_POLICY,
  createMainWindow,
  devContentSecurityPolicy,
  hardenSession,
  navigationGuard,
  resolveAppPaths,
  type AppPaths,
} from './window';

/** Env key of the Vite dev server URL; honoured only when the app is not packaged. */
export const DEV_SERVER_ENV = 'CENTRALIZER_DEV_SERVER_URL';
/** How long quitting waits for the hub to close agent connections. */
export const HUB_STOP_TIMEOUT_MS = 5_000;

export interface StartAppOptions {
  /** Directories searched for a `.env`, first match wins per key (default: the current directory). */
  envDirs?: string[];
  /** Overrides process.env (tests). */
  processEnv?: Record<string, string | undefined>;
  logger?: Logger;
  paths?: AppPaths;
  /** Log (instead of crash on) unhandled rejections and exceptions; default true. */
  crashGuards?: boolean;
  /** Command line (default process.argv); `--headless` runs without a window (headless-mode.ts). */
  argv?: readonly string[];
  /** Folder of the rotating log file (default CENTRALIZER_LOG_DIR or Electron's logs folder); null: none. */
  logDir?: string | null;
}

export interface AppHandle {
  /** Settles when startup finished (window created) or was abandoned; never rejects. */
  ready: Promise<void>;
  getHub(): Hub | null;
  getWindow(): BrowserWindow | null;
}

let crashGuardsInstalled = false;
/** Hub or IPC errors must never take the app down (Electron would show a crash dialog): log them. */
function installCrashGuards(logger: Logger): void {
  if (crashGuardsInstalled) return;
  crashGuardsInstalled = true;
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection', { error: (reason as Error)?.message ?? String(reason) });
  });
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception', { error: error.message, stack: error.stack });
  });
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function startApp(options: StartAppOptions = {}): AppHandle {
  const processEnv = options.processEnv ?? process.env;
  // Read .env first so CENTRALIZER_LOG_LEVEL from it applies; replay what loading it said.
  const envNotes: Array<[LogLevel, string, Record<string, unknown> | undefined]> = [];
  const note =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      envNotes.push([level, message, fields]);
    };
  const envLayers = readEnvLayers(options.envDirs ?? appEnvDirs(processEnv), processEnv, {
    debug: note('debug'),
    info: note('info'),
    warn: note('warn'),
    error: note('error'),
  });
  const env = envLayers.merged;
  const level = env.CENTRALIZER_LOG_LEVEL as LogLevel | undefined;
  const log = openAppLogFile(options.logDir, env, (error) => {
    process.stderr.write(`log file ${log.file?.path} given up: ${error.message}\n`);
  });
  const logger =
    options.logger ??
    createLogger({
      name: 'main',
      level: level && LOG_LEVELS.includes(level) ? level : 'info',
      file: log.file ?? undefined,
    });
  for (const [lvl, message, fields] of envNotes) logger[lvl](message, fields);
  if (log.problem) logger.warn('no log file', { error: log.problem });
  const headless = isHeadless(options.argv ?? process.argv, env);
  let headlessConsole: { close(): Promise<void> } | null = null;

  let hub: Hub | null = null;
  let mainWindow: BrowserWindow | null = null;
  let stopForwarding: (() => void) | null = null;
  let disposeIpc: (() => void) | null = null;
  let notifications: DesktopNotifications | null = null;
  let quitPhase: 'running' | 'stopping' | 'stopped' = 'running';

  if (options.crashGuards !== false) installCrashGuards(logger);

  if (!app.requestSingleInstanceLock()) {
    logger.info('another instance is running; handing over to it');
    app.quit();
    return { ready: Promise.resolve(), getHub: () => null, getWindow: () => null };
  }
  if ((options.argv ?? process.argv).includes(QUIT_FLAG)) {
    // `--quit` asks a running instance to stop (above); with none running there is nothing to do.
    logger.info('--quit: no running instance to stop');
    app.quit();
    return { ready: Promise.resolve(), getHub: () => null, getWindow: () => null };
  }

  // Every renderer is sandboxed, whatever its webPreferences say. Must run before 'ready'.
  app.enableSandbox();

  // The page is served from app://console/ rather than file:// (app-protocol.ts). Must run before 'ready'.
  registerAppScheme();

  const paths = options.paths ?? resolveAppPaths();
  let devServerUrl = !app.isPackaged ? env[DEV_SERVER_ENV] || undefined : undefined;
  let appUrl: AppUrl;
  try {
    appUrl = devServerUrl ? createAppUrl({ indexHtml: paths.indexHtml, devServerUrl }) : appProtocolUrl();
  } catch (error) {
    logger.error(`ignoring ${DEV_SERVER_ENV}`, { error: (error as Error).message });
    devServerUrl = undefined;
    appUrl = appProtocolUrl();
  }
  const csp = devServerUrl ? devContentSecurityPolicy(devServerUrl) : CONTENT_SECURITY_POLICY;

  // Hardening for any webContents, not just our window (a future one, or one a bug lets in): no
  // <webview>, no popups, no navigation away from our page. createMainWindow adds its own, stricter
  // handlers on top for the main window.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', navigationGuard(appUrl, 'navigation', logger));
    contents.on('will-redirect', navigationGuard(appUrl, 'redirect', logger));
  });
  // Every session (including any partition created later) denies permissions and gets the CSP.
  app.on('session-created', (created) => hardenSession(created, csp, logger));

  const openWindow = (): BrowserWindow | null => {
    if (mainWindow && !mainWindow.isDestroyed()) return mainWindow;
    try {
      const created = createMainWindow({ paths, appUrl, devServerUrl, logger });
      const win = created.window;
      mainWindow = win;
      if (hub) stopForwarding = forwardConsoleEvents(hub.console, win.webContents, logger);
      notifications?.windowOpened(win);
      win.on('closed', () => {
        stopForwarding?.();
        stopForwarding = null;
        if (mainWindow === win) mainWindow = null;
      });
      return win;
    } catch (error) {
      logger.error('could not create the main window', { error: (error as Error)?.message });
      return null;
    }
  };

  const focusWindow = (): BrowserWindow | null => {
    const win = openWindow();
    if (!win) return null;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  };

  // A second launch opens the window, even over a headless hub; a second headless launch does not.
  app.on('second-instance', (_event, argv) => {
    // `--quit` from a service manager or script: stop the hub in order and exit.
    if ((argv ?? []).includes(QUIT_FLAG)) {
      logger.info('stop requested by a second instance (--quit)');
      app.quit();
    } else if (app.isReady() && !isHeadless(argv ?? [], {})) focusWindow();
  });

  app.on('activate', () => {
    // macOS: clicking the dock icon with no window open re-creates it.
    if (app.isReady() && quitPhase === 'running') focusWindow();
  });

  app.on('window-all-closed', () => {
    // Headless, the hub outlives a window opened by a second launch.
    if (process.platform !== 'darwin' && !headless) app.quit();
  });

  app.on('before-quit', (event) => {
    if (quitPhase === 'stopped' || !hub) return;
    event.preventDefault();
    if (quitPhase === 'stopping') return;
    quitPhase = 'stopping';
    const stopping = hub;
    void (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.all([headlessConsole?.close(), stopping.stop()]),
          new Promise<void>((_resolve, reject) => {
            timer = setTimeout(
              () => reject(new Error(`hub did not stop within ${HUB_STOP_TIMEOUT_MS} ms`)),
              HUB_STOP_TIMEOUT_MS,
            );
          }),
        ]);
        logger.info('hub stopped');
      } catch (error) {
        logger.error('error while stopping the hub', { error: (error as Error)?.message });
      } finally {
        clearTimeout(timer);
        disposeIpc?.();
        disposeIpc = null;
        notifications?.stop();
        notifications = null;
        quitPhase = 'stopped';
        app.quit();
      }
    })();
  });

  const ready = (async () => {
    await app.whenReady();
    if (!devServerUrl) serveAppProtocol(dirname(paths.indexHtml), CONTENT_SECURITY_POLICY, logger);
    const dataDir = app.getPath('userData');
    try {
      hub = createHub({
        mode: 'electron',
        dataDir,
        env,
        envLayers,
        logFile: log.file?.path ?? null,
        logger,
        secrets: createSafeStorageSecretStore(dataDir, logger),
      });
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      logger.error('could not create the hub', { error: message });
      dialog.showErrorBox('Agent Centralizer cannot start', message);
      quitPhase = 'stopped';
      app.exit(1);
      return;
    }
    try {
      await hub.start();
      logger.info('hub started', { dataDir });
    } catch (error) {
      // start() reports a busy port in status(); anything else is logged and the console still opens.
      logger.error('hub failed to start', { error: (error as Error)?.message });
    }
    disposeIpc = registerMainConsoleIpc(
      hub.console,
      createTrustedSenderCheck(() => mainWindow, appUrl),
      logger,
    );
    const started = hub;
    notifications = startDesktopNotifications({
      console: started.console,
      getWindow: () => mainWindow,
      // While quitting, a late notification click must not bring a window back.
      focusWindow: () => (quitPhase === 'running' ? focusWindow() : null),
      appUrl,
      initialActive: () => started.status().alerts.active,
      logger,
    });
    if (headless) {
      logger.info('headless: no window (launch the app again to open one)');
      headlessConsole = await startHeadless({
        hub: started,
        indexHtml: paths.indexHtml,
        logger,
        quit: () => app.quit(),
      });
    } else {
      openWindow();
    }
  })().catch((error: unknown) => {
    logger.error('startup failed', { error: (error as Error)?.message });
  });
  return { ready, getHub: () => hub, getWindow: () => mainWindow };
}
