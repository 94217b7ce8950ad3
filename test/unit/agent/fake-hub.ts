/**
 * A small real hub for agent tests: an HTTP server that authenticates the upgrade on AGENT_WS_PATH
 * (401 on a bad token, 404 elsewhere), parses every frame with the contract's parseAgentMessage,
 * answers `hello` with `welcome`, and records what each connection sent and how it closed.
 * Not a test file itself (no .test. in the name): the integration tests import it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AGENT_LIMITS,
  AGENT_WS_PATH,
  PROTOCOL_VERSION,
  parseAgentMessage,
  type AgentMessage,
  type Hello,
  type Metrics,
  type Welcome,
  type WsConfig,
  type WsConfigReport,
} from '../../../src-shared/agent-protocol';

export interface FakeHubOptions {
  token?: string;
  metricsIntervalSec?: number;
  pingIntervalSec?: number;
  /** When false the hub never answers hello (to test the client's welcome timeout). */
  sendWelcome?: boolean;
}

export interface HubConnection {
  ws: WebSocket;
  headers: IncomingHttpHeaders;
  /** Address the connection came from. */
  remoteAddress?: string;
  /** Valid messages in arrival order. */
  messages: AgentMessage[];
  /** Frames that failed parseAgentMessage (should stay empty for a correct agent). */
  invalid: string[];
  hello?: Hello;
  metrics: { at: number; message: Metrics }[];
  /** `config.report` messages, in arrival order. */
  reports: WsConfigReport[];
  closed: Promise<{ code: number; reason: string }>;
  close?: { code: number; reason: string };
}

export class FakeHub {
  readonly connections: HubConnection[] = [];
  refused = 0;
  private server!: Server;
  private wss!: WebSocketServer;
  private waiters: (() => void)[] = [];
  readonly token: string;

  constructor(private readonly options: FakeHubOptions = {}) {
    this.token = options.token ?? 'test-token-123';
  }

  /** Listen on 127.0.0.1:`port` (0: any free port). */
  async start(port = 0): Promise<void> {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: AGENT_LIMITS.maxFrameBytes,
      perMessageDeflate: false,
    });
    this.server = createServer((_req, res) => {
      res.writeHead(426);
      res.end();
    });
    this.server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      if ((req.url ?? '').split('?')[0] !== AGENT_WS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        this.refused++;
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        this.notify();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) =>
        this.onConnection(ws, req.headers, req.socket.remoteAddress),
      );
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}${AGENT_WS_PATH}`;
  }

  welcome(): Welcome {
    return {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      metricsIntervalSec: this.options.metricsIntervalSec ?? 0.2,
      pingIntervalSec: this.options.pingIntervalSec ?? 5,
      serverTime: Date.now(),
    };
  }

  private onConnection(ws: WebSocket, headers: IncomingHttpHeaders, remoteAddress?: string): void {
    let resolveClosed!: (v: { code: number; reason: string }) => void;
    const conn: HubConnection = {
      ws,
      headers,
      remoteAddress,
      messages: [],
      invalid: [],
      metrics: [],
      reports: [],
      closed: new Promise((resolve) => (resolveClosed = resolve)),
    };
    this.connections.push(conn);
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      const parsed = parseAgentMessage(text, Buffer.byteLength(text));
      if (!parsed.ok) {
        conn.invalid.push(text);
      } else {
        const message = parsed.message;
        conn.messages.push(message);
        if (message.type === 'hello') {
          conn.hello = message;
          if (this.options.sendWelcome !== false) ws.send(JSON.stringify(this.welcome()));
        } else if (message.type === 'metrics') {
          conn.metrics.push({ at: Date.now(), message });
        } else if (message.type === 'config.report') {
          conn.reports.push(message);
        }
      }
      this.notify();
    });
    ws.on('close', (code, reason) => {
      conn.close = { code, reason: reason.toString() };
      resolveClosed(conn.close);
      this.notify();
    });
    this.notify();
  }

  /** Send a `config` frame (or any raw text / object) to one connection. */
  sendConfig(conn: HubConnection, revision: number, config: Record<string, unknown>): void {
    const frame: WsConfig = { type: 'config', revision, issuedAt: Date.now(), config };
    conn.ws.send(JSON.stringify(frame));
  }

  sendRaw(conn: HubConnection, message: unknown): void {
    conn.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolve when `predicate` holds (checked on every hub event), reject after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  async stop(): Promise<void> {
    for (const conn of this.connections) conn.ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
