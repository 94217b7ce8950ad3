/** Small amqplib helpers for tests that play the agent's side of the broker. */
import amqp from 'amqplib';
import type { ConfigMessage } from '../../src-shared';

/** Every message waiting in a queue (consumed and acked), parsed as configuration messages. */
export async function drainQueue<T = ConfigMessage>(
  url: string,
  queue: string,
  parse: (raw: string) => T = (raw) => JSON.parse(raw) as T,
): Promise<T[]> {
  const conn = await amqp.connect(url);
  conn.on('error', () => {});
  try {
    const channel = await conn.createChannel();
    channel.on('error', () => {});
    const out: T[] = [];
    for (;;) {
      const msg = await channel.get(queue, { noAck: false });
      if (!msg) break;
      out.push(parse(msg.content.toString()));
      channel.ack(msg);
    }
    await channel.close();
    return out;
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Publish raw bytes to an exchange (for duplicate and malformed event tests). */
export async function publishRaw(
  url: string,
  exchange: string,
  routingKey: string,
  body: Buffer | object,
): Promise<void> {
  const conn = await amqp.connect(url);
  conn.on('error', () => {});
  try {
    const channel = await conn.createConfirmChannel();
    const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    channel.publish(exchange, routingKey, content, { persistent: true, contentType: 'application/json' });
    await channel.waitForConfirms();
    await channel.close();
  } finally {
    await conn.close().catch(() => undefined);
  }
}
