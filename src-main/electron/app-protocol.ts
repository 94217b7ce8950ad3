/**
 * The console page is served over our own `app://console/` scheme instead of file:// (Electron
 * security checklist: "Use a custom protocol instead of file://"). Why:
 *  - file:// pages get extra privileges (reading any other file:// URL the process can read, among
 *    others); with our scheme the page can fetch only what this handler serves, the built renderer
 *    directory, and the `grantFileProtocolExtraPrivileges` fuse can be turned off;
 *  - the page gets a real origin (`app://console`), so CSP 'self' means exactly our files;
 *  - every response carries our CSP header (file:// responses have no headers at all).
 *
 * registerAppScheme() must run before the app is ready; serveAppProtocol() after.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import type { Logger } from '../hub/logger';
import type { AppUrl } from './ipc';

export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * standard: parsed like http (origin, relative URLs, 'self' in CSP); secure: treated like https
 * (no mixed-content downgrade); supportFetchAPI: the page's ES modules and fetch() can load from it.
 * Nothing else: no service workers, no bypassing CSP, no code cache.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
}

/** Our page on the app scheme: index.html on our host, any query or hash (the hash router). */
export function appProtocolUrl(): AppUrl {
  return {
    url: APP_INDEX_URL,
    matches(candidate) {
      let parsed: URL;
      try {
        parsed = new URL(candidate);
      } catch {
        return false;
      }
      return (
        parsed.protocol === `${APP_SCHEME}:` &&
        parsed.host === APP_HOST &&
        !parsed.username &&
        !parsed.password &&
        (parsed.pathname === '/index.html' || parsed.pathname === '/')
      );
    },
  };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/** The minimum of a fetch Request the handler reads (a real Request satisfies it). */
export interface AppRequest {
  readonly url: string;
  readonly method: string;
}

function refuse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}

/**
 * Map a request to a file under `rootDir` (the built renderer) and answer it. Only GET/HEAD, only
 * our host, only files inside rootDir (no `..`, no encoded separators, no NUL, no drive letters),
 * only known types.
 * Never throws: every failure is a plain-text error response.
 */
export function createAppProtocolHandler(
  rootDir: string,
  csp: string,
  logger?: Logger,
): (request: AppRequest) => Promise<Response> {
  const root = resolve(rootDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400, 'bad URL');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'not found');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return refuse(400, 'bad path');
    }
    if (path === '/') path = '/index.html';
    const segments = path.split('/');
    // No NUL, no backslash or drive colon (Windows path tricks), no dot segments (even encoded).
    const suspicious = path.includes('\0') || path.includes('\\') || path.includes(':');
    if (suspicious || segments.some((s) => s === '..' || s === '.')) {
      logger?.warn('refused an app:// request outside the console files', { url: request.url });
      return refuse(404, 'not found');
    }
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root + sep)) return refuse(404, 'not found');
    const type = CONTENT_TYPES[extname(file).toLowerCase()];
    if (!type) return refuse(404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code;
      if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'ENOTDIR') {
        logger?.error('could not read a console file', { file, error: (error as Error)?.message });
        return refuse(500, 'internal error');
      }
      return refuse(404, 'not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': type,
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      },
    });
  };
}

/** Serve the built renderer on app://console/ (default session). Returns an unregister function. */
export function serveAppProtocol(rootDir: string, csp: string, logger?: Logger): () => void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rootDir, csp, logger));
  return () => protocol.unhandle(APP_SCHEME);
}
