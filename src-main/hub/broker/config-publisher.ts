/**
 * Publishes configuration changes from the durable ConfigOutbox (src-main/hub/configs) to each agent's
 * durable queue, and removes an entry from the outbox only when RabbitMQ has confirmed it.
 *
 * - Publish connection, ConfirmChannel, persistent messages, `application/json`, messageId = outbox id.
 * - The agent queue is declared (idempotently) before the first publish to it in a session, so a change
 *   for an agent that never connected waits in its queue.
 * - Broker down / blocked / channel lost: entries simply stay in the outbox; every new session flushes it.
 *   A nack (e.g. a queue with `reject-publish` overflow) keeps the entry and retries after `retryMs`.
 * - Resending after a lost confirm can deliver a revision twice; agents ignore revisions ≤ theirs.
 */
import type { ConfirmChannel } from 'amqplib';
import { BROKER_PROTOCOL_VERSION, Headers } from '../../../src-shared';
import { toConfigMessage, type ConfigOutbox, type OutboxEntry } from '../configs/config-outbox';
import { silentLogger, type Logger } from '../logger';
import type { BrokerConnection, BrokerSession } from './connection-manager';
import { declareAgentQueue, declareCommandsExchange, topologyNames, type TopologyNames } from './topology';

export interface ConfigPublisherOptions {
  names?: TopologyNames;
  logger?: Logger;
  /** Wait before retrying entries the broker nacked. Default 5 s. */
  retryMs?: number;
  /** Agents whose queues should exist even with nothing to send (registered agents), declared on every session. */
  knownAgents?: () => Iterable<string>;
  /** Unconfirmed publishes in flight at most. Default 256. */
  window?: number;
}

interface Live {
  session: BrokerSession;
  channel: ConfirmChannel;
  declared: Set<string>;
}

export class ConfigPublisher {
  private readonly names: TopologyNames;
  private readonly log: Logger;
  private readonly retryMs: number;
  private readonly window: number;
  private live: Live | null = null;
  private flushing = false;
  private again = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<string>();
  private readonly detachers: (() => void)[] = [];
  /** Confirmed publishes since start (for tests and the console). */
  confirmed = 0;
  lastError: string | null = null;

  constructor(
    private readonly connection: BrokerConnection,
    private readonly outbox: ConfigOutbox,
    private readonly options: ConfigPublisherOptions = {},
  ) {
    this.names = options.names ?? topologyNames();
    this.log = options.logger ?? silentLogger;
    this.retryMs = options.retryMs ?? 5_000;
    this.window = options.window ?? 256;
  }

  start(): void {
    this.detachers.push(
      this.connection.onReady('config-publisher', async (session) => {
        const channel = await session.publishChannel('config');
        await declareCommandsExchange(channel, this.names);
        const declared = new Set<string>();
        for (const agentId of this.options.knownAgents?.() ?? []) {
          await declareAgentQueue(channel, this.names, agentId);
          declared.add(agentId);
        }
        this.live = { session, channel, declared };
        session.signal.addEventListener('abort', () => {
          if (this.live?.session === session) this.live = null;
        });
        // Flush after setup completes (outside the hook) so a large backlog does not delay "connected".
        setImmediate(() => this.kick());
      }),
      this.outbox.onChange(() => this.kick()),
    );
  }

  stop(): void {
    for (const detach of this.detachers.splice(0)) detach();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.live = null;
  }

  /** Declare an agent's queue now (agent registered); when offline it happens on the next session. */
  async registerAgent(agentId: string): Promise<void> {
    const live = this.live;
    if (!live || live.declared.has(agentId)) return;
    await declareAgentQueue(live.channel, this.names, agentId);
    live.declared.add(agentId);
  }

  /** The agent's queue was deleted (revoked): declare it again if the agent ever registers again. */
  forgetAgent(agentId: string): void {
    this.live?.declared.delete(agentId);
  }

  /** Publish whatever is pending. Safe to call any time; concurrent calls coalesce. */
  kick(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    void this.flush().finally(() => {
      this.flushing = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async flush(): Promise<void> {
    const live = this.live;
    if (!live || live.session.signal.aborted) return;
    const todo = this.outbox.pending().filter((e) => !this.inFlight.has(e.messageId));
    let nacked = false;
    const pending = new Set<Promise<void>>();
    for (const entry of todo) {
      if (live.session.signal.aborted) break;
      while (pending.size >= this.window) await Promise.race(pending);
      try {
        if (!live.declared.has(entry.agentId)) {
          await declareAgentQueue(live.channel, this.names, entry.agentId);
          live.declared.add(entry.agentId);
        }
        const confirm: Promise<void> = this.publish(live.channel, entry).then(
          () => {},
          () => {
            nacked = true;
          },
        );
        pending.add(confirm);
        void confirm.finally(() => pending.delete(confirm));
      } catch (err) {
        // Declaring failed: the channel is gone (the session recycles) — entries stay for the next one.
        this.lastError = (err as Error).message;
        this.log.warn('config publish interrupted', { agentId: entry.agentId, error: this.lastError });
        break;
      }
    }
    await Promise.all(pending);
    if (nacked && !live.session.signal.aborted) this.scheduleRetry();
  }

  private publish(channel: ConfirmChannel, entry: OutboxEntry): Promise<void> {
    this.inFlight.add(entry.messageId);
    this.outbox.markAttempt(entry.messageId);
    const body = Buffer.from(JSON.stringify(toConfigMessage(entry)));
    return new Promise<void>((resolve, reject) => {
      const done = (err: unknown) => {
        this.inFlight.delete(entry.messageId);
        if (err) {
          this.lastError = err instanceof Error ? err.message : String(err);
          this.log.warn('config publish not confirmed; kept in outbox', {
            agentId: entry.agentId,
            revision: entry.revision,
            error: this.lastError,
          });
          reject(err instanceof Error ? err : new Error(this.lastError));
          return;
        }
        this.confirmed++;
        this.outbox.remove(entry.messageId);
        this.log.debug('config confirmed', { agentId: entry.agentId, revision: entry.revision });
        resolve();
      };
      try {
        channel.publish(
          this.names.commandsExchange,
          entry.agentId,
          body,
          {
            persistent: true,
            contentType: 'application/json',
            messageId: entry.messageId,
            type: 'config',
            timestamp: Math.floor(entry.issuedAt / 1000),
            headers: { [Headers.agentId]: entry.agentId, [Headers.protocol]: BROKER_PROTOCOL_VERSION },
          },
          (err) => done(err),
        );
      } catch (err) {
        done(err ?? new Error('publish failed'));
      }
    });
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, this.retryMs);
  }
}
