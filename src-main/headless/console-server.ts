/**
 * The headless console: an HTTP server on a loopback address that serves the renderer and the
 * console bridge. Same UI as the desktop app, in any browser on this machine.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BRIDGE_PATH } from '../../src-shared';
import type { ConsoleService } from '../hub/console-service';
import type { Logger } from '../hub/logger';
import { ConsoleBridge } from './bridge';
import { serveStatic } from './static-files';

export interface ConsoleServerOptions {
  console: ConsoleService;
  host: string;
  port: number;
  /** Generated per run when not configured. */
  token?: string;
  /** Folder holding the built renderer (index.html). */
  rendererDir: string;
  logger: Logger;
}

export interface RunningConsoleServer {
  /** Open this in a browser; carries the token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<RunningConsoleServer> {
  if (!existsSync(`${options.rendererDir}/index.html`)) {
    throw new Error(
      `the console UI is not built (${options.rendererDir}/index.html missing): run \`npm run build\``,
    );
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = options.port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const origins = (): string[] => [`http://${hostForUrl}:${port}`, `http://localhost:${port}`];
  const bridge = new ConsoleBridge({
    console: options.console,
    token,
    allowedOrigins: origins,
    logger: options.logger,
  });
  const server: Server = createServer((req, res) => serveStatic(options.rendererDir, req, res));
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if ((req.url ?? '').split('?')[0] === BRIDGE_PATH) bridge.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `console port ${options.port} on ${options.host} is already in use (set CENTRALIZER_CONSOLE_PORT)`
            : `console server cannot listen on ${options.host}:${options.port}: ${error.message}`,
        ),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${hostForUrl}:${port}/?token=${token}`,
    port,
    async close() {
      bridge.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() waits for every connection to end: a browser's idle keep-alive socket would hold
      // it for the keep-alive timeout (5 s), past the app's hub-stop deadline.
      server.closeAllConnections();
      await closed;
    },
  };
}
