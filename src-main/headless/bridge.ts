/**
 * Headless WebSocket bridge: the console API over one WebSocket, for the renderer served to a
 * browser. The second implementation of the same ConsoleService the Electron IPC layer wraps.
 *
 * Who may connect: a page that presents the console token (generated per run unless configured)
 * and, when a browser sends an Origin, only our own origin (blocks cross-site WebSocket hijacking).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  BRIDGE_MAX_PAYLOAD,
  BridgeRequestSchema,
  ConsoleError,
  type BridgeMessage,
  type EventChannel,
} from '../../src-shared';
import type { ConsoleService } from '../hub/console-service';
import { tokensEqual } from '../hub/gateway/auth';
import type { Logger } from '../hub/logger';

/** A console that cannot keep up is dropped; it re-snapshots when it reconnects. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface BridgeOptions {
  console: ConsoleService;
  token: string;
  /** Origins allowed to connect, e.g. http://127.0.0.1:8766 */
  allowedOrigins: () => string[];
  logger: Logger;
}

export class ConsoleBridge {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: BRIDGE_MAX_PAYLOAD,
    perMessageDeflate: false,
  });

  constructor(private readonly options: BridgeOptions) {}

  /** Authenticate an upgrade on the bridge path; returns false (and answers) when refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const token = url.searchParams.get('token') ?? '';
    const origin = req.headers.origin;
    if (!token || !tokensEqual(token, this.options.token)) {
      this.options.logger.warn('console bridge refused: bad token', { remote: req.socket.remoteAddress });
      return refuse(socket, 401, 'Unauthorized');
    }
    if (origin && !this.options.allowedOrigins().includes(origin)) {
      this.options.logger.warn('console bridge refused: foreign origin', { origin });
      return refuse(socket, 403, 'Forbidden');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  close(): void {
    for (const client of this.wss.clients) client.close(1001, 'hub shutting down');
    this.wss.close();
  }

  private onConnection(ws: WebSocket): void {
    const send = (message: BridgeMessage): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(4008, 'console too slow; reconnect for a fresh snapshot');
        return;
      }
      ws.send(JSON.stringify(message));
    };
    const unsubscribe = this.options.console.subscribe((event: EventChannel, payload) =>
      send({ kind: 'event', event, payload }),
    );
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      void this.onMessage(data.toString(), isBinary, send);
    });
  }

  private async onMessage(raw: string, isBinary: boolean, send: (m: BridgeMessage) => void): Promise<void> {
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const request = BridgeRequestSchema.safeParse(json);
    if (!request.success) {
      // Without a valid id we cannot answer a specific call; id -1 marks a framing error.
      send({
        kind: 'result',
        id: -1,
        ok: false,
        error: { code: 'bad_request', message: 'malformed bridge request' },
      });
      return;
    }
    const { id, channel, input } = request.data;
    try {
      const value = await this.options.console.request(channel, input);
      send({ kind: 'result', id, ok: true, value });
    } catch (error) {
      const e = error instanceof ConsoleError ? error : new ConsoleError('internal', String(error));
      send({ kind: 'result', id, ok: false, error: { code: e.code, message: e.message } });
    }
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}
