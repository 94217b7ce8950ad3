/**
 * BrokerConnection: the hub's link to RabbitMQ, kept alive across outages.
 *
 * - Two AMQP connections: `publish` and `consume`. Under a memory or disk alarm RabbitMQ blocks
 *   connections that publish; keeping consumers on their own connection lets job events keep flowing
 *   (and be acked) while configuration publishes wait.
 * - Every connection and every channel it hands out has `error` and `close` listeners (an amqplib
 *   `error` without a listener takes the whole process down, amqplib #649/#690/#334), plus
 *   `blocked`/`unblocked` and `handler-error`.
 * - After any loss it reconnects with capped full-jitter backoff (delay = random(0, min(cap, base·2ⁿ))),
 *   then re-runs every `onReady` hook (topology + consumers) on the fresh session.
 * - `getStatus()` / `onStatus()` give the UI one small state object; words come from diagnose.ts.
 *
 * We drive reconnection ourselves rather than with amqplib's built-in `recovery` option: we need two
 * connections that fail and recover together, one state for both, and a diagnosis per attempt.
 */
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { silentLogger, type Logger } from '../logger';
import {
  displayUrl,
  resolveBrokerSettings,
  toConnectOptions,
  type BrokerSettings,
  type BrokerSettingsResult,
} from './broker-settings';
import type { BrokerState, BrokerStatus, TestConnectionResult } from '../../../src-shared';
import { diagnoseBlocked, diagnoseError, type BrokerDiagnosis, type DiagnoseContext } from './diagnose';

// State, status and test result are part of the console contract (src-shared/broker-protocol.ts).
export type { BrokerState, BrokerStatus, TestConnectionResult };

export type ConnectionRole = 'publish' | 'consume';

/** One connected pair of connections; handed to `onReady` hooks, dead after the next loss. */
export interface BrokerSession {
  /** Increases with every new session. */
  readonly generation: number;
  readonly publishConnection: ChannelModel;
  readonly consumeConnection: ChannelModel;
  /** Aborted when this session ends (loss, reconfigure, stop): stop using its channels. */
  readonly signal: AbortSignal;
  /** A channel on the consume connection. `error`/`close` handled; an unexpected close recycles the session. */
  consumeChannel(name: string): Promise<Channel>;
  /** A confirm channel on the publish connection. Same handling. */
  publishChannel(name: string): Promise<ConfirmChannel>;
  /** Report the session unusable (e.g. the broker cancelled a consumer): it is closed and rebuilt. */
  fail(error: Error): void;
}

export type ReadyHook = (session: BrokerSession) => Promise<void>;

export interface BrokerConnectionOptions {
  logger?: Logger;
  /** Full-jitter backoff: first retry within `initialMs`, doubling, capped at `maxMs`. Default 500 ms → 30 s. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Per-connection limit for TCP + TLS + AMQP handshake. Default 10 s. */
  connectTimeoutMs?: number;
  /** Shown in the RabbitMQ management UI as the connection name prefix. */
  clientName?: string;
  /** For tests. */
  random?: () => number;
  now?: () => number;
}

class SetupError extends Error {
  constructor(
    readonly hook: string,
    cause: unknown,
  ) {
    super(`setup "${hook}" failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'SetupError';
  }
}

function setupDiagnosis(err: SetupError): BrokerDiagnosis {
  const detail = diagnoseError(err.cause).detail ?? '';
  return {
    code: 'setup_failed',
    message: `Connected, but setting up queues and consumers failed (${err.hook}): ${detail}`,
    detail,
  };
}

function contextOf(settings: BrokerSettings): DiagnoseContext {
  return { host: settings.host, port: settings.port, username: settings.username, vhost: settings.vhost };
}

/** Best effort close that never throws and never hangs longer than `ms` (a dead peer never sends close-ok). */
async function closeQuietly(conn: ChannelModel | undefined, ms = 2_000): Promise<void> {
  if (!conn) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    conn.close().then(
      () => false,
      () => false,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    // amqplib has no public destroy; drop the socket so nothing lingers.
    (conn.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  }
}

/** Open one AMQP connection with an overall deadline (amqplib's `timeout` covers only the TCP connect). */
async function openConnection(
  settings: BrokerSettings,
  connectionName: string,
  timeoutMs: number,
): Promise<ChannelModel> {
  const pending = amqp.connect(toConnectOptions(settings), {
    timeout: timeoutMs,
    clientProperties: { connection_name: connectionName },
    // amqplib sets the TLS servername (SNI) itself for host names, and leaves it out for IPs.
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`connect ETIMEDOUT: no AMQP handshake within ${timeoutMs} ms`);
      (err as Error & { code: string }).code = 'ETIMEDOUT';
      reject(err);
    }, timeoutMs);
  });
  try {
    const conn = await Promise.race([pending, deadline]);
    // Listen at once: nothing can be emitted between the resolution above and here.
    conn.on('error', () => {});
    return conn;
  } catch (err) {
    // If the handshake finishes after our deadline, close that late connection.
    pending.then(
      (late) => {
        late.on('error', () => {});
        void closeQuietly(late);
      },
      () => {},
    );
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One-shot check for the Settings screen's "Test connection" button: open a connection, open a channel,
 * close both. Never throws.
 */
export async function testConnection(
  input: BrokerSettings | BrokerSettingsResult,
  options: { timeoutMs?: number; clientName?: string } = {},
): Promise<TestConnectionResult> {
  const result: BrokerSettingsResult =
    'kind' in input ? input : { kind: 'ok', settings: input, source: 'variables' };
  if (result.kind === 'not_configured') {
    return {
      ok: false,
      url: null,
      diagnosis: {
        code: 'not_configured',
        message: 'No broker is configured (set RABBITMQ_URL or RABBITMQ_HOST).',
      },
    };
  }
  if (result.kind === 'invalid') {
    return { ok: false, url: null, diagnosis: { code: 'invalid_settings', message: result.problem } };
  }
  const { settings } = result;
  const url = displayUrl(settings);
  const started = Date.now();
  let conn: ChannelModel | undefined;
  try {
    conn = await openConnection(
      settings,
      `${options.clientName ?? 'agent-centralizer'} (test)`,
      options.timeoutMs ?? 10_000,
    );
    const channel = await conn.createChannel();
    channel.on('error', () => {});
    await channel.close();
    const props = conn.connection.serverProperties as unknown as Record<string, unknown>;
    const latencyMs = Date.now() - started;
    return {
      ok: true,
      url,
      latencyMs,
      serverVersion: typeof props.version === 'string' ? props.version : null,
      product: typeof props.product === 'string' ? props.product : null,
    };
  } catch (err) {
    return { ok: false, url, diagnosis: diagnoseError(err, contextOf(settings)) };
  } finally {
    await closeQuietly(conn);
  }
}

interface LiveSession extends BrokerSession {
  readonly controller: AbortController;
  readonly blocked: Set<ConnectionRole>;
  /** False while the hooks run; a channel that closes meanwhile fails the setup instead of recycling. */
  ready: boolean;
  /** Set when a channel closed during setup (the hook may have caught it; the session is still unusable). */
  brokenBy: { channel: string; error: Error } | null;
}

export class BrokerConnection {
  private settingsResult: BrokerSettingsResult;
  private readonly log: Logger;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly connectTimeoutMs: number;
  private readonly clientName: string;
  private readonly random: () => number;
  private readonly now: () => number;

  private status: BrokerStatus;
  private readonly statusListeners = new Set<(status: BrokerStatus) => void>();
  private readonly hooks: { name: string; run: ReadyHook }[] = [];
  private session: LiveSession | null = null;
  /** Bumped whenever the current attempt/session is abandoned; stale callbacks compare against it. */
  private generation = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private running = false;
  private blockedReason: string | null = null;

  constructor(settings: BrokerSettingsResult | BrokerSettings, options: BrokerConnectionOptions = {}) {
    this.settingsResult = 'kind' in settings ? settings : { kind: 'ok', settings, source: 'variables' };
    this.log = options.logger ?? silentLogger;
    this.initialMs = options.backoff?.initialMs ?? 500;
    this.maxMs = options.backoff?.maxMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.clientName = options.clientName ?? 'agent-centralizer hub';
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.status = this.idleStatus();
  }

  /** Build from process.env (or any env-style record). */
  static fromEnv(env?: Parameters<typeof resolveBrokerSettings>[0], options?: BrokerConnectionOptions) {
    return new BrokerConnection(resolveBrokerSettings(env), options);
  }

  getStatus(): BrokerStatus {
    return this.status;
  }

  /** Called with every status change; returns an unsubscribe function. */
  onStatus(listener: (status: BrokerStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Register topology/consumer setup. Runs on every new session (first connect and each reconnect), in
   * registration order, before the state turns `connected`; if a session is live it also runs now.
   * A hook that throws fails the session: it is closed and retried with backoff (reason `setup_failed`).
   */
  onReady(name: string, hook: ReadyHook): () => void {
    const entry = { name, run: hook };
    this.hooks.push(entry);
    const live = this.session;
    if (live && (this.status.state === 'connected' || this.status.state === 'blocked')) {
      hook(live).catch((err: unknown) => this.lose(live.generation, new SetupError(name, err)));
    }
    return () => {
      const i = this.hooks.indexOf(entry);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** The live session, if connected. Prefer `onReady` hooks: sessions change after every reconnect. */
  currentSession(): BrokerSession | null {
    return this.session;
  }

  /** Start connecting (no-op when not configured or already running). */
  start(): void {
    if (this.running) return;
    if (this.settingsResult.kind !== 'ok') {
      this.setStatus(this.idleStatus());
      return;
    }
    this.running = true;
    this.failures = 0;
    void this.attempt();
  }

  /** Close both connections and stop retrying. Safe to call repeatedly. */
  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const session = this.session;
    this.session = null;
    if (session) {
      session.controller.abort();
      await Promise.all([closeQuietly(session.publishConnection), closeQuietly(session.consumeConnection)]);
    }
    this.setStatus(this.idleStatus());
  }

  /** Swap settings (Settings screen "Save"): closes the current session and starts over if running. */
  async reconfigure(settings: BrokerSettingsResult | BrokerSettings): Promise<void> {
    const wasRunning = this.running;
    await this.stop();
    this.settingsResult = 'kind' in settings ? settings : { kind: 'ok', settings, source: 'variables' };
    this.setStatus(this.idleStatus());
    if (wasRunning) this.start();
  }

  // ---- internals -----------------------------------------------------------------------------

  private idleStatus(): BrokerStatus {
    const r = this.settingsResult;
    const base = { detail: null, since: this.now(), attempts: 0, nextRetryAt: null };
    if (r.kind === 'not_configured') {
      return {
        ...base,
        state: 'not_configured',
        url: null,
        reason: 'not_configured',
        reasonText: 'No broker is configured (set RABBITMQ_URL or RABBITMQ_HOST).',
      };
    }
    if (r.kind === 'invalid') {
      return {
        ...base,
        state: 'not_configured',
        url: null,
        reason: 'invalid_settings',
        reasonText: r.problem,
      };
    }
    return {
      ...base,
      state: this.running ? 'connecting' : 'disconnected',
      url: displayUrl(r.settings),
      reason: null,
      reasonText: this.running ? null : 'Not running (stopped or not started yet)',
    };
  }

  private setStatus(next: BrokerStatus): void {
    const usable = (s: BrokerState) => s === 'connected' || s === 'blocked';
    const prev = this.status;
    const since =
      usable(prev.state) === usable(next.state) && prev.state !== 'not_configured' ? prev.since : next.since;
    const status = { ...next, since };
    if (JSON.stringify(status) === JSON.stringify(prev)) return;
    this.status = status;
    for (const listener of this.statusListeners) {
      try {
        listener(status);
      } catch (err) {
        this.log.error('broker status listener threw', { error: (err as Error).message });
      }
    }
  }

  private get settings(): BrokerSettings {
    if (this.settingsResult.kind !== 'ok') throw new Error('broker not configured');
    return this.settingsResult.settings;
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    const settings = this.settings;
    const url = displayUrl(settings);
    this.setStatus({
      ...this.status,
      state: 'connecting',
      url,
      attempts: this.failures,
      nextRetryAt: null,
      since: this.now(),
    });
    this.log.debug('broker connecting', { url, attempt: this.failures + 1 });
    let publish: ChannelModel | undefined;
    let consume: ChannelModel | undefined;
    try {
      publish = await openConnection(settings, `${this.clientName} (publish)`, this.connectTimeoutMs);
      if (generation !== this.generation) throw new Error('superseded');
      consume = await openConnection(settings, `${this.clientName} (consume)`, this.connectTimeoutMs);
      if (generation !== this.generation) throw new Error('superseded');

      const session = this.createSession(generation, publish, consume);
      this.session = session;
      this.watch(session, publish, 'publish');
      this.watch(session, consume, 'consume');
      for (const hook of [...this.hooks]) {
        try {
          await hook.run(session);
        } catch (err) {
          throw new SetupError(hook.name, err);
        }
        if (generation !== this.generation) return; // lost during setup; lose() already rescheduled
      }
      if (session.brokenBy) throw new SetupError(session.brokenBy.channel, session.brokenBy.error);
      session.ready = true;
      const hadFailures = this.failures;
      this.failures = 0;
      this.log.info('broker connected', { url, afterFailedAttempts: hadFailures });
      this.publishConnectedState(session);
    } catch (err) {
      if (generation !== this.generation) {
        await Promise.all([closeQuietly(publish), closeQuietly(consume)]);
        return;
      }
      this.generation++;
      if (this.session?.generation === generation) {
        this.session.controller.abort();
        this.session = null;
      }
      await Promise.all([closeQuietly(publish), closeQuietly(consume)]);
      const diagnosis =
        err instanceof SetupError ? setupDiagnosis(err) : diagnoseError(err, contextOf(settings));
      this.scheduleRetry(diagnosis);
    }
  }

  private publishConnectedState(session: LiveSession): void {
    if (session.blocked.size > 0) {
      const d = diagnoseBlocked(this.blockedReason ?? '', contextOf(this.settings));
      this.setStatus({
        ...this.status,
        state: 'blocked',
        reason: d.code,
        reasonText: d.message,
        detail: d.detail ?? null,
        attempts: 0,
        nextRetryAt: null,
        since: this.now(),
      });
    } else {
      this.setStatus({
        ...this.status,
        state: 'connected',
        reason: null,
        reasonText: null,
        detail: null,
        attempts: 0,
        nextRetryAt: null,
        since: this.now(),
      });
    }
  }

  private createSession(generation: number, publish: ChannelModel, consume: ChannelModel): LiveSession {
    const controller = new AbortController();
    const openChannel = async <C extends Channel>(
      role: ConnectionRole,
      name: string,
      create: () => Promise<C>,
    ): Promise<C> => {
      const channel = await create();
      let lastError: Error | null = null;
      channel.on('error', (err: Error) => {
        lastError = err;
        this.log.warn('broker channel error', { role, channel: name, error: err.message });
      });
      channel.on('handler-error', (err: Error, event: string) =>
        this.log.error('broker channel handler threw', { role, channel: name, event, error: err.message }),
      );
      channel.on('close', () => {
        if (controller.signal.aborted || generation !== this.generation) return;
        // No preceding 'error' = we closed it ourselves, or its connection is going away (the connection's
        // own 'close' handles that). Only a close the broker initiated (with an error) needs action.
        const err = lastError;
        if (!err) return;
        if (!session.ready) {
          session.brokenBy ??= { channel: name, error: err };
          return;
        }
        // A channel closed under a live connection (e.g. 404 on a missing exchange, 406 on a queue
        // declared with other arguments). Its consumers are gone: rebuild the whole session.
        this.log.warn('broker channel closed unexpectedly; recycling session', {
          role,
          channel: name,
          error: err.message,
        });
        this.lose(generation, err);
      });
      return channel;
    };
    const session: LiveSession = {
      generation,
      ready: false,
      brokenBy: null,
      publishConnection: publish,
      consumeConnection: consume,
      signal: controller.signal,
      controller,
      blocked: new Set(),
      consumeChannel: (name) => openChannel('consume', name, () => consume.createChannel()),
      publishChannel: (name) => openChannel('publish', name, () => publish.createConfirmChannel()),
      fail: (error) => {
        if (!session.ready) session.brokenBy ??= { channel: 'fail()', error };
        else this.lose(generation, error);
      },
    };
    return session;
  }

  private watch(session: LiveSession, conn: ChannelModel, role: ConnectionRole): void {
    let lastError: Error | null = null;
    conn.on('error', (err: Error) => {
      lastError = err;
      this.log.warn('broker connection error', { role, error: err.message });
    });
    conn.on('handler-error', (err: Error, event: string) =>
      this.log.error('broker connection handler threw', { role, event, error: err.message }),
    );
    conn.on('close', (err?: Error) => {
      if (session.generation !== this.generation) return;
      this.lose(session.generation, err ?? lastError ?? new Error('Connection closed'));
    });
    conn.on('blocked', (reason: string) => {
      if (session.generation !== this.generation) return;
      this.log.warn('broker blocked this connection', { role, reason });
      session.blocked.add(role);
      this.blockedReason = reason;
      if (this.status.state === 'connected') this.publishConnectedState(session);
    });
    conn.on('unblocked', () => {
      if (session.generation !== this.generation) return;
      this.log.info('broker unblocked this connection', { role });
      session.blocked.delete(role);
      if (session.blocked.size === 0) this.blockedReason = null;
      if (this.status.state === 'blocked') this.publishConnectedState(session);
    });
  }

  /** The session of `generation` is gone (connection/channel closed, or a hook failed): tear down, retry. */
  private lose(generation: number, err: unknown): void {
    if (generation !== this.generation || !this.running) return;
    this.generation++;
    const session = this.session;
    this.session = null;
    if (session) {
      session.controller.abort();
      void closeQuietly(session.publishConnection);
      void closeQuietly(session.consumeConnection);
    }
    const settings = this.settings;
    const diagnosis =
      err instanceof SetupError
        ? setupDiagnosis(err)
        : diagnoseError(err, { ...contextOf(settings), wasConnected: true });
    this.log.warn('broker connection lost', { url: displayUrl(settings), reason: diagnosis.code });
    this.scheduleRetry(diagnosis);
  }

  private scheduleRetry(diagnosis: BrokerDiagnosis): void {
    if (!this.running) return;
    this.failures++;
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures - 1, 30));
    const delay = Math.round(this.random() * ceiling);
    const now = this.now();
    // Say it in words once per distinct problem (warn), then keep retries quiet (debug).
    const newProblem = this.status.state !== 'disconnected' || this.status.reason !== diagnosis.code;
    this.setStatus({
      ...this.status,
      state: 'disconnected',
      reason: diagnosis.code,
      reasonText: diagnosis.message,
      detail: diagnosis.detail ?? null,
      attempts: this.failures,
      nextRetryAt: now + delay,
      since: now,
    });
    if (newProblem)
      this.log.warn(`broker: ${diagnosis.message}`, { reason: diagnosis.code, detail: diagnosis.detail });
    this.log.debug('broker retry scheduled', {
      reason: diagnosis.code,
      detail: diagnosis.detail,
      attempt: this.failures,
      delayMs: delay,
    });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) void this.attempt();
    }, delay);
  }
}
