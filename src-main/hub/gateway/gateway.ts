/**
 * The agent gateway: a `ws` server that authenticates agents before the upgrade, speaks agent
 * protocol v1 (src-shared/agent-protocol.ts) and feeds the fleet state.
 *
 * Robustness rules: every frame is size-checked, parsed and validated without throwing; bad frames
 * get an `error` frame and count as violations, and too many close the socket; silent peers are
 * terminated by the ping loop; nothing an agent sends can throw out of a handler.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  AGENT_LIMITS,
  AGENT_WS_PATH,
  CloseCode,
  PROTOCOL_VERSION,
  parseAgentMessage,
  type AgentMessage,
  type Hello,
  type GatewayLimitsStatus,
  type GatewayStatus,
  type HubMessage,
  type PresenceReason,
  type ProtocolErrorCode,
  type WsConfigReport,
} from '../../../src-shared';
import type { FleetState } from '../fleet/fleet-state';
import type { Logger } from '../logger';
import { listenUrls } from './listen-urls';
import { TokenBucket } from './rate-limit';
import {
  createGatewayServer,
  resolveGatewayTls,
  type GatewayTlsSettings,
  type ResolvedGatewayTls,
} from './tls';
import {
  sharedTokenAuthenticator,
  type AgentAuthenticator,
  type AgentSession,
  type HelloAdmission,
} from './auth';

export interface GatewayOptions {
  host: string;
  port: number;
  token: string;
  /**
   * Who may connect and whose hello is processed (the hub passes its Enrollment). Without it, the
   * shared `token` admits everyone (the bare gateway of some benchmarks).
   */
  auth?: AgentAuthenticator;
  pingIntervalSec: number;
  metricsIntervalSec: number;
  maxConnections: number;
  /** Transport security; default `off` (the hub always passes its setting, default self-signed). */
  tls?: GatewayTlsSettings;
  /** Where the self-signed certificate lives (the hub's data directory). */
  dataDir?: string;
  /** Per-connection token bucket (messages/s sustained, burst); defaults in AGENT_LIMITS. */
  messageRate?: number;
  messageBurst?: number;
  /** Slow-consumer cap on a connection's unsent bytes; default AGENT_LIMITS.maxBufferedBytes. */
  maxBufferedBytes?: number;
  fleet: FleetState;
  logger: Logger;
  /** Called when counters or the listening state change (for the console status bar). */
  onStatusChange: () => void;
  /** A `config.report` arrived over the WebSocket. */
  onConfigReport?: (agentId: string, report: WsConfigReport) => void;
  /** An agent completed its hello (first time or again). */
  onAgentRegistered?: (agentId: string) => void;
  now?: () => number;
}

interface Connection {
  id: number;
  ws: WebSocket;
  remoteAddress?: string;
  agentId?: string;
  /** Decided at the upgrade: enrolling with the enrollment token, or an enrolled agent's credential. */
  session: AgentSession;
  /** A hello is being admitted (enrollment writes the credential first): nothing else is processed. */
  admitting?: boolean;
  alive: boolean;
  /** Pinged at least once (a new connection is not checked before its first ping). */
  pinged?: boolean;
  violationTimes: number[];
  /** Per-connection message rate limit. */
  bucket: TokenBucket;
  /** Closed by a limit (rate, slow consumer): ignore what it still sends, count it once. */
  limited?: boolean;
  helloTimer?: NodeJS.Timeout;
  /** Set when the hub closes the socket on purpose, so the close handler records the right reason. */
  closeReason?: PresenceReason;
}

/** The ping round is run in this many slices spread over the interval (even: see pingSlice). */
const PING_SLICES = 10;

/** A closed slow consumer gets this long to take the close frame before the socket is destroyed. */
const SLOW_CONSUMER_GRACE_MS = 1000;

type LimitCounters = GatewayLimitsStatus['counters'];

export class Gateway {
  private http?: Server;
  private wss?: WebSocketServer;
  private pingTimer?: NodeJS.Timeout;
  private pingTick = 0;
  private nextId = 1;
  private readonly connections = new Set<Connection>();
  private readonly byAgent = new Map<string, Connection>();
  private readonly now: () => number;
  private state: GatewayStatus['state'] = 'stopped';
  private error?: string;
  private boundPort = 0;
  private violations = 0;
  private refusedAuth = 0;
  /** Frames received from agents since start (benchmarks derive the ingest rate from it). */
  private messages = 0;
  private tls: ResolvedGatewayTls = { mode: 'off' };
  private readonly limitCounters: LimitCounters = {
    rateLimited: 0,
    frameTooLarge: 0,
    helloRejected: 0,
    connectionCap: 0,
    slowConsumer: 0,
    helloTimeout: 0,
    protocolViolation: 0,
  };
  private readonly auth: AgentAuthenticator;

  constructor(private readonly options: GatewayOptions) {
    this.now = options.now ?? Date.now;
    this.auth = options.auth ?? sharedTokenAuthenticator(options.token);
  }

  async start(): Promise<void> {
    this.state = 'starting';
    this.error = undefined;
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: AGENT_LIMITS.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.tls = this.loadTls();
    if (this.tls.error) {
      // Never fall back to plain ws: the operator asked for TLS. The console shows the error.
      this.state = 'error';
      this.error = `TLS: ${this.tls.error}`;
      this.options.logger.error('gateway TLS setup failed; the gateway is not listening', {
        error: this.tls.error,
      });
      this.options.onStatusChange();
      return;
    }
    const http = createGatewayServer(this.tls.material, (req, res) => {
      // Plain HTTP on the gateway port only says what it is; agents must upgrade on AGENT_WS_PATH.
      res.writeHead(req.url === '/healthz' ? 200 : 426, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          service: 'agent-centralizer-gateway',
          protocol: PROTOCOL_VERSION,
          path: AGENT_WS_PATH,
        }),
      );
    });
    http.on('upgrade', (req, socket, head) => this.onUpgrade(wss, req, socket, head));
    http.on('clientError', (_err, socket) => socket.destroy());
    // A failed TLS handshake (e.g. an agent that rejected our certificate) is not a hub error.
    http.on('tlsClientError', (error) =>
      this.options.logger.debug('agent TLS handshake failed', { error: error.message }),
    );
    this.http = http;
    this.wss = wss;
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(this.options.port, this.options.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.state = 'error';
      this.error = describeListenError(error as NodeJS.ErrnoException, this.options.host, this.options.port);
      this.options.logger.error('gateway could not listen', { error: this.error });
      this.options.onStatusChange();
      return;
    }
    http.on('error', (error) => this.options.logger.error('gateway server error', { error: String(error) }));
    this.boundPort = (http.address() as AddressInfo).port;
    this.state = 'listening';
    this.pingTimer = setInterval(() => this.pingSlice(), (this.options.pingIntervalSec * 1000) / PING_SLICES);
    this.pingTimer.unref();
    this.options.logger.info('gateway listening', {
      urls: this.urls(),
      tls: this.tls.mode,
      fingerprint: this.tls.material?.fingerprint,
    });
    if (this.tls.mode === 'off') {
      this.options.logger.warn(
        'gateway TLS is off: agent tokens and data cross the network in clear text (lab use only; set CENTRALIZER_GATEWAY_TLS=self-signed or files)',
      );
    }
    this.options.onStatusChange();
  }

  async stop(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    const closing = [...this.connections].map(
      (conn) =>
        new Promise<void>((resolve) => {
          conn.closeReason = 'hub_shutdown';
          conn.ws.once('close', () => resolve());
          conn.ws.close(CloseCode.GOING_AWAY, 'hub shutting down');
          setTimeout(() => {
            conn.ws.terminate();
            resolve();
          }, 1000).unref();
        }),
    );
    await Promise.all(closing);
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http?.closeAllConnections();
    this.wss?.close();
    if (this.state !== 'error') this.state = 'stopped';
    this.options.onStatusChange();
  }

  status(): GatewayStatus {
    return {
      state: this.state,
      host: this.options.host,
      port: this.boundPort || this.options.port,
      urls: this.state === 'listening' ? this.urls() : [],
      error: this.error,
      connections: this.byAgent.size,
      violations: this.violations,
      refusedAuth: this.refusedAuth,
      messages: this.messages,
      pingIntervalSec: this.options.pingIntervalSec,
      metricsIntervalSec: this.options.metricsIntervalSec,
      tls: {
        mode: this.tls.mode,
        fingerprint: this.tls.material?.fingerprint,
        notAfter: this.tls.material?.notAfter,
        subjectAltNames: this.tls.material?.subjectAltNames,
        error: this.tls.error,
      },
      limits: {
        settings: {
          messageRatePerSec: this.messageRate,
          messageBurst: this.messageBurst,
          maxFrameBytes: AGENT_LIMITS.maxFrameBytes,
          maxConnections: this.options.maxConnections,
          maxBufferedBytes: this.maxBufferedBytes,
          maxLabels: AGENT_LIMITS.maxLabels,
          maxConfigSchemaBytes: AGENT_LIMITS.maxConfigSchemaBytes,
          helloTimeoutMs: AGENT_LIMITS.helloTimeoutMs,
        },
        counters: { ...this.limitCounters },
      },
    };
  }

  /**
   * Replace the self-signed certificate with a new one (the operator's "regenerate"). New
   * connections get it at once; connections already open keep theirs. Every agent that pinned the
   * old fingerprint must be given the new one. Returns the new fingerprint.
   */
  regenerateCertificate(): string {
    if (this.tls.mode !== 'self-signed') throw new Error('only a self-signed certificate can be regenerated');
    const next = this.loadTls(true);
    if (next.error || !next.material) throw new Error(next.error ?? 'no certificate generated');
    (this.http as HttpsServer | undefined)?.setSecureContext({
      cert: next.material.cert,
      key: next.material.key,
    });
    this.tls = next;
    this.options.logger.warn('gateway certificate regenerated: give agents the new fingerprint', {
      fingerprint: next.material.fingerprint,
    });
    this.options.onStatusChange();
    return next.material.fingerprint;
  }

  private loadTls(regenerate = false): ResolvedGatewayTls {
    const settings = this.options.tls ?? { mode: 'off', hostnames: [] };
    if (settings.mode === 'self-signed' && !this.options.dataDir) {
      return { mode: 'self-signed', error: 'no data directory to keep the self-signed certificate in' };
    }
    const resolved = resolveGatewayTls(settings, this.options.dataDir ?? '', this.options.host, {
      regenerate,
      now: this.now(),
      onNote: (note) => this.options.logger.warn(`gateway certificate: ${note}; generating a new one`),
    });
    if (resolved.generated) {
      this.options.logger.info('gateway self-signed certificate created', {
        file: resolved.certFile,
        fingerprint: resolved.material?.fingerprint,
      });
    }
    return resolved;
  }

  private get messageRate(): number {
    return this.options.messageRate ?? AGENT_LIMITS.messageRatePerSec;
  }

  private get messageBurst(): number {
    return this.options.messageBurst ?? AGENT_LIMITS.messageBurst;
  }

  private get maxBufferedBytes(): number {
    return this.options.maxBufferedBytes ?? AGENT_LIMITS.maxBufferedBytes;
  }

  /** Send a message to an agent's live connection; false when it is not connected (or stuck). */
  sendToAgent(agentId: string, message: HubMessage): boolean {
    const conn = this.byAgent.get(agentId);
    if (!conn || conn.ws.readyState !== conn.ws.OPEN) return false;
    this.send(conn, message);
    return conn.ws.readyState === conn.ws.OPEN;
  }

  /** The port actually bound (differs from the setting when it was 0). */
  get port(): number {
    return this.boundPort;
  }

  urls(): string[] {
    const scheme = this.tls.mode === 'off' ? 'ws' : 'wss';
    return listenUrls(this.options.host, this.boundPort).map((base) => `${scheme}://${base}${AGENT_WS_PATH}`);
  }

  // ---- upgrade & authentication ------------------------------------------------------------------

  private onUpgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    if (path !== AGENT_WS_PATH) return refuse(socket, 404, `agents connect on ${AGENT_WS_PATH}`);
    // Checked first, before authentication allocates or looks up anything for this request.
    if (this.connections.size >= this.options.maxConnections) {
      this.limitCounters.connectionCap++;
      this.options.onStatusChange();
      return refuse(socket, 503, 'connection limit reached');
    }
    const decision = this.auth.authenticate(req.headers.authorization);
    if (!decision.ok) {
      this.refusedAuth++;
      this.options.logger.warn(decision.log, { remote: req.socket.remoteAddress, agentId: decision.agentId });
      this.options.onStatusChange();
      return refuse(socket, decision.status, decision.message);
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req, decision.session));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage, session: AgentSession): void {
    const conn: Connection = {
      id: this.nextId++,
      ws,
      session,
      remoteAddress: req.socket.remoteAddress,
      alive: true,
      violationTimes: [],
      bucket: new TokenBucket(this.messageRate, this.messageBurst, this.now()),
    };
    this.connections.add(conn);
    conn.helloTimer = setTimeout(() => {
      if (conn.agentId || conn.ws.readyState !== conn.ws.OPEN) return;
      this.limitCounters.helloTimeout++;
      this.options.onStatusChange();
      conn.ws.close(CloseCode.HELLO_TIMEOUT, 'hello not received in time');
    }, AGENT_LIMITS.helloTimeoutMs);
    ws.on('pong', () => {
      conn.alive = true;
      if (conn.agentId) this.options.fleet.agentSeen(conn.agentId, this.now());
    });
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(conn, data, isBinary);
      } catch (error) {
        // Defensive: a bug in a handler must cost one message, not the hub.
        this.options.logger.error('agent message handler failed', {
          agentId: conn.agentId,
          error: String(error),
        });
      }
    });
    ws.on('error', (error) => {
      // ws reports protocol errors (e.g. frame above maxPayload → close 1009) here; the close follows.
      this.options.logger.debug('agent socket error', { agentId: conn.agentId, error: error.message });
      if ((error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.limitCounters.frameTooLarge++;
        this.options.onStatusChange();
      }
    });
    ws.on('close', (code) => this.onClose(conn, code));
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.alive = true;
    this.messages++;
    if (conn.limited) return; // being closed by a limit: read nothing more from it
    if (!conn.bucket.take(this.now())) {
      this.limitCounters.rateLimited++;
      conn.limited = true;
      // Presence says "protocol violation"; the close code and the counter say which limit.
      conn.closeReason = 'protocol_violation';
      this.options.logger.warn('agent closed: message rate limit', {
        agentId: conn.agentId,
        remote: conn.remoteAddress,
        ratePerSec: this.messageRate,
        burst: this.messageBurst,
      });
      this.options.onStatusChange();
      closeWith(
        conn.ws,
        CloseCode.RATE_LIMITED,
        `more than ${this.messageRate} messages/s (burst ${this.messageBurst})`,
      );
      return;
    }
    if (isBinary) return this.violation(conn, 'malformed', 'binary frames are not supported; send JSON text');
    // ws hands us a Buffer (binaryType 'nodebuffer'); the other shapes are handled for completeness.
    const buffer = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    // Size limits (hello may be larger than other messages) are checked inside parseAgentMessage.
    const text = buffer.toString('utf8');
    const parsed = parseAgentMessage(text, buffer.length);
    if (!parsed.ok) {
      if (!conn.agentId && (parsed.code === 'invalid' || parsed.code === 'too_large') && isHelloFrame(text)) {
        return this.rejectHello(conn, parsed.code, parsed.message);
      }
      return this.violation(conn, parsed.code, parsed.message);
    }
    this.handle(conn, parsed.message);
  }

  private handle(conn: Connection, message: AgentMessage): void {
    const now = this.now();
    if (conn.admitting)
      return this.violation(conn, 'hello_required', 'wait for the answer to hello before sending more');
    if (message.type === 'hello') {
      if (conn.agentId)
        return this.violation(conn, 'duplicate_hello', 'hello was already received on this connection');
      if (message.protocol !== PROTOCOL_VERSION) {
        conn.ws.close(CloseCode.UNSUPPORTED_PROTOCOL, `hub speaks protocol ${PROTOCOL_VERSION}`);
        return;
      }
      clearTimeout(conn.helloTimer);
      // Nothing from this agent changes any state before the authenticator admits its hello.
      const admission = this.auth.admit(conn.session, message, conn.remoteAddress);
      if (!(admission instanceof Promise)) return this.admitted(conn, message, admission);
      conn.admitting = true;
      admission.then(
        (result) => {
          conn.admitting = false;
          this.admitted(conn, message, result);
        },
        (error: unknown) => {
          conn.admitting = false;
          this.options.logger.error('agent admission failed', { error: String(error) });
          conn.ws.close(CloseCode.UNAUTHORIZED, 'enrollment failed; try again later');
        },
      );
      return;
    }
    if (!conn.agentId) return this.violation(conn, 'hello_required', 'send hello before anything else');
    if (message.type === 'metrics') this.options.fleet.agentMetrics(conn.agentId, message, now);
    else if (message.type === 'heartbeat')
      this.options.fleet.agentSeen(conn.agentId, now, message.configRevision);
    else {
      this.options.fleet.agentSeen(conn.agentId, now);
      this.options.onConfigReport?.(conn.agentId, message);
    }
  }

  private admitted(conn: Connection, message: Hello, admission: HelloAdmission): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return; // gone while its credential was being written
    if (admission.enrolled) this.send(conn, admission.enrolled);
    if (!admission.ok) {
      if (admission.refused) {
        this.refusedAuth++;
        this.options.logger.warn('agent refused at hello', {
          agentId: message.agentId,
          remote: conn.remoteAddress,
          reason: admission.reason,
        });
        this.options.onStatusChange();
      }
      closeWith(conn.ws, admission.closeCode, admission.reason);
      return;
    }
    const now = this.now();
    const previous = this.byAgent.get(message.agentId);
    conn.agentId = message.agentId;
    this.byAgent.set(message.agentId, conn);
    if (previous && previous !== conn) {
      previous.closeReason = 'replaced';
      previous.ws.close(CloseCode.REPLACED, 'replaced by a newer connection with the same agent id');
    }
    this.options.fleet.agentOnline(message, conn.remoteAddress, now, previous ? 'replaced' : 'connected');
    this.options.onAgentRegistered?.(message.agentId);
    this.send(conn, {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      metricsIntervalSec: this.options.metricsIntervalSec,
      pingIntervalSec: this.options.pingIntervalSec,
      serverTime: now,
    });
    this.options.onStatusChange();
  }

  /**
   * Close every connection of an agent (its live one, and any that authenticated with its
   * credential but has not said hello yet) with `code`, without recording it offline: the caller
   * (revocation) removes the agent. Returns whether a welcomed connection was closed.
   */
  disconnectAgent(agentId: string, code: number, reason: string): boolean {
    const live = this.byAgent.get(agentId);
    if (live) this.byAgent.delete(agentId);
    for (const conn of this.connections) {
      const owner = conn.agentId ?? (conn.session.kind === 'credential' ? conn.session.agentId : undefined);
      if (owner === agentId) closeWith(conn.ws, code, reason);
    }
    if (live) this.options.onStatusChange();
    return live !== undefined;
  }

  private onClose(conn: Connection, code: number): void {
    clearTimeout(conn.helloTimer);
    this.connections.delete(conn);
    const agentId = conn.agentId;
    if (!agentId || this.byAgent.get(agentId) !== conn) return; // unauthenticated, or replaced already
    this.byAgent.delete(agentId);
    const reason: PresenceReason =
      conn.closeReason ??
      (code === CloseCode.NORMAL || code === CloseCode.GOING_AWAY ? 'clean_disconnect' : 'connection_lost');
    this.options.fleet.agentOffline(agentId, reason, this.now());
    this.options.onStatusChange();
  }

  private violation(conn: Connection, code: ProtocolErrorCode, message: string): void {
    const now = this.now();
    this.violations++;
    conn.violationTimes = conn.violationTimes.filter((t) => now - t < AGENT_LIMITS.violationWindowMs);
    conn.violationTimes.push(now);
    if (conn.agentId) this.options.fleet.countViolation(conn.agentId);
    this.options.onStatusChange();
    this.send(conn, { type: 'error', code, message, violations: conn.violationTimes.length });
    if (conn.violationTimes.length >= AGENT_LIMITS.maxViolations) {
      this.limitCounters.protocolViolation++;
      conn.closeReason = 'protocol_violation';
      conn.ws.close(CloseCode.PROTOCOL_VIOLATION, 'too many protocol violations');
    }
  }

  /**
   * The agent does not read what we send: a stuck peer must not grow our memory. The close frame
   * queues behind the unread data, so the socket is destroyed if it has not closed shortly after.
   */
  private closeSlowConsumer(conn: Connection): void {
    if (conn.limited) return;
    conn.limited = true;
    conn.closeReason = 'connection_lost';
    this.limitCounters.slowConsumer++;
    this.options.logger.warn('agent closed: not reading (slow consumer)', {
      agentId: conn.agentId,
      remote: conn.remoteAddress,
      bufferedBytes: conn.ws.bufferedAmount,
    });
    this.options.onStatusChange();
    conn.ws.close(CloseCode.SLOW_CONSUMER, 'not reading what the hub sends');
    setTimeout(() => conn.ws.terminate(), SLOW_CONSUMER_GRACE_MS).unref();
  }

  /** A `hello` that fails validation (labels / schema caps…): it cannot be retried on this socket. */
  private rejectHello(conn: Connection, code: ProtocolErrorCode, message: string): void {
    this.violations++;
    this.limitCounters.helloRejected++;
    conn.limited = true;
    this.options.logger.warn('agent closed: invalid hello', { remote: conn.remoteAddress, error: message });
    this.options.onStatusChange();
    this.send(conn, { type: 'error', code, message, violations: 1 });
    closeWith(conn.ws, CloseCode.PROTOCOL_VIOLATION, `invalid hello: ${message}`);
  }

  private send(conn: Connection, message: HubMessage): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (conn.ws.bufferedAmount > this.maxBufferedBytes) {
      this.closeSlowConsumer(conn);
      return;
    }
    conn.ws.send(JSON.stringify(message));
  }

  /**
   * One slice of the ping round. Connections are spread over PING_SLICES slices by id: each tick
   * pings one slice and checks the slice pinged half an interval ago, which must have shown a sign
   * of life since (a pong or any message). So every connection is pinged once per interval, a silent
   * one is dropped within 1.5 × the interval, and 15,000 pings are not one 0.5 s burst of writes.
   */
  private pingSlice(): void {
    const tick = this.pingTick++;
    const pingNow = tick % PING_SLICES;
    const checkNow = (tick + PING_SLICES / 2) % PING_SLICES;
    for (const conn of this.connections) {
      const slice = conn.id % PING_SLICES;
      if (slice === checkNow && conn.pinged && !conn.alive) {
        conn.closeReason = 'ping_timeout';
        conn.ws.terminate();
      } else if (slice === pingNow) {
        conn.alive = false;
        conn.pinged = true;
        try {
          conn.ws.ping();
        } catch {
          // Socket already closing; its close event handles presence.
        }
      }
    }
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  const reason =
    { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ??
    'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
  socket.destroy();
}

/** Longest close reason the WebSocket protocol allows, in UTF-8 bytes (RFC 6455 §5.5). */
const MAX_CLOSE_REASON_BYTES = 123;
const utf8 = new TextEncoder();

/**
 * Close with a reason cut to what the protocol allows: `ws` throws on a longer one, and a reason
 * can carry agent-supplied text (a validation message, an agent id).
 */
export function closeWith(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, clipUtf8(reason, MAX_CLOSE_REASON_BYTES));
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, never inside a character. */
export function clipUtf8(text: string, maxBytes: number): string {
  // encodeInto stops before a character that does not fit whole; `read` counts UTF-16 units.
  const { read } = utf8.encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

/** Whether a frame that failed validation was meant as a `hello` (only called on that failure path). */
function isHelloFrame(text: string): boolean {
  try {
    const json = JSON.parse(text) as { type?: unknown } | null;
    return typeof json === 'object' && json !== null && json.type === 'hello';
  } catch {
    return false;
  }
}

function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): string {
  if (error.code === 'EADDRINUSE')
    return `port ${port} on ${host} is already in use (another console running?)`;
  if (error.code === 'EACCES') return `not allowed to listen on ${host}:${port}`;
  if (error.code === 'EADDRNOTAVAIL') return `address ${host} is not available on this machine`;
  return `cannot listen on ${host}:${port}: ${error.message}`;
}
