/**
 * BrokerLink: the agent's (or the simulator's) RabbitMQ connection, kept alive across outages.
 *
 * - `onReady(hook)` hooks run on every new session (after each (re)connect) to declare topology and
 *   start consumers; a hook that throws recycles the session.
 * - Every connection and channel has `error` and `close` listeners: an amqplib `error` event without a
 *   listener kills the process (amqplib #649, #690, #334). `blocked`/`unblocked` are logged and shown
 *   in `state`.
 * - Any loss (connection closed, channel closed by the broker, consumer cancelled) ends the session and
 *   reconnects after a full-jitter delay: uniform [0, min(maxMs, initialMs · 2^attempt)].
 * - The URL is never logged with its password (`maskAmqpUrl`, `maskSecrets`).
 * - `connections: 2` opens separate publish and consume connections (RabbitMQ blocks connections that
 *   publish under a memory or disk alarm; a separate consume connection keeps acking configs). The
 *   simulator uses one connection for everything.
 */
import { EventEmitter } from 'node:events';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { Topology } from '../src-shared/broker-protocol';

export interface AgentTopologyNames {
  eventsExchange: string;
  commandsExchange: string;
  agentQueue: (agentId: string) => string;
}

/** The contract's names, or with "centralizer." swapped for `${prefix}.` (same rule as the hub's topologyNames). */
export function agentTopologyNames(prefix?: string): AgentTopologyNames {
  const swap = (name: string): string => (prefix ? name.replace(/^centralizer\./, `${prefix}.`) : name);
  return {
    eventsExchange: swap(Topology.eventsExchange),
    commandsExchange: swap(Topology.commandsExchange),
    agentQueue: (agentId) => swap(Topology.agentQueue(agentId)),
  };
}

/** Mask URL credentials in any text: `amqp://user:secret@host` → `amqp://user:***@host`. */
export function maskSecrets(text: string): string {
  return text.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
}

/** The AMQP URL for logs: password masked, query dropped. */
export function maskAmqpUrl(input: string): string {
  try {
    const url = new URL(input);
    const user = url.username ? `${decodeURIComponent(url.username)}${url.password ? ':***' : ''}@` : '';
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return maskSecrets(input);
  }
}

/** Throws a readable Error unless `input` is an amqp:// or amqps:// URL. */
export function checkAmqpUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error(`not a valid URL: ${JSON.stringify(maskSecrets(input))}`);
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    throw new Error(`broker URL must start with amqp:// or amqps:// (got ${url.protocol}//)`);
  }
  return input;
}

export type LinkState = 'idle' | 'connecting' | 'connected' | 'blocked' | 'backoff' | 'stopped';

/** One connected session; dead after the next loss (`signal` aborted). */
export interface LinkSession {
  readonly generation: number;
  readonly signal: AbortSignal;
  /** A channel on the consume connection, `error`/`close` handled; an unexpected close ends the session. */
  channel(): Promise<Channel>;
  /** A confirm channel on the publish connection (the same connection unless `connections: 2`). */
  confirmChannel(): Promise<ConfirmChannel>;
  /** Report the session unusable (e.g. the broker cancelled a consumer): it is closed and rebuilt. */
  fail(error: Error): void;
}

export type ReadyHook = (session: LinkSession) => Promise<void>;

export interface BrokerLinkOptions {
  url: string;
  /** Short name for log lines and the connection name shown in the RabbitMQ management UI. */
  name?: string;
  /** 1 (default): one connection; 2: separate publish and consume connections. */
  connections?: 1 | 2;
  backoff?: { initialMs?: number; maxMs?: number };
  /** AMQP heartbeat in seconds. Default 15. */
  heartbeatSec?: number;
  /** TCP + AMQP handshake timeout. Default 10 000 ms. */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
  random?: () => number;
}

export interface BrokerLinkEvents {
  state: [state: LinkState];
  ready: [session: LinkSession];
  lost: [reason: string];
}

interface Live {
  session: LinkSession;
  controller: AbortController;
  connections: ChannelModel[];
}

export class BrokerLink extends EventEmitter<BrokerLinkEvents> {
  private readonly hooks = new Map<number, ReadyHook>();
  private hookSeq = 0;
  private stateValue: LinkState = 'idle';
  private attempt = 0;
  private generation = 0;
  private timer?: NodeJS.Timeout;
  private live?: Live;
  private stopping = false;
  private lastError = '';
  private readonly log: (line: string) => void;
  private readonly random: () => number;

  constructor(private readonly options: BrokerLinkOptions) {
    super();
    checkAmqpUrl(options.url);
    this.log = options.log ?? (() => undefined);
    this.random = options.random ?? Math.random;
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /** The current session, if connected. */
  get session(): LinkSession | undefined {
    return this.live && !this.live.controller.signal.aborted ? this.live.session : undefined;
  }

  get displayUrl(): string {
    return maskAmqpUrl(this.options.url);
  }

  /** Register a hook for every session (also run now when already connected). Returns an unregister function. */
  onReady(hook: ReadyHook): () => void {
    const id = ++this.hookSeq;
    this.hooks.set(id, hook);
    const session = this.session;
    if (session) {
      hook(session).catch((error: unknown) => session.fail(asError(error)));
    }
    return () => this.hooks.delete(id);
  }

  start(): void {
    if (this.stateValue !== 'idle') return;
    void this.connect();
  }

  /** Resolves when connected (hooks done), rejects after `timeoutMs`. */
  waitConnected(timeoutMs = 15_000): Promise<void> {
    if (this.stateValue === 'connected' || this.stateValue === 'blocked') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('ready', onReady);
        reject(new Error(`broker not connected within ${timeoutMs} ms (${this.lastError || this.state})`));
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.once('ready', onReady);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const live = this.live;
    this.live = undefined;
    if (live) {
      live.controller.abort();
      await Promise.all(live.connections.map((c) => closeQuietly(c)));
    }
    this.setState('stopped');
  }

  // ---- internals ----------------------------------------------------------------------------------

  private setState(state: LinkState): void {
    if (this.stateValue === state || this.stateValue === 'stopped') return;
    this.stateValue = state;
    this.emit('state', state);
  }

  private async connect(): Promise<void> {
    this.timer = undefined;
    if (this.stopping) return;
    this.setState('connecting');
    const count = this.options.connections ?? 1;
    const opened: ChannelModel[] = [];
    const controller = new AbortController();
    const generation = ++this.generation;
    const name = this.options.name ?? 'agent';
    try {
      for (let i = 0; i < count; i++) {
        const role = count === 1 ? 'main' : i === 0 ? 'consume' : 'publish';
        const conn = await amqp.connect(withHeartbeat(this.options.url, this.options.heartbeatSec ?? 15), {
          timeout: this.options.connectTimeoutMs ?? 10_000,
          clientProperties: { connection_name: `${name} (${role})` },
        });
        opened.push(conn);
        this.watchConnection(conn, controller, role);
      }
    } catch (error) {
      // Abort first: closing an already opened connection must not schedule a second reconnect.
      const alreadyLost = controller.signal.aborted;
      controller.abort();
      await Promise.all(opened.map((c) => closeQuietly(c)));
      if (!alreadyLost) this.scheduleReconnect(`cannot connect: ${maskSecrets(asError(error).message)}`);
      return;
    }
    if (this.stopping || controller.signal.aborted) {
      // Stopped meanwhile, or a connection already dropped (its close handler scheduled the retry).
      controller.abort();
      await Promise.all(opened.map((c) => closeQuietly(c)));
      return;
    }
    const consumeConn = opened[0] as ChannelModel;
    const publishConn = (opened[1] ?? opened[0]) as ChannelModel;
    const session: LinkSession = {
      generation,
      signal: controller.signal,
      channel: () => this.openChannel(consumeConn, controller, false),
      confirmChannel: () => this.openChannel(publishConn, controller, true) as Promise<ConfirmChannel>,
      fail: (error) => this.endSession(controller, error.message),
    };
    this.live = { session, controller, connections: opened };
    try {
      for (const hook of [...this.hooks.values()]) {
        if (controller.signal.aborted) break;
        await hook(session);
      }
    } catch (error) {
      this.endSession(controller, `setup failed: ${maskSecrets(asError(error).message)}`);
      return;
    }
    if (controller.signal.aborted) return;
    this.attempt = 0;
    this.lastError = '';
    this.setState('connected');
    this.log(`broker connected (${this.displayUrl})`);
    this.emit('ready', session);
  }

  private watchConnection(conn: ChannelModel, controller: AbortController, role: string): void {
    conn.on('error', (error: Error) => {
      // 'close' follows; remember why.
      this.lastError = maskSecrets(error.message);
    });
    conn.on('close', (error?: Error) => {
      const why = error ? maskSecrets(error.message) : this.lastError || 'connection closed';
      this.endSession(controller, `${role} connection lost: ${why}`);
    });
    conn.on('blocked', (reason: string) => {
      if (controller.signal.aborted) return;
      this.log(`broker blocked the ${role} connection: ${reason} (publishes wait)`);
      this.setState('blocked');
    });
    conn.on('unblocked', () => {
      if (controller.signal.aborted) return;
      this.log(`broker unblocked the ${role} connection`);
      this.setState('connected');
    });
    conn.on('handler-error', (error: Error) => {
      this.log(`broker event handler failed: ${maskSecrets(error.message)}`);
    });
  }

  private async openChannel(
    conn: ChannelModel,
    controller: AbortController,
    confirm: boolean,
  ): Promise<Channel | ConfirmChannel> {
    if (controller.signal.aborted) throw new Error('broker session ended');
    const channel = confirm ? await conn.createConfirmChannel() : await conn.createChannel();
    let error = '';
    channel.on('error', (err: Error) => {
      error = maskSecrets(err.message);
    });
    channel.on('close', () => {
      if (!controller.signal.aborted)
        this.endSession(controller, `channel closed: ${error || 'by the broker'}`);
    });
    channel.on('handler-error', (err: Error) => {
      this.log(`channel event handler failed: ${maskSecrets(err.message)}`);
    });
    controller.signal.addEventListener('abort', () => {
      channel.close().catch(() => undefined);
    });
    return channel;
  }

  private endSession(controller: AbortController, reason: string): void {
    if (controller.signal.aborted) return;
    controller.abort();
    const live = this.live;
    if (live?.controller === controller) {
      this.live = undefined;
      for (const conn of live.connections) void closeQuietly(conn);
    }
    if (this.stopping) return;
    this.emit('lost', reason);
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    const initial = this.options.backoff?.initialMs ?? 1000;
    const max = Math.max(initial, this.options.backoff?.maxMs ?? 30_000);
    const ceiling = Math.min(max, initial * 2 ** Math.min(this.attempt, 30));
    const delay = Math.round(this.random() * ceiling);
    this.attempt++;
    this.lastError = reason;
    this.setState('backoff');
    this.log(`broker: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}

/** The URL with `?heartbeat=N` added unless it already sets one (amqplib reads it from the URL). */
export function withHeartbeat(input: string, heartbeatSec: number): string {
  const url = new URL(input);
  if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(heartbeatSec));
  return url.toString();
}

async function closeQuietly(conn: ChannelModel): Promise<void> {
  try {
    await conn.close();
  } catch {
    // already closed or closing
  }
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
