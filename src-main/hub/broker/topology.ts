/**
 * Declares the RabbitMQ topology of the contract (src-shared/broker-protocol.ts `Topology`) on a channel.
 * Idempotent: the hub runs it after every (re)connect, from a BrokerConnection `onReady` hook.
 *
 *   agents ─▶ centralizer.events (topic) ─ "agent.#" ─▶ centralizer.hub.events (durable, manual ack,
 *             prefetch 200; x-dead-letter-exchange) ─ rejected ─▶ centralizer.dlx (fanout) ─▶ centralizer.hub.events.dead
 *   hub ───▶ centralizer.commands (direct) ─ routing key = agentId ─▶ centralizer.agent.<agentId>
 *             (durable, x-max-length + x-overflow from the contract)
 *
 * `topologyNames(prefix)` swaps the "centralizer" prefix so tests can share one broker without stealing
 * each other's messages; production uses the contract's names unchanged.
 */
import type { Channel } from 'amqplib';
import { Topology } from '../../../src-shared';

export interface TopologyNames {
  eventsExchange: string;
  hubEventsQueue: string;
  deadLetterExchange: string;
  deadLetterQueue: string;
  commandsExchange: string;
  agentQueue: (agentId: string) => string;
}

/** Dead letters are kept for inspection, bounded so a flood of garbage cannot fill the broker's disk. */
export const DEAD_LETTER_MAX_LENGTH = 10_000;
/** Binding of the hub's events queue: every agent event (`agent.<id>.job`, `agent.<id>.config`). */
export const HUB_EVENTS_BINDING = 'agent.#';

export function topologyNames(prefix?: string): TopologyNames {
  if (!prefix) {
    return {
      eventsExchange: Topology.eventsExchange,
      hubEventsQueue: Topology.hubEventsQueue,
      deadLetterExchange: Topology.deadLetterExchange,
      deadLetterQueue: Topology.deadLetterQueue,
      commandsExchange: Topology.commandsExchange,
      agentQueue: Topology.agentQueue,
    };
  }
  const swap = (name: string) => name.replace(/^centralizer\./, `${prefix}.`);
  return {
    eventsExchange: swap(Topology.eventsExchange),
    hubEventsQueue: swap(Topology.hubEventsQueue),
    deadLetterExchange: swap(Topology.deadLetterExchange),
    deadLetterQueue: swap(Topology.deadLetterQueue),
    commandsExchange: swap(Topology.commandsExchange),
    agentQueue: (agentId) => swap(Topology.agentQueue(agentId)),
  };
}

/** Events side: dead-letter exchange + queue, events exchange, hub queue dead-lettering into the DLX. */
export async function declareEventsTopology(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(names.deadLetterQueue, {
    durable: true,
    arguments: { 'x-max-length': DEAD_LETTER_MAX_LENGTH },
  });
  await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, '');
  await channel.assertExchange(names.eventsExchange, 'topic', { durable: true });
  await channel.assertQueue(names.hubEventsQueue, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': names.deadLetterExchange },
  });
  await channel.bindQueue(names.hubEventsQueue, names.eventsExchange, HUB_EVENTS_BINDING);
}

export async function declareCommandsExchange(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.commandsExchange, 'direct', { durable: true });
}

/**
 * The per-agent command queue, bound to the commands exchange with the agent id. Call it when an agent is
 * registered (so a change for an agent that never connected is kept) and before publishing to it.
 */
export async function declareAgentQueue(
  channel: Channel,
  names: TopologyNames,
  agentId: string,
): Promise<string> {
  const queue = names.agentQueue(agentId);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { 'x-max-length': Topology.agentQueueMaxLength, 'x-overflow': Topology.agentQueueOverflow },
  });
  await channel.bindQueue(queue, names.commandsExchange, agentId);
  return queue;
}
