/**
 * Test fixture for the agent's RabbitMQ side, against a real broker (test/helpers/broker.ts).
 * Each fixture has its own topology prefix (hub's `topologyNames(prefix)`), declares the hub's side of
 * the topology exactly as the hub does (events exchange + hub queue + DLX, commands exchange, per-agent
 * queues), publishes configurations the way ConfigPublisher does, and records every agent event the
 * hub's queue receives. Not a test file itself: integration tests import it.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type MessageProperties } from 'amqplib';
import { BROKER_PROTOCOL_VERSION, Headers, type AgentEvent } from '../../../src-shared/broker-protocol';
import { parseAgentEvent } from '../../../src-main/hub/broker/job-events-consumer';
import {
  declareAgentQueue,
  declareCommandsExchange,
  declareEventsTopology,
  topologyNames,
  type TopologyNames,
} from '../../../src-main/hub/broker/topology';

export interface RecordedEvent {
  event: AgentEvent;
  routingKey: string;
  properties: MessageProperties;
}

export class BrokerFixture {
  readonly prefix = `t-${randomUUID().slice(0, 8)}`;
  readonly names: TopologyNames = topologyNames(this.prefix);
  readonly events: RecordedEvent[] = [];
  /** Bodies the hub's queue received that are not valid agent events. */
  readonly invalidEvents: string[] = [];
  private conn!: ChannelModel;
  private ch!: Channel;
  private pub!: ConfirmChannel;
  private readonly agentQueues = new Set<string>();

  constructor(readonly url: string) {}

  async open(): Promise<this> {
    this.conn = await amqp.connect(this.url);
    this.conn.on('error', () => undefined);
    this.ch = await this.conn.createChannel();
    this.ch.on('error', () => undefined);
    this.pub = await this.conn.createConfirmChannel();
    this.pub.on('error', () => undefined);
    await declareEventsTopology(this.ch, this.names);
    await declareCommandsExchange(this.ch, this.names);
    await this.ch.consume(
      this.names.hubEventsQueue,
      (msg) => {
        if (!msg) return;
        const parsed = parseAgentEvent(msg);
        if (parsed.ok)
          this.events.push({
            event: parsed.event,
            routingKey: msg.fields.routingKey,
            properties: msg.properties,
          });
        else this.invalidEvents.push(msg.content.toString());
        this.ch.ack(msg);
      },
      { noAck: false },
    );
    return this;
  }

  /** Declare agent queues as the hub does when agents are registered. */
  async declareAgents(...agentIds: string[]): Promise<void> {
    for (const id of agentIds) this.agentQueues.add(await declareAgentQueue(this.ch, this.names, id));
  }

  /** Publish a configuration like ConfigPublisher (persistent JSON, messageId, type, headers). */
  publishConfig(agentId: string, revision: number, config: Record<string, unknown> = {}): Promise<void> {
    const body = { type: 'config', agentId, revision, issuedAt: Date.now(), config };
    return this.publishRaw(agentId, Buffer.from(JSON.stringify(body)));
  }

  publishRaw(agentId: string, body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pub.publish(
        this.names.commandsExchange,
        agentId,
        body,
        {
          persistent: true,
          contentType: 'application/json',
          messageId: randomUUID(),
          type: 'config',
          headers: { [Headers.agentId]: agentId, [Headers.protocol]: BROKER_PROTOCOL_VERSION },
        },
        (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
      );
    });
  }

  /** Ready messages in a queue (unacked deliveries are not counted). */
  async depth(queue: string): Promise<number> {
    return (await this.ch.checkQueue(queue)).messageCount;
  }

  async consumerCount(queue: string): Promise<number> {
    return (await this.ch.checkQueue(queue)).consumerCount;
  }

  /** Events of one type/agent, in arrival order. */
  eventsOf<T extends AgentEvent['type']>(type: T, agentId?: string): Extract<AgentEvent, { type: T }>[] {
    return this.events
      .map((e) => e.event)
      .filter(
        (e): e is Extract<AgentEvent, { type: T }> =>
          e.type === type && (agentId === undefined || e.agentId === agentId),
      );
  }

  async close(): Promise<void> {
    try {
      for (const q of this.agentQueues) await this.ch.deleteQueue(q);
      await this.ch.deleteQueue(this.names.hubEventsQueue);
      await this.ch.deleteQueue(this.names.deadLetterQueue);
      await this.ch.deleteExchange(this.names.eventsExchange);
      await this.ch.deleteExchange(this.names.commandsExchange);
      await this.ch.deleteExchange(this.names.deadLetterExchange);
    } finally {
      await this.conn.close().catch(() => undefined);
    }
  }
}

export function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
) {
  return new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const check = async (): Promise<void> => {
      try {
        if (await predicate()) return resolve();
      } catch {
        // not yet
      }
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(() => void check(), 25);
    };
    void check();
  });
}

/**
 * A TCP proxy in front of the broker, to simulate an outage without restarting it: `cut()` drops every
 * connection and refuses new ones, `restore()` accepts again.
 */
export class TcpProxy {
  private server!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      if (this.down) return client.destroy();
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** The broker URL through this proxy. */
  urlFor(brokerUrl: string): string {
    const u = new URL(brokerUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
