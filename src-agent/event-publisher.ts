/**
 * EventPublisher: sends agent events (job events, config reports) to the events exchange through a
 * confirm channel, with a small in-memory retry queue.
 *
 * - Persistent, `application/json`, messageId = eventId, type = the event's type, headers
 *   `x-agent-id` and `x-protocol`, routing key `agent.<agentId>.job` / `agent.<agentId>.config`.
 * - An event leaves the queue only when RabbitMQ confirms it. Published during an outage, nacked, or
 *   lost with its channel, it is sent again on the next session with the same eventId (the hub
 *   de-duplicates by eventId), so duplicates are possible, losses are not — as long as the process lives.
 * - The queue is bounded (`maxQueued`, default 10 000): beyond it the oldest events are dropped and logged.
 */
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import {
  BROKER_PROTOCOL_VERSION,
  Headers,
  Topology,
  type AgentEvent,
  type ConfigReport,
  type JobEvent,
} from '../src-shared/broker-protocol';
import {
  asError,
  maskSecrets,
  type AgentTopologyNames,
  type BrokerLink,
  type LinkSession,
} from './broker-link';

export interface EventPublisherOptions {
  names: AgentTopologyNames;
  log?: (line: string) => void;
  /** Events kept while the broker is unreachable. Default 10 000. */
  maxQueued?: number;
  /** Wait before resending events the broker nacked. Default 2 000 ms. */
  retryMs?: number;
}

interface Pending {
  event: AgentEvent;
  body: Buffer;
  routingKey: string;
  inFlight: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class EventPublisher {
  private readonly queue = new Map<string, Pending>();
  private readonly log: (line: string) => void;
  private readonly maxQueued: number;
  private readonly retryMs: number;
  private channel?: { session: LinkSession; channel: ConfirmChannel };
  private flushing = false;
  private again = false;
  private retryTimer?: NodeJS.Timeout;
  private detach?: () => void;
  private readonly idleWaiters = new Set<() => void>();
  /** Counters for tests and summaries. */
  readonly counters = { confirmed: 0, nacked: 0, dropped: 0, resent: 0 };

  constructor(
    private readonly link: BrokerLink,
    private readonly options: EventPublisherOptions,
  ) {
    this.log = options.log ?? (() => undefined);
    this.maxQueued = options.maxQueued ?? 10_000;
    this.retryMs = options.retryMs ?? 2_000;
  }

  /** Starts publishing on every session of the link. Call before `link.start()`. */
  start(): void {
    this.detach ??= this.link.onReady(async (session) => {
      const channel = await session.confirmChannel();
      // Same arguments as the hub (topic, durable): publishing to a missing exchange would close the channel.
      await channel.assertExchange(this.options.names.eventsExchange, 'topic', { durable: true });
      this.channel = { session, channel };
      session.signal.addEventListener('abort', () => {
        if (this.channel?.session === session) this.channel = undefined;
        for (const p of this.queue.values()) p.inFlight = false;
      });
      setImmediate(() => this.kick());
    });
  }

  /** Events not yet confirmed. */
  get pending(): number {
    return this.queue.size;
  }

  /** Queue an event; the promise resolves when the broker confirmed it (it never needs to be awaited). */
  publish(event: AgentEvent): Promise<void> {
    const routingKey =
      event.type === 'job'
        ? Topology.jobRoutingKey(event.agentId)
        : Topology.configReportRoutingKey(event.agentId);
    const promise = new Promise<void>((resolve, reject) => {
      const existing = this.queue.get(event.eventId);
      if (existing) {
        existing.resolve = chain(existing.resolve, resolve);
        existing.reject = chainErr(existing.reject, reject);
        return;
      }
      this.queue.set(event.eventId, {
        event,
        body: Buffer.from(JSON.stringify(event)),
        routingKey,
        inFlight: false,
        resolve,
        reject,
      });
    });
    promise.catch(() => undefined); // callers may ignore it
    while (this.queue.size > this.maxQueued) {
      const [oldestId, oldest] = this.queue.entries().next().value as [string, Pending];
      this.queue.delete(oldestId);
      this.counters.dropped++;
      this.log(`event queue full: dropped ${oldest.event.type} event ${oldestId}`);
      oldest.reject(new Error('dropped: event queue full'));
    }
    this.kick();
    return promise;
  }

  /** Resolves true when every queued event is confirmed, false after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.queue.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(ok);
      };
      const onIdle = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  stop(): void {
    this.detach?.();
    this.detach = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.channel = undefined;
  }

  private kick(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    void this.flush()
      .catch((error: unknown) => this.log(`event publish failed: ${maskSecrets(asError(error).message)}`))
      .finally(() => {
        this.flushing = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async flush(): Promise<void> {
    const live = this.channel;
    if (!live || live.session.signal.aborted) return;
    for (const p of [...this.queue.values()]) {
      if (live.session.signal.aborted || this.channel !== live) return;
      if (p.inFlight || !this.queue.has(p.event.eventId)) continue;
      p.inFlight = true;
      const writable = this.send(live, p);
      if (!writable) await waitDrain(live);
    }
  }

  private send(live: { session: LinkSession; channel: ConfirmChannel }, p: Pending): boolean {
    const { event } = p;
    const done = (error: unknown): void => {
      if (this.queue.get(event.eventId) !== p) return;
      if (error) {
        p.inFlight = false;
        if (live.session.signal.aborted) return; // resent on the next session
        this.counters.nacked++;
        this.scheduleRetry();
        return;
      }
      this.queue.delete(event.eventId);
      this.counters.confirmed++;
      p.resolve();
      if (this.queue.size === 0) for (const waiter of [...this.idleWaiters]) waiter();
    };
    try {
      return live.channel.publish(
        this.options.names.eventsExchange,
        p.routingKey,
        p.body,
        {
          persistent: true,
          contentType: 'application/json',
          messageId: event.eventId,
          type: event.type,
          timestamp: Math.floor(event.ts / 1000),
          headers: { [Headers.agentId]: event.agentId, [Headers.protocol]: BROKER_PROTOCOL_VERSION },
        },
        (err) => done(err),
      );
    } catch (error) {
      // Channel closed under us: the session ends and the event is resent on the next one.
      p.inFlight = false;
      this.log(`event publish interrupted: ${maskSecrets(asError(error).message)}`);
      return true;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.retryMs);
  }
}

function waitDrain(live: { session: LinkSession; channel: ConfirmChannel }): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      live.channel.off('drain', finish);
      live.session.signal.removeEventListener('abort', finish);
      resolve();
    };
    live.channel.once('drain', finish);
    live.session.signal.addEventListener('abort', finish, { once: true });
  });
}

function chain(a: () => void, b: () => void): () => void {
  return () => {
    a();
    b();
  };
}
function chainErr(a: (e: Error) => void, b: (e: Error) => void): (e: Error) => void {
  return (e) => {
    a(e);
    b(e);
  };
}

// ---- event builders --------------------------------------------------------------------------------

export function newEventId(): string {
  return randomUUID();
}

export function configReport(
  agentId: string,
  revision: number,
  status: ConfigReport['status'],
  error?: string,
): ConfigReport {
  return {
    type: 'config.report',
    eventId: newEventId(),
    agentId,
    revision,
    status,
    ...(error !== undefined ? { error: error.slice(0, 2000) } : {}),
    ts: Date.now(),
  };
}

export function jobEvent(fields: Omit<JobEvent, 'type' | 'eventId' | 'ts'> & { ts?: number }): JobEvent {
  return { type: 'job', eventId: newEventId(), ...fields, ts: fields.ts ?? Date.now() };
}
