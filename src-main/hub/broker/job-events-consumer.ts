/**
 * Consumes agent events (job events, config reports) from `centralizer.hub.events`.
 *
 * - Runs on the consume connection, from an `onReady` hook: declared and re-subscribed after every reconnect.
 * - Manual acks, prefetch `Topology.hubPrefetch` (200). A message is acked only after the handler returned.
 * - Malformed or off-contract messages (not JSON, fails the schema, too large, routing key naming another
 *   agent) are rejected without requeue, so RabbitMQ dead-letters them to `centralizer.hub.events.dead`.
 * - A handler that throws gets one more try (requeue); a redelivered message that fails again is dead-lettered,
 *   so one poison message cannot loop forever.
 * - Duplicates are normal (redeliveries, publisher retries): the handler must be idempotent; JobStore
 *   ignores an eventId it has seen.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { AgentEventSchema, describeZodError, MAX_BROKER_MESSAGE_BYTES, Topology } from '../../../src-shared';
import type { AgentEvent } from '../../../src-shared';
import { silentLogger, type Logger } from '../logger';
import type { BrokerConnection } from './connection-manager';
import { declareEventsTopology, topologyNames, type TopologyNames } from './topology';

export interface AgentEventInfo {
  routingKey: string;
  redelivered: boolean;
}

export interface JobEventsConsumerOptions {
  handle: (event: AgentEvent, info: AgentEventInfo) => void | Promise<void>;
  names?: TopologyNames;
  prefetch?: number;
  logger?: Logger;
  /** Called for every message sent to the dead-letter queue (for counters in the UI). */
  onDeadLetter?: (reason: string) => void;
}

export interface JobEventsCounters {
  acked: number;
  deadLettered: number;
  retried: number;
}

/** Agent id a routing key `agent.<agentId>.<kind>` names (agent ids may contain dots), or null. */
export function agentIdOfRoutingKey(routingKey: string): string | null {
  const m = /^agent\.(.+)\.[^.]+$/.exec(routingKey);
  return m ? m[1]! : null;
}

/** Parse one delivery; never throws. */
export function parseAgentEvent(
  msg: Pick<ConsumeMessage, 'content' | 'fields'>,
): { ok: true; event: AgentEvent } | { ok: false; reason: string } {
  if (msg.content.length > MAX_BROKER_MESSAGE_BYTES) {
    return {
      ok: false,
      reason: `message of ${msg.content.length} bytes exceeds ${MAX_BROKER_MESSAGE_BYTES}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(msg.content.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  const parsed = AgentEventSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error) };
  const keyAgent = agentIdOfRoutingKey(msg.fields.routingKey);
  if (keyAgent !== null && keyAgent !== parsed.data.agentId) {
    return {
      ok: false,
      reason: `routing key names agent "${keyAgent}" but the body "${parsed.data.agentId}"`,
    };
  }
  return { ok: true, event: parsed.data };
}

/**
 * Subscribe the hub to agent events over `connection`; returns a function that unregisters the hook
 * (the consumer itself ends with its session).
 */
export function attachJobEventsConsumer(
  connection: BrokerConnection,
  options: JobEventsConsumerOptions,
): { counters: JobEventsCounters; detach: () => void } {
  const names = options.names ?? topologyNames();
  const log = options.logger ?? silentLogger;
  const counters: JobEventsCounters = { acked: 0, deadLettered: 0, retried: 0 };

  const settle = (channel: Channel, msg: ConsumeMessage, action: 'ack' | 'requeue' | 'dead'): void => {
    try {
      if (action === 'ack') channel.ack(msg);
      else channel.nack(msg, false, action === 'requeue');
    } catch (err) {
      // The channel went away meanwhile; RabbitMQ will redeliver the message on the next session.
      log.debug('could not settle delivery (channel closed)', { error: (err as Error).message });
    }
  };

  const deadLetter = (channel: Channel, msg: ConsumeMessage, reason: string) => {
    counters.deadLettered++;
    log.warn('agent event dead-lettered', { routingKey: msg.fields.routingKey, reason });
    settle(channel, msg, 'dead');
    options.onDeadLetter?.(reason);
  };

  const onMessage = async (channel: Channel, msg: ConsumeMessage): Promise<void> => {
    const parsed = parseAgentEvent(msg);
    if (!parsed.ok) return deadLetter(channel, msg, parsed.reason);
    try {
      await options.handle(parsed.event, {
        routingKey: msg.fields.routingKey,
        redelivered: msg.fields.redelivered,
      });
    } catch (err) {
      const reason = `handler failed: ${(err as Error).message}`;
      if (msg.fields.redelivered) return deadLetter(channel, msg, reason);
      counters.retried++;
      log.warn('agent event handler failed; requeued once', { eventId: parsed.event.eventId, reason });
      return settle(channel, msg, 'requeue');
    }
    counters.acked++;
    settle(channel, msg, 'ack');
  };

  const detach = connection.onReady('job-events-consumer', async (session) => {
    const channel = await session.consumeChannel('hub-events');
    await declareEventsTopology(channel, names);
    await channel.prefetch(options.prefetch ?? Topology.hubPrefetch);
    await channel.consume(
      names.hubEventsQueue,
      (msg) => {
        if (msg === null) {
          // The broker cancelled us (queue deleted, node failover): rebuild the session and resubscribe.
          session.fail(new Error(`consumer on ${names.hubEventsQueue} was cancelled by the broker`));
          return;
        }
        void onMessage(channel, msg);
      },
      { noAck: false },
    );
    log.info('consuming agent events', { queue: names.hubEventsQueue });
  });
  return { counters, detach };
}
