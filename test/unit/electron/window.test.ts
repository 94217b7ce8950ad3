import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockEvent, resetElectronMock, shell, type BrowserWindow } from './electron-mock';
import {
  CONTENT_SECURITY_POLICY,
  createMainWindow,
  isAllowedExternalUrl,
  resolveAppPaths,
  WINDOW_TITLE,
} from '../../../src-main/electron/window';
import { appProtocolUrl } from '../../../src-main/electron/app-protocol';

vi.mock('electron', () => import('./electron-mock'));

let dir: string;
let paths: { indexHtml: string; preload: string };

beforeEach(() => {
  resetElectronMock();
  dir = mkdtempSync(join(tmpdir(), 'ac-window-'));
  paths = { indexHtml: join(dir, 'renderer', 'index.html'), preload: join(dir, 'preload', 'preload.cjs') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(options: Parameters<typeof createMainWindow>[0] = {}) {
  const created = createMainWindow({ paths, ...options });
  const win = created.window as unknown as BrowserWindow;
  return { ...created, win, contents: win.webContents };
}

describe('createMainWindow', () => {
  it('uses exactly the secure web preferences and our preload', () => {
    const { win } = open();
    const prefs = win.options.webPreferences;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.spellcheck).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(prefs.preload).toBe(paths.preload);
    expect(win.options.title).toBe(WINDOW_TITLE);
    expect(WINDOW_TITLE).toBe('Agent Centralizer');
  });

  it('stays hidden until ready-to-show, and keeps its title', () => {
    const { win } = open();
    expect(win.options.show).toBe(false);
    expect(win.show).not.toHaveBeenCalled();
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledTimes(1);
    const titleEvent = mockEvent();
    win.emit('page-title-updated', titleEvent, 'evil');
    expect(titleEvent.defaultPrevented).toBe(true);
  });

  it('loads the built index.html from file://', async () => {
    const { win, appUrl, loaded } = open();
    await loaded;
    expect(win.loadFile).toHaveBeenCalledWith(paths.indexHtml);
    expect(win.loadURL).not.toHaveBeenCalled();
    expect(appUrl.url).toBe(pathToFileURL(paths.indexHtml).href);
    expect(win.webContents.mainFrame.url).toBe(appUrl.url);
  });

  it('loads an app:// page by URL', async () => {
    const { win, loaded } = open({ appUrl: appProtocolUrl() });
    await loaded;
    expect(win.loadURL).toHaveBeenCalledWith('app://console/index.html');
    expect(win.loadFile).not.toHaveBeenCalled();
  });

  it('loads a dev server URL when given one', async () => {
    const { win, loaded, appUrl } = open({ devServerUrl: 'http://localhost:5173/' });
    await loaded;
    expect(win.loadURL).toHaveBeenCalledWith('http://localhost:5173/');
    expect(appUrl.matches('http://localhost:5173/index.html')).toBe(true);
    expect(appUrl.matches('http://localhost:5174/')).toBe(false);
  });

  it('denies every window.open, opening only allow-listed http(s) links externally', () => {
    const { contents } = open({ externalHosts: ['docs.example.org'] });
    const handler = contents.windowOpenHandler!;
    expect(handler({ url: 'https://docs.example.org/guide' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledWith('https://docs.example.org/guide');
    shell.openExternal.mockClear();
    for (const url of [
      'https://evil.example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://docs.example.org/share',
      'http://docs.example.org/guide',
      'https://user:pw@docs.example.org/',
      pathToFileURL(paths.indexHtml).href,
    ]) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('prevents navigation and redirects away from the app page', () => {
    const { contents } = open();
    for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      const away = mockEvent({ url: 'https://evil.example.com/' });
      contents.emit(name, away, away.url);
      expect(away.defaultPrevented, name).toBe(true);
      const otherFile = mockEvent({ url: pathToFileURL(join(dir, 'other.html')).href });
      contents.emit(name, otherFile, otherFile.url);
      expect(otherFile.defaultPrevented, name).toBe(true);
      const home = mockEvent({ url: `${pathToFileURL(paths.indexHtml).href}#/agents` });
      contents.emit(name, home, home.url);
      expect(home.defaultPrevented, name).toBe(false);
    }
    const webview = mockEvent();
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
  });

  it('denies permission requests and checks', () => {
    const { contents } = open();
    const session = contents.session;
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      const callback = vi.fn();
      session.permissionRequestHandler!(contents, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(session.permissionCheckHandler!(contents, permission, 'file://', {})).toBe(false);
    }
    expect(session.devicePermissionHandler!({})).toBe(false);
  });

  it('adds a CSP response header', () => {
    const { contents } = open();
    const callback = vi.fn();
    contents.session.headersReceived!({ responseHeaders: { 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('relaxes the CSP only as far as the dev server needs', () => {
    const { contents } = open({ devServerUrl: 'http://localhost:5173/' });
    const callback = vi.fn();
    contents.session.headersReceived!({ responseHeaders: {} }, callback);
    const csp = (callback.mock.calls[0]![0] as { responseHeaders: Record<string, string[]> }).responseHeaders[
      'Content-Security-Policy'
    ]![0]!;
    expect(csp).toContain("connect-src 'self' ws://localhost:5173");
    expect(csp).toContain("object-src 'none'");
  });
});

describe('paths and link allow-list', () => {
  it('resolves renderer and preload beside the built main bundle', () => {
    const main = join(dir, 'dist', 'main');
    expect(resolveAppPaths(main)).toEqual({
      indexHtml: join(dir, 'dist', 'renderer', 'index.html'),
      preload: join(dir, 'dist', 'preload', 'preload.cjs'),
    });
  });

  it('accepts only http(s) URLs on listed hosts', () => {
    expect(isAllowedExternalUrl('https://github.com/x', ['github.com'])).toBe(true);
    expect(isAllowedExternalUrl('https://github.com.evil.io/', ['github.com'])).toBe(false);
    expect(isAllowedExternalUrl('http://github.com/x', ['github.com'])).toBe(false);
    expect(isAllowedExternalUrl('not a url', ['github.com'])).toBe(false);
  });
});
