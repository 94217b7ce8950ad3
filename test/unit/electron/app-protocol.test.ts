import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { protocol, resetElectronMock } from './electron-mock';
import {
  APP_INDEX_URL,
  appProtocolUrl,
  createAppProtocolHandler,
  registerAppScheme,
  serveAppProtocol,
} from '../../../src-main/electron/app-protocol';

vi.mock('electron', () => import('./electron-mock'));

const CSP = "default-src 'self'";
let dir: string;
let root: string;
const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

beforeEach(() => {
  resetElectronMock();
  vi.clearAllMocks();
  dir = mkdtempSync(join(tmpdir(), 'ac-protocol-'));
  root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(root, 'assets', 'main-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'main-abc.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'notes.unknownext'), 'x');
  // A file beside the renderer directory that must never be served.
  writeFileSync(join(dir, 'secrets.json'), '{"broker":"password"}');
  mkdirSync(join(dir, 'renderer-evil'));
  writeFileSync(join(dir, 'renderer-evil', 'x.js'), 'evil');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => createAppProtocolHandler(root, CSP, logger)({ url, method });

describe('app:// handler', () => {
  it('serves the console files with their type, our CSP and nosniff', async () => {
    const index = await get(APP_INDEX_URL);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CSP);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toBe('<!doctype html><title>console</title>');

    const root = await get('app://console/');
    expect(await root.text()).toContain('<title>console</title>');

    const script = await get('app://console/assets/main-abc.js?v=1#x');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    expect((await get('app://console/assets/main-abc.css')).headers.get('content-type')).toMatch(
      /^text\/css/,
    );
  });

  it('answers HEAD without a body', async () => {
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses other methods', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      expect((await get(APP_INDEX_URL, method)).status, method).toBe(405);
    }
  });

  it('never serves anything outside the renderer directory', async () => {
    for (const url of [
      'app://console/../secrets.json',
      'app://console/%2e%2e/secrets.json',
      'app://console/assets/%2e%2e/%2e%2e/secrets.json',
      'app://console/..%2fsecrets.json',
      'app://console/..%5csecrets.json',
      'app://console/assets/..%5c..%5csecrets.json',
      'app://console/%2e%2e%2frenderer-evil/x.js',
      'app://console/index.html%00.js',
      'app://console/C:/Windows/win.ini',
      'app://console/C%3A%5CWindows%5Cwin.ini',
      `app://console/${encodeURIComponent(join(dir, 'secrets.json'))}`,
    ]) {
      const response = await get(url);
      expect(response.status, url).not.toBe(200);
      expect(await response.text(), url).not.toContain('password');
    }
  });

  it('answers 404 for another host, a missing file, a directory or an unknown type', async () => {
    expect((await get('app://other/index.html')).status).toBe(404);
    expect((await get('https://console/index.html')).status).toBe(404);
    expect((await get('app://console/missing.js')).status).toBe(404);
    expect((await get('app://console/assets')).status).toBe(404);
    expect((await get('app://console/assets/notes.unknownext')).status).toBe(404);
  });

  it('answers 400 for a malformed URL or path instead of throwing', async () => {
    expect((await get('not a url')).status).toBe(400);
    expect((await get('app://console/%E0%A4%A')).status).toBe(400);
  });
});

// CI builds before it tests; a bare `vitest run` without dist/ skips this one.
const builtRenderer = join(import.meta.dirname, '../../../dist/renderer');
describe.skipIf(!existsSync(join(builtRenderer, 'index.html')))('app:// over the built renderer', () => {
  it('serves index.html and every file it references, each with a known type', async () => {
    const handler = createAppProtocolHandler(builtRenderer, CSP, logger);
    const index = await handler({ url: APP_INDEX_URL, method: 'GET' });
    expect(index.status).toBe(200);
    const html = await index.text();
    const refs = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const response = await handler({ url: new URL(ref, APP_INDEX_URL).href, method: 'GET' });
      expect(response.status, ref).toBe(200);
      expect(response.headers.get('content-type'), ref).not.toBe('application/octet-stream');
    }
  });
});

describe('app:// registration', () => {
  it('registers the scheme as standard, secure and fetch-capable, and nothing more', () => {
    registerAppScheme();
    expect(protocol.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('installs and removes the handler', async () => {
    const stop = serveAppProtocol(root, CSP, logger);
    const response = await protocol.handlers.get('app')!({ url: APP_INDEX_URL, method: 'GET' });
    expect(response.status).toBe(200);
    stop();
    expect(protocol.handlers.has('app')).toBe(false);
  });
});

describe('appProtocolUrl', () => {
  it('matches only our index page on our host, with any hash or query', () => {
    const appUrl = appProtocolUrl();
    expect(appUrl.url).toBe('app://console/index.html');
    expect(appUrl.matches('app://console/index.html')).toBe(true);
    expect(appUrl.matches('app://console/index.html#/servers/x')).toBe(true);
    expect(appUrl.matches('app://console/')).toBe(true);
    expect(appUrl.matches('app://console/other.html')).toBe(false);
    expect(appUrl.matches('app://evil/index.html')).toBe(false);
    expect(appUrl.matches('app://user:pw@console/index.html')).toBe(false);
    expect(appUrl.matches('file:///index.html')).toBe(false);
    expect(appUrl.matches('https://console/index.html')).toBe(false);
    expect(appUrl.matches('garbage')).toBe(false);
  });
});
