/**
 * ConfigConsumer: consumes each agent's configuration queue and carries out ConfigApplier's decisions.
 *
 * On every broker session (BrokerLink.onReady): one channel, the commands exchange asserted (direct,
 * durable), and for each agent its queue asserted with exactly the hub's arguments (durable,
 * x-max-length, x-overflow from the contract — anything else is PRECONDITION_FAILED), bound with
 * routing key = agent id, consumed with manual acks and prefetch 1 per consumer. One channel serves
 * any number of agents (the simulator's fleet), so 50 or 1 000 simulated agents cost one channel.
 *
 * Per delivery: invalid → nack without requeue; older → ack; applied/rejected → ack, then announce
 * (client revision + heartbeat), then a `config.report` through the EventPublisher (confirm channel,
 * retried across outages); a first store failure → nack with requeue.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { Topology } from '../src-shared/broker-protocol';
import { asError, maskSecrets, type AgentTopologyNames, type BrokerLink } from './broker-link';
import type { ConfigApplier, ConfigDecision } from './config-apply';
import type { EventPublisher } from './event-publisher';

export interface ConfigConsumerOptions {
  names: AgentTopologyNames;
  log?: (line: string) => void;
  /** Called after each delivery was settled (tests, summaries). */
  onDecision?: (agentId: string, decision: ConfigDecision) => void;
}

export interface ConfigConsumerCounters {
  applied: number;
  rejected: number;
  ignored: number;
  deadLettered: number;
  requeued: number;
}

/** Queue arguments exactly as the hub declares them (src-main/hub/broker/topology.ts declareAgentQueue). */
export const AGENT_QUEUE_OPTIONS = {
  durable: true,
  arguments: { 'x-max-length': Topology.agentQueueMaxLength, 'x-overflow': Topology.agentQueueOverflow },
} as const;

/** Queues declared concurrently per batch when a session starts (RPCs pipeline on one channel). */
const DECLARE_BATCH = 100;

export class ConfigConsumer {
  readonly counters: ConfigConsumerCounters = {
    applied: 0,
    rejected: 0,
    ignored: 0,
    deadLettered: 0,
    requeued: 0,
  };
  private detach?: () => void;
  private readonly log: (line: string) => void;

  constructor(
    private readonly link: BrokerLink,
    private readonly publisher: EventPublisher,
    private readonly appliers: readonly ConfigApplier[],
    private readonly options: ConfigConsumerOptions,
  ) {
    this.log = options.log ?? (() => undefined);
  }

  /** Subscribe on every session of the link. Call before `link.start()`. */
  start(): void {
    this.detach ??= this.link.onReady(async (session) => {
      const { names } = this.options;
      const channel = await session.channel();
      await channel.assertExchange(names.commandsExchange, 'direct', { durable: true });
      await channel.prefetch(1); // per consumer
      for (let i = 0; i < this.appliers.length; i += DECLARE_BATCH) {
        await Promise.all(
          this.appliers.slice(i, i + DECLARE_BATCH).map(async (applier) => {
            const queue = names.agentQueue(applier.agentId);
            await channel.assertQueue(queue, AGENT_QUEUE_OPTIONS);
            await channel.bindQueue(queue, names.commandsExchange, applier.agentId);
            await channel.consume(
              queue,
              (msg) => {
                if (!msg) {
                  session.fail(new Error(`the broker cancelled the consumer of ${queue}`));
                  return;
                }
                void this.onMessage(channel, applier, msg);
              },
              { noAck: false },
            );
          }),
        );
      }
    });
  }

  stop(): void {
    this.detach?.();
    this.detach = undefined;
  }

  private async onMessage(channel: Channel, applier: ConfigApplier, msg: ConsumeMessage): Promise<void> {
    const decision = await applier.handle(msg.content);
    const id = applier.agentId;
    switch (decision.action) {
      case 'reject':
        this.counters.deadLettered++;
        this.log(`config message for ${id} rejected (not requeued): ${decision.reason}`);
        this.settle(channel, msg, 'reject');
        break;
      case 'requeue':
        this.counters.requeued++;
        this.log(
          `config revision ${decision.revision} for ${id}: ${decision.reason}; requeued for one more try`,
        );
        this.settle(channel, msg, 'requeue');
        break;
      case 'ack':
        this.settle(channel, msg, 'ack');
        if (decision.outcome === 'ignored') {
          this.counters.ignored++;
          this.log(`config for ${id}: ${decision.reason}`);
        } else if (decision.outcome === 'applied') {
          this.counters.applied++;
          this.log(`config revision ${decision.revision} applied for ${id}`);
          applier.announce(decision.state);
          void this.publisher.publish(decision.report);
        } else {
          this.counters.rejected++;
          this.log(`config revision ${decision.revision} rejected for ${id}: ${decision.reason}`);
          void this.publisher.publish(decision.report);
        }
        break;
    }
    try {
      this.options.onDecision?.(id, decision);
    } catch {
      // observers must not break consumption
    }
  }

  private settle(channel: Channel, msg: ConsumeMessage, action: 'ack' | 'reject' | 'requeue'): void {
    try {
      if (action === 'ack') channel.ack(msg);
      else channel.nack(msg, false, action === 'requeue');
    } catch (error) {
      // The channel is gone; RabbitMQ redelivers the message on the next session (revision check makes it harmless).
      this.log(`could not settle a config delivery: ${maskSecrets(asError(error).message)}`);
    }
  }
}
