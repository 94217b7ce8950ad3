/**
 * The main window, locked down per Electron's security checklist (docs/tutorial/security.md):
 * isolated, sandboxed, no Node in the page, no <webview>, no new windows, no navigation away from our
 * page, every permission denied, and a CSP header on top of the page's own meta CSP.
 */
import { resolve } from 'node:path';
import { BrowserWindow, shell, type Session } from 'electron';
import type { Logger } from '../hub/logger';
import { createAppUrl, type AppUrl } from './ipc';

export const WINDOW_TITLE = 'Agent Centralizer';

/**
 * CSP sent as a response header (defense in depth: src-renderer/index.html carries the same policy
 * as a meta tag, and both apply; frame-ancestors only works as a header). The app:// handler puts
 * it on every response itself (app-protocol.ts); onHeadersReceived covers the dev server and
 * anything loaded over http(s).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The dev server (Vite) needs its inline React-refresh preamble, injected styles and HMR socket. */
export function devContentSecurityPolicy(devServerUrl: string): string {
  const dev = new URL(devServerUrl);
  const ws = `${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}`;
  return CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    .replace("connect-src 'self'", `connect-src 'self' ${ws}`);
}

/**
 * Hosts whose https links the page may open in the system browser (shell.openExternal). Anything
 * else, including plain http (which a network neighbour could rewrite), is dropped.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'www.rabbitmq.com', 'rabbitmq.com'];

export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password) return false;
  return hosts.includes(parsed.hostname.toLowerCase());
}

/**
 * Listener for will-navigate / will-frame-navigate / will-redirect: lets through only our own page
 * (any hash), cancels and logs anything else. Takes the URL from the event (Electron ≥ 25) or the
 * legacy second argument.
 */
export function navigationGuard(
  appUrl: AppUrl,
  kind: string,
  logger?: Logger,
): (event: { preventDefault(): void; url?: string }, legacyUrl?: string) => void {
  return (event, legacyUrl) => {
    const url = event.url ?? legacyUrl ?? '';
    if (appUrl.matches(url)) return;
    event.preventDefault();
    logger?.warn(`blocked ${kind}`, { url });
  };
}

export interface AppPaths {
  indexHtml: string;
  preload: string;
}

/**
 * Paths of the built renderer and preload, relative to the built main bundle (dist/main/main.js):
 * ../renderer/index.html and ../preload/preload.cjs. Works the same inside app.asar.
 */
export function resolveAppPaths(mainDir: string = import.meta.dirname): AppPaths {
  return {
    indexHtml: resolve(mainDir, '../renderer/index.html'),
    preload: resolve(mainDir, '../preload/preload.cjs'),
  };
}

export interface MainWindowOptions {
  paths?: AppPaths;
  /** Development only: load the renderer from this Vite dev server instead of the built file. */
  devServerUrl?: string | undefined;
  /** Our page (default: derived from paths and devServerUrl). */
  appUrl?: AppUrl;
  logger?: Logger;
  externalHosts?: readonly string[];
}

export interface MainWindow {
  window: BrowserWindow;
  appUrl: AppUrl;
  /** Resolves when the page has been requested (loadURL/loadFile settled); never rejects. */
  loaded: Promise<void>;
}

/** Deny every permission request and check, and add the CSP header, on a session (once). */
const hardenedSessions = new WeakSet<Session>();
export function hardenSession(session: Session, csp: string, logger?: Logger): void {
  if (hardenedSessions.has(session)) return;
  hardenedSessions.add(session);
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    logger?.warn('denied a permission request', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = { ...(details.responseHeaders ?? {}) };
    responseHeaders['Content-Security-Policy'] = [csp];
    callback({ responseHeaders });
  });
}

export function createMainWindow(options: MainWindowOptions = {}): MainWindow {
  const logger = options.logger;
  const paths = options.paths ?? resolveAppPaths();
  const appUrl =
    options.appUrl ?? createAppUrl({ indexHtml: paths.indexHtml, devServerUrl: options.devServerUrl });
  const externalHosts = options.externalHosts ?? EXTERNAL_LINK_HOSTS;

  const window = new BrowserWindow({
    title: WINDOW_TITLE,
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#111418',
    // Written out literally (not spread from a constant) so static checkers such as
    // Electronegativity can see every setting; tests assert each of them.
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      preload: paths.preload,
    },
  });
  const contents = window.webContents;

  hardenSession(
    contents.session,
    options.devServerUrl ? devContentSecurityPolicy(options.devServerUrl) : CONTENT_SECURITY_POLICY,
    logger,
  );

  window.once('ready-to-show', () => window.show());
  // Keep our title: the page must not be able to retitle the window to impersonate something else.
  window.on('page-title-updated', (event) => event.preventDefault());

  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url, externalHosts)) {
      shell.openExternal(url).catch((error: unknown) => {
        logger?.warn('could not open external link', { url, error: (error as Error)?.message });
      });
    } else {
      logger?.warn('blocked window.open', { url });
    }
    return { action: 'deny' };
  });

  contents.on('will-navigate', navigationGuard(appUrl, 'navigation', logger));
  contents.on('will-frame-navigate', navigationGuard(appUrl, 'frame navigation', logger));
  contents.on('will-redirect', navigationGuard(appUrl, 'redirect', logger));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
    if (isMainFrame) logger?.error('the console page failed to load', { code, description, url });
  });
  contents.on('render-process-gone', (_event, details) => {
    logger?.error('the renderer process is gone', { reason: details.reason, exitCode: details.exitCode });
  });

  // The app normally passes app://console/ (app-protocol.ts); file:// remains for callers that do not.
  const load = appUrl.url.startsWith('file:') ? window.loadFile(paths.indexHtml) : window.loadURL(appUrl.url);
  const loaded = Promise.resolve(load).then(
    () => undefined,
    (error: unknown) => {
      logger?.error('could not load the console page', { url: appUrl.url, error: (error as Error)?.message });
    },
  );
  return { window, appUrl, loaded };
}
