/**
 * AgentClient: one agent's connection to the hub gateway, speaking agent protocol v1
 * (src-shared/agent-protocol.ts).
 *
 * Lifecycle: connect with `Authorization: Bearer <token>` → send `hello` → wait for `welcome` →
 * send `metrics` every `metricsIntervalSec` (the hub's value, fractional seconds allowed) until the
 * socket closes → reconnect with capped exponential backoff and full jitter, unless the close code
 * says not to (REPLACED, UNSUPPORTED_PROTOCOL) or `stop()` was called.
 *
 * Configuration over the WebSocket (the hub's path when it has no broker): with a `configApplier`, a
 * `config` frame goes through the same ConfigApplier decision as a RabbitMQ delivery (config-apply.ts:
 * latest wins, validate, store durably), then the client sends a `heartbeat` with the new revision
 * and answers `config.report` on the socket. Without one, `config` frames are ignored.
 *
 * Robustness: every frame from the hub is parsed without throwing and validated with
 * HubMessageSchema; anything else is ignored. A connection that never gets a `welcome`, or stops
 * receiving the hub's protocol-level pings, is terminated and re-established (half-open TCP).
 * Listener exceptions are caught so a bad listener cannot kill the connection loop.
 */
import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import {
  AGENT_LIMITS,
  CloseCode,
  HelloSchema,
  HubMessageSchema,
  MetricsSchema,
  PROTOCOL_VERSION,
  describeZodError,
  type ErrorFrame,
  type Hello,
  type HelloInput,
  type Metrics,
  type Welcome,
  type WsConfigReport,
} from '../src-shared/agent-protocol';
import type { ConfigReport } from '../src-shared/broker-protocol';
import type { ConfigApplier, ConfigDecision } from './config-apply';
import type { MetricsProvider } from './metrics';
import { normalizeFingerprint, pinnedTlsConnect } from './tls-pin';

export type AgentIdentity = Omit<HelloInput, 'type' | 'protocol'>;

/** Keeps the credential the hub issued at enrollment. `save` may throw (the client reports it). */
export interface CredentialKeeper {
  load(): string | undefined;
  save(credential: string | undefined): void;
}

export function memoryCredentials(initial?: string): CredentialKeeper {
  let value = initial;
  return { load: () => value, save: (c) => (value = c) };
}

export interface BackoffOptions {
  /** Ceiling of the first retry delay (doubles per failed attempt). Default 1000 ms. */
  initialMs?: number;
  /** Largest ceiling. Default 30 000 ms. */
  maxMs?: number;
  /** A connection that stays welcomed this long resets the attempt counter. Default 10 000 ms. */
  stableAfterMs?: number;
}

export interface AgentClientOptions {
  /** Gateway URL, e.g. ws://hub:8765/agent/v1 (see normalizeHubUrl for the short forms). */
  url: string;
  /**
   * The hub's enrollment token: used only while the agent has no credential of its own. Its first
   * `hello` then enrolls it, and the hub answers `enrolled` with the agent's credential.
   */
  token: string;
  /**
   * Where the agent's own credential is kept between runs (the CLI: a 0600 file in its state dir).
   * Default: memory only, so a new process enrolls again.
   */
  credentials?: CredentialKeeper;
  /**
   * wss:// only: pin the hub certificate's SHA-256 fingerprint (`sha256:AB:CD:…`, as the console
   * shows it) instead of verifying it against CAs — how agents trust a self-signed hub.
   */
  fingerprint?: string;
  /** wss:// without a fingerprint: trust these CA certificates (PEM) instead of Node's default CAs. */
  ca?: string | Buffer;
  /**
   * Local address to connect from (not with `fingerprint`). The simulator gives each of its processes
   * its own loopback address (127.0.0.2, .3…) so a benchmark of tens of thousands of connections does
   * not run out of the one address's ~28,000 ephemeral ports.
   */
  localAddress?: string;
  identity: AgentIdentity;
  /** Produces each `metrics` message. The real agent passes createMetricsSampler(); the simulator fakes. */
  metrics: MetricsProvider;
  backoff?: BackoffOptions;
  /**
   * Spread metrics sends: the first one after `welcome` waits a random part of the interval and each
   * later one is shifted by up to ±this fraction of the interval (0–0.5). Default 0: send at once,
   * then exactly every interval. The simulator turns it on so a thousand agents do not send in lockstep.
   */
  metricsJitter?: number;
  /** Time allowed for the WebSocket upgrade. Default 10 000 ms. */
  handshakeTimeoutMs?: number;
  /** Time allowed between `hello` and `welcome`. Default 15 000 ms. */
  welcomeTimeoutMs?: number;
  /** Injected randomness (tests). */
  random?: () => number;
  /**
   * Applies `config` frames from the hub (the same ConfigApplier the broker consumer uses, so a
   * revision applied over one path is "not newer" on the other). Its `onApplied` is called for every
   * applied configuration; the client itself updates its revision and sends the heartbeat.
   * Without it, `config` frames are ignored.
   */
  configApplier?: ConfigApplier;
}

/** What happened to a `config` frame received over the WebSocket. */
export interface WsConfigOutcome {
  outcome: 'applied' | 'rejected' | 'ignored' | 'invalid';
  /** Absent when the frame had no usable revision. */
  revision?: number;
  /** Why it was refused / ignored. */
  reason?: string;
  /** Whether a `config.report` was sent for it. */
  reported: boolean;
}

export type ClientState =
  /** Not started yet. */
  | 'idle'
  /** Opening the WebSocket. */
  | 'connecting'
  /** Socket open, `hello` sent, waiting for `welcome`. */
  | 'handshaking'
  /** Welcomed: sending metrics. */
  | 'online'
  /** Disconnected, waiting before the next attempt. */
  | 'backoff'
  /** Stopped for good (stop() or a do-not-reconnect close code). */
  | 'stopped';

export interface DisconnectInfo {
  /** WebSocket close code (1006 when the connection failed or dropped without a close frame). */
  code: number;
  reason: string;
  /** HTTP status when the upgrade was refused (401 bad token, 404 wrong path, 503 hub full…). */
  httpStatus?: number;
  /** Whether the client will try again, and after how long. */
  willReconnect: boolean;
  delayMs?: number;
}

export interface AgentClientEvents {
  state: [state: ClientState, previous: ClientState];
  /** The WebSocket is open and `hello` has been sent. */
  connected: [];
  welcome: [welcome: Welcome];
  disconnected: [info: DisconnectInfo];
  /** An `error` frame from the hub (something we sent was rejected). */
  hubError: [frame: ErrorFrame];
  /** A `metrics` message was sent. */
  metrics: [metrics: Metrics];
  /** The hub enrolled this agent and issued its credential (stored through `credentials`). */
  enrolled: [status: 'accepted' | 'pending'];
  /** A `config` frame was handled (only with `configApplier`). */
  config: [result: WsConfigOutcome];
  /** Transport errors, ignored frames, metrics provider failures. Only emitted when someone listens. */
  error: [error: Error];
  /** The client gave up or was stopped; `reason` says which. */
  stopped: [reason: string];
}

/** Close codes after which reconnecting would only fight another agent or fail the same way forever. */
const NO_RECONNECT = new Set<number>([CloseCode.REPLACED, CloseCode.UNSUPPORTED_PROTOCOL, CloseCode.REVOKED]);
/** Close codes / HTTP statuses that call for a slow retry (the hub told us off, or refused the token). */
const PENALTY_CLOSE = new Set<number>([
  CloseCode.UNAUTHORIZED,
  // Waiting for the operator: ask again now and then, not in a loop.
  CloseCode.PENDING_APPROVAL,
  CloseCode.PROTOCOL_VIOLATION,
  CloseCode.HELLO_TIMEOUT,
]);
const PENALTY_HTTP = new Set<number>([400, 401, 403, 404, 426]);

/**
 * Largest frame read from the hub. Well above the 256 KiB a configuration may have, so a
 * configuration the agent does not accept is read and answered `rejected` instead of the socket being
 * closed with 1009 (after which the hub would resend it on every reconnect).
 */
export const MAX_HUB_FRAME_BYTES = 1024 * 1024;

/** Skip a metrics sample rather than queue more when the socket is this far behind. */
const MAX_BUFFERED_BYTES = 64 * 1024;
const MIN_INTERVAL_MS = 100;
const MAX_TIMER_MS = 2_147_000_000;

/** Seconds from the hub → a timer delay in ms, tolerant of fractional and silly values. */
export function secondsToMs(sec: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(MIN_INTERVAL_MS, Math.round(sec * 1000)));
}

/**
 * Accepts ws(s)://host:port[/path] and http(s):// (mapped to ws(s)://); an empty path or "/" becomes
 * AGENT_WS_PATH. Throws a readable Error for anything else.
 */
export function normalizeHubUrl(input: string, defaultPath: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error(`not a valid URL: ${JSON.stringify(input)}`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`hub URL must start with ws:// or wss:// (got ${url.protocol}//)`);
  }
  if (url.pathname === '' || url.pathname === '/') url.pathname = defaultPath;
  return url.toString();
}

/** The URL without credentials or query, safe for logs. */
export function redactUrl(input: string): string {
  try {
    const url = new URL(input);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

export class AgentClient extends EventEmitter<AgentClientEvents> {
  private readonly options: AgentClientOptions;
  private readonly random: () => number;
  private readonly hello: Hello;
  private configRevision: number;
  private readonly credentials: CredentialKeeper;
  private credential?: string;
  private ws?: WebSocket;
  private stateValue: ClientState = 'idle';
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private metricsTimer?: NodeJS.Timeout;
  private welcomeTimer?: NodeJS.Timeout;
  private livenessTimer?: NodeJS.Timeout;
  private stableTimer?: NodeJS.Timeout;
  private welcome?: Welcome;
  private stopPromise?: Promise<void>;
  private stopRequested = false;
  private sampling = false;
  private counters = {
    connects: 0,
    welcomes: 0,
    metricsSent: 0,
    metricsSkipped: 0,
    hubErrors: 0,
    ignored: 0,
    configsApplied: 0,
    configsRejected: 0,
    configsIgnored: 0,
  };

  constructor(options: AgentClientOptions) {
    super();
    this.options = options;
    this.random = options.random ?? Math.random;
    const hello = HelloSchema.safeParse({ type: 'hello', protocol: PROTOCOL_VERSION, ...options.identity });
    if (!hello.success) throw new TypeError(`invalid agent identity: ${describeZodError(hello.error)}`);
    this.hello = hello.data;
    this.pinnedFingerprint(); // a malformed pin or a ws:// URL with a pin fails here, not at connect
    if (options.localAddress !== undefined && options.fingerprint !== undefined) {
      throw new TypeError('localAddress cannot be combined with a pinned fingerprint');
    }
    const helloBytes = Buffer.byteLength(JSON.stringify(this.hello));
    if (helloBytes > AGENT_LIMITS.maxHelloBytes) {
      throw new TypeError(
        `hello would be ${helloBytes} bytes, more than the ${AGENT_LIMITS.maxHelloBytes} the hub accepts ` +
          '(configSchema too large?)',
      );
    }
    this.configRevision = Math.max(this.hello.configRevision, options.configApplier?.revision ?? 0);
    this.credentials = options.credentials ?? memoryCredentials();
    this.credential = this.credentials.load();
  }

  /** Whether the agent holds a credential of its own (else its next hello enrolls it). */
  get enrolled(): boolean {
    return this.credential !== undefined;
  }

  get state(): ClientState {
    return this.stateValue;
  }

  get agentId(): string {
    return this.hello.agentId;
  }

  /** The last `welcome` of the current connection, if welcomed. */
  get currentWelcome(): Welcome | undefined {
    return this.welcome;
  }

  stats(): Readonly<AgentClient['counters']> & { state: ClientState; attempt: number } {
    return { ...this.counters, state: this.stateValue, attempt: this.attempt };
  }

  /** The configuration revision reported in later metrics and the next hello. */
  setConfigRevision(revision: number): void {
    if (Number.isInteger(revision) && revision >= 0) this.configRevision = revision;
  }

  get currentConfigRevision(): number {
    return this.configRevision;
  }

  /**
   * A configuration was applied (over either path): report `revision` from now on and send a heartbeat
   * so the hub sees it at once. A second call with the same revision does nothing, so the broker
   * path's onApplied and the WebSocket path can both call it.
   */
  configApplied(revision: number): void {
    if (!Number.isInteger(revision) || revision < 0 || revision === this.configRevision) return;
    this.configRevision = revision;
    this.sendHeartbeat();
  }

  /**
   * Send a `heartbeat` with the current configuration revision now (e.g. right after a configuration
   * was applied, so the hub sees the new revision without waiting for the next metrics). Returns false
   * when not online (the next hello carries the revision anyway).
   */
  sendHeartbeat(): boolean {
    const ws = this.ws;
    if (!ws || this.stateValue !== 'online' || ws.readyState !== WebSocket.OPEN) return false;
    return this.send(ws, { type: 'heartbeat', ts: Date.now(), configRevision: this.configRevision });
  }

  start(): void {
    if (this.stateValue !== 'idle') return;
    this.connect();
  }

  /**
   * Close with 1000 and resolve once the socket is closed (or after a short grace period, with the
   * socket terminated). Idempotent. The client cannot be restarted afterwards.
   */
  stop(reason = 'agent stopping'): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    this.stopRequested = true;
    this.clearTimers();
    const ws = this.ws;
    this.stopPromise = new Promise<void>((resolve) => {
      if (!ws || ws.readyState === WebSocket.CLOSED) {
        this.finish(reason);
        resolve();
        return;
      }
      const force = setTimeout(() => ws.terminate(), 2000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      try {
        ws.close(CloseCode.NORMAL, reason.slice(0, 120));
      } catch {
        ws.terminate();
      }
    });
    return this.stopPromise;
  }

  // ---- connection ---------------------------------------------------------------------------------

  /**
   * With a pinned fingerprint the TLS connection is opened and checked first (tls-pin.ts), and the
   * WebSocket is created on that socket; otherwise ws connects (and verifies) by itself.
   */
  private connect(pinnedSocket?: TLSSocket): void {
    if (this.stopRequested) {
      pinnedSocket?.destroy();
      return;
    }
    this.reconnectTimer = undefined;
    this.setState('connecting');
    this.welcome = undefined;
    const pin = this.pinnedFingerprint();
    if (pin && !pinnedSocket) {
      pinnedTlsConnect(this.options.url, pin, this.options.handshakeTimeoutMs ?? 10_000).then(
        (socket) => this.connect(socket),
        (error: unknown) => {
          // A wrong certificate is not a network blip: retry only slowly (penalty), never unpinned.
          this.emitError(asError(error));
          this.scheduleReconnect({ code: 1015, reason: asError(error).message }, true);
        },
      );
      return;
    }
    let httpStatus: number | undefined;
    let lastError: Error | undefined;
    const usedCredential = this.credential;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url, {
        headers: { Authorization: `Bearer ${usedCredential ?? this.options.token}` },
        handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
        perMessageDeflate: false,
        maxPayload: MAX_HUB_FRAME_BYTES,
        followRedirects: false,
        ...(pinnedSocket ? { createConnection: () => pinnedSocket } : {}),
        ...(this.options.ca && !pinnedSocket ? { ca: this.options.ca } : {}),
        ...(this.options.localAddress !== undefined ? { localAddress: this.options.localAddress } : {}),
      });
    } catch (error) {
      // Only a malformed URL gets here; retrying will not help but crashing would be worse.
      this.emitError(asError(error));
      this.scheduleReconnect({ code: 1006, reason: asError(error).message }, true);
      return;
    }
    this.ws = ws;

    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.counters.connects++;
      this.setState('handshaking');
      this.safeEmit('connected');
      this.send(ws, { ...this.hello, configRevision: this.configRevision }, AGENT_LIMITS.maxHelloBytes);
      this.welcomeTimer = setTimeout(() => {
        this.emitError(new Error('no welcome from the hub in time; reconnecting'));
        ws.terminate();
      }, this.options.welcomeTimeoutMs ?? 15_000);
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      if (isBinary) return this.ignore('binary frame');
      const bytes = Array.isArray(data)
        ? data.reduce((n, b) => n + b.length, 0)
        : (data as Buffer | ArrayBuffer).byteLength;
      this.onMessage(ws, data.toString(), bytes);
    });
    ws.on('ping', () => this.armLiveness(ws));
    ws.on('error', (error) => {
      lastError = error;
      const match = /Unexpected server response: (\d{3})/.exec(error.message);
      if (match) httpStatus = Number(match[1]);
      this.emitError(error);
    });
    ws.on('close', (code, reasonBuf) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.welcome = undefined;
      this.clearTimers();
      let reason = reasonBuf.toString();
      if (!reason && httpStatus !== undefined) reason = `upgrade refused with HTTP ${httpStatus}`;
      if (!reason && lastError) reason = lastError.message;
      if (this.stopRequested) {
        this.safeEmit('disconnected', { code, reason, willReconnect: false });
        this.finish('stopped on request');
        return;
      }
      if (usedCredential !== undefined && httpStatus === 403) {
        // Revoked: retrying cannot help, and re-enrolling would undo the operator's decision.
        this.safeEmit('disconnected', { code, reason, httpStatus, willReconnect: false });
        this.finish(
          "the hub refused this agent's credential (HTTP 403): the agent was revoked; not reconnecting. " +
            'To enroll it again, delete its stored credential and restart it with the enrollment token.',
        );
        return;
      }
      if (usedCredential !== undefined && httpStatus === 401 && this.credential === usedCredential) {
        // The hub does not know it at all (e.g. its credential file was lost): enroll again.
        this.emitError(
          new Error("the hub does not know this agent's credential (HTTP 401); enrolling again"),
        );
        this.storeCredential(undefined);
      }
      if (NO_RECONNECT.has(code)) {
        this.safeEmit('disconnected', { code, reason, httpStatus, willReconnect: false });
        this.finish(
          `hub closed the connection with ${code}${reason ? ` (${reason})` : ''}; not reconnecting`,
        );
        return;
      }
      const penalty = PENALTY_CLOSE.has(code) || (httpStatus !== undefined && PENALTY_HTTP.has(httpStatus));
      this.scheduleReconnect({ code, reason, httpStatus }, penalty);
    });
  }

  /** The normalised pin for a wss:// URL; throws on a malformed fingerprint or a plain ws:// URL. */
  private pinnedFingerprint(): string | undefined {
    if (this.options.fingerprint === undefined) return undefined;
    const pin = normalizeFingerprint(this.options.fingerprint);
    if (!pin)
      throw new Error('fingerprint must be 32 bytes of hex, e.g. sha256:AB:CD:… (as the console shows it)');
    if (!this.options.url.startsWith('wss:')) {
      throw new Error('a certificate fingerprint needs a wss:// hub URL (plain ws has no certificate)');
    }
    return pin;
  }

  private scheduleReconnect(
    info: { code: number; reason: string; httpStatus?: number },
    penalty: boolean,
  ): void {
    const delayMs = this.nextDelay(penalty);
    this.attempt++;
    this.setState('backoff');
    this.safeEmit('disconnected', { ...info, willReconnect: true, delayMs });
    if (this.stopRequested) return;
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  /**
   * Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): uniform in [0, ceiling]
   * with ceiling = min(max, initial · 2^attempt). After a penalty (bad token, protocol violation) the
   * delay is drawn from the upper half of the largest ceiling, so a misbehaving agent backs right off.
   */
  private nextDelay(penalty: boolean): number {
    const initial = this.options.backoff?.initialMs ?? 1000;
    const max = Math.max(initial, this.options.backoff?.maxMs ?? 30_000);
    if (penalty) return Math.round(max / 2 + (this.random() * max) / 2);
    const ceiling = Math.min(max, initial * 2 ** Math.min(this.attempt, 30));
    return Math.round(this.random() * ceiling);
  }

  /** Keep the credential in memory whatever happens; a failed save is reported, not fatal. */
  private storeCredential(credential: string | undefined): void {
    this.credential = credential;
    try {
      this.credentials.save(credential);
    } catch (error) {
      this.emitError(new Error(`could not store the agent credential: ${asError(error).message}`));
    }
  }

  private finish(reason: string): void {
    this.clearTimers();
    if (this.stateValue === 'stopped') return;
    this.setState('stopped');
    this.safeEmit('stopped', reason);
  }

  // ---- hub frames ---------------------------------------------------------------------------------

  private onMessage(ws: WebSocket, text: string, byteLength: number): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.ignore('frame is not JSON');
    }
    // A `config` frame goes to the applier even when it fails the schema: if its revision is readable,
    // the hub gets a `rejected` report saying why (a config that is too large, or not an object).
    if (typeof json === 'object' && json !== null && (json as { type?: unknown }).type === 'config') {
      return this.onConfig(json, byteLength);
    }
    if (byteLength > AGENT_LIMITS.maxFrameBytes) return this.ignore(`frame of ${byteLength} bytes`);
    const parsed = HubMessageSchema.safeParse(json);
    if (!parsed.success) {
      const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
      // Only a string type is echoed (clipped): JSON.stringify of a hostile nested value would
      // overflow the stack inside the socket's message handler (found by fuzzing).
      const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 80)) : typeof type;
      return this.ignore(`unknown or invalid hub frame (type ${shown})`);
    }
    const message = parsed.data;
    if (message.type === 'enrolled') {
      if (message.agentId !== this.hello.agentId) return this.ignore('enrolled frame for another agent id');
      this.storeCredential(message.credential);
      this.safeEmit('enrolled', message.status);
      return;
    }
    if (message.type === 'welcome') this.onWelcome(ws, message);
    else if (message.type === 'error') {
      this.counters.hubErrors++;
      this.safeEmit('hubError', message);
    } else {
      this.onConfig(message, byteLength);
    }
  }

  /** Decide with the shared ConfigApplier, then heartbeat (new revision) and `config.report`. */
  private onConfig(frame: unknown, byteLength: number): void {
    const applier = this.options.configApplier;
    if (!applier) return this.ignore('config frame, but this client applies no configuration');
    void (async () => {
      let decision: ConfigDecision = await applier.handleWs(frame, byteLength);
      // No queue to requeue to: a failed write is retried once at once; a second failure is a refusal.
      if (decision.action === 'requeue') decision = await applier.handleWs(frame, byteLength);
      this.carryOut(applier, decision);
    })().catch((error: unknown) =>
      this.emitError(new Error(`config not handled: ${asError(error).message}`)),
    );
  }

  private carryOut(applier: ConfigApplier, decision: ConfigDecision): void {
    if (decision.action !== 'ack') {
      this.counters.configsIgnored++;
      const reason = decision.reason;
      this.emitError(new Error(`ignored config frame: ${reason}`));
      this.safeEmit('config', {
        outcome: 'invalid',
        ...(decision.action === 'requeue' ? { revision: decision.revision } : {}),
        reason,
        reported: false,
      });
      return;
    }
    const { revision } = decision;
    if (decision.outcome === 'ignored') {
      this.counters.configsIgnored++;
      const reported = decision.repeat ? this.sendReport(decision.repeat) : false;
      this.safeEmit('config', { outcome: 'ignored', revision, reason: decision.reason, reported });
    } else if (decision.outcome === 'applied') {
      this.counters.configsApplied++;
      // Heartbeat first, then the report: the hub sees the revision the agent runs before the ledger closes.
      this.configApplied(revision);
      applier.announce(decision.state);
      const reported = this.sendReport(decision.report);
      this.safeEmit('config', { outcome: 'applied', revision, reported });
    } else {
      this.counters.configsRejected++;
      const reported = this.sendReport(decision.report);
      this.safeEmit('config', { outcome: 'rejected', revision, reason: decision.reason, reported });
    }
  }

  /**
   * `config.report` on the current socket: the one the config came on, or (when that one dropped while
   * the configuration was being written) its successor once `hello` has been sent on it.
   */
  private sendReport(report: ConfigReport): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    if (this.stateValue !== 'online' && this.stateValue !== 'handshaking') return false;
    const frame: WsConfigReport = {
      type: 'config.report',
      revision: report.revision,
      status: report.status,
      ...(report.error !== undefined ? { error: report.error } : {}),
      ts: report.ts,
    };
    return this.send(ws, frame);
  }

  private onWelcome(ws: WebSocket, welcome: Welcome): void {
    if (this.welcomeTimer) clearTimeout(this.welcomeTimer);
    this.welcomeTimer = undefined;
    this.welcome = welcome;
    this.counters.welcomes++;
    this.setState('online');
    this.safeEmit('welcome', welcome);
    this.armLiveness(ws);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => {
      this.attempt = 0;
    }, this.options.backoff?.stableAfterMs ?? 10_000);
    // (Re)start the metrics loop at the hub's interval.
    if (this.metricsTimer) clearTimeout(this.metricsTimer);
    const intervalMs = secondsToMs(welcome.metricsIntervalSec);
    const jitter = this.jitterFraction();
    const first = jitter > 0 ? Math.round(this.random() * intervalMs) : 0;
    this.metricsTimer = setTimeout(() => this.metricsTick(ws, intervalMs), first);
  }

  /**
   * The hub pings every pingIntervalSec and terminates peers that miss one; we apply the mirror rule:
   * no ping for two intervals (plus slack) means the path is dead even if TCP has not noticed.
   */
  private armLiveness(ws: WebSocket): void {
    if (this.ws !== ws || !this.welcome) return;
    if (this.livenessTimer) clearTimeout(this.livenessTimer);
    const ms = secondsToMs(this.welcome.pingIntervalSec * 2) + 5000;
    this.livenessTimer = setTimeout(() => {
      this.emitError(new Error('no ping from the hub in time; reconnecting'));
      ws.terminate();
    }, ms);
  }

  // ---- metrics ------------------------------------------------------------------------------------

  private jitterFraction(): number {
    const j = this.options.metricsJitter ?? 0;
    return Number.isFinite(j) ? Math.min(0.5, Math.max(0, j)) : 0;
  }

  private metricsTick(ws: WebSocket, intervalMs: number): void {
    if (this.ws !== ws || this.stateValue !== 'online') return;
    const jitter = this.jitterFraction();
    const next = jitter > 0 ? intervalMs * (1 + (this.random() * 2 - 1) * jitter) : intervalMs;
    this.metricsTimer = setTimeout(() => this.metricsTick(ws, intervalMs), Math.round(next));
    void this.sendMetrics(ws);
  }

  private async sendMetrics(ws: WebSocket): Promise<void> {
    // A slow provider (a hung statfs) must not pile up samples; skip this tick instead.
    if (this.sampling || ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.counters.metricsSkipped++;
      return;
    }
    this.sampling = true;
    let metrics: Metrics;
    try {
      metrics = { ...(await this.options.metrics()), configRevision: this.configRevision };
    } catch (error) {
      this.counters.metricsSkipped++;
      this.emitError(new Error(`metrics provider failed: ${asError(error).message}`));
      return;
    } finally {
      this.sampling = false;
    }
    if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
    // Validate before sending: an invalid message would only earn an error frame and a violation.
    const checked = MetricsSchema.safeParse(metrics);
    if (!checked.success) {
      this.counters.metricsSkipped++;
      this.emitError(new Error(`metrics not sent, invalid: ${describeZodError(checked.error)}`));
      return;
    }
    if (this.send(ws, checked.data)) {
      this.counters.metricsSent++;
      this.safeEmit('metrics', checked.data);
    }
  }

  private send(ws: WebSocket, message: object, limit: number = AGENT_LIMITS.maxMessageBytes): boolean {
    const text = JSON.stringify(message);
    if (Buffer.byteLength(text) > limit) {
      this.emitError(new Error(`message not sent: larger than ${limit} bytes`));
      return false;
    }
    try {
      ws.send(text, (error) => {
        if (error) this.emitError(error);
      });
      return true;
    } catch (error) {
      this.emitError(asError(error));
      return false;
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private clearTimers(): void {
    for (const timer of [
      this.reconnectTimer,
      this.metricsTimer,
      this.welcomeTimer,
      this.livenessTimer,
      this.stableTimer,
    ]) {
      if (timer) clearTimeout(timer);
    }
    this.reconnectTimer =
      this.metricsTimer =
      this.welcomeTimer =
      this.livenessTimer =
      this.stableTimer =
        undefined;
  }

  private setState(state: ClientState): void {
    const previous = this.stateValue;
    if (previous === state) return;
    this.stateValue = state;
    this.safeEmit('state', state, previous);
  }

  private ignore(why: string): void {
    this.counters.ignored++;
    this.emitError(new Error(`ignored hub frame: ${why}`));
  }

  /** 'error' is emitted only when someone listens (EventEmitter would otherwise throw). */
  private emitError(error: Error): void {
    if (this.listenerCount('error') === 0) return;
    try {
      this.emit('error', error);
    } catch {
      // a throwing error listener must not take the connection loop down
    }
  }

  private safeEmit<K extends keyof AgentClientEvents>(event: K, ...args: AgentClientEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: AgentClientEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.emitError(new Error(`listener for "${String(event)}" threw: ${asError(error).message}`));
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
