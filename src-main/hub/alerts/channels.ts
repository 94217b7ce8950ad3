/**
 * Notification channels. Webhook header values are secrets (Authorization…): views carry
 * MASKED_SECRET instead, and a save that sends MASKED_SECRET back keeps the stored value, so a
 * console can edit a channel without ever seeing or re-typing its secrets.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { MASKED_SECRET, type Channel, type ChannelSchema } from '../../../src-shared';

export const MAX_CHANNELS = 50;

export type ChannelInput = z.output<typeof ChannelSchema>;

export class ChannelError extends Error {
  override name = 'ChannelError';
}

/** RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** No control characters (CR/LF would split the request; fetch would refuse it at send time). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Set by the HTTP client or by the hub itself. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'content-type',
]);

export function maskChannel(channel: Channel): Channel {
  if (channel.kind !== 'webhook') return { ...channel };
  const headers = Object.fromEntries(Object.keys(channel.headers).map((name) => [name, MASKED_SECRET]));
  return { ...channel, headers };
}

export class Channels {
  private channels: Channel[];

  constructor(
    initial: Channel[],
    private readonly onChange: () => void,
  ) {
    this.channels = [...initial];
  }

  all(): Channel[] {
    return [...this.channels];
  }

  get(id: string): Channel | undefined {
    return this.channels.find((c) => c.id === id);
  }

  /** Create (no id, or an id not used yet) or replace a channel. Throws ChannelError. */
  save(input: ChannelInput): Channel {
    const id = input.id ?? `ch-${randomBytes(4).toString('hex')}`;
    const existing = this.get(id);
    if (!existing && this.channels.length >= MAX_CHANNELS)
      throw new ChannelError(`at most ${MAX_CHANNELS} channels; delete one first`);
    const channel: Channel =
      input.kind === 'webhook'
        ? { ...input, id, headers: mergeHeaders(input.headers, existing) }
        : { ...input, id };
    this.channels = existing
      ? this.channels.map((c) => (c.id === id ? channel : c))
      : [...this.channels, channel];
    this.onChange();
    return channel;
  }

  delete(id: string): boolean {
    const before = this.channels.length;
    this.channels = this.channels.filter((c) => c.id !== id);
    if (this.channels.length === before) return false;
    this.onChange();
    return true;
  }
}

function mergeHeaders(input: Record<string, string>, existing: Channel | undefined): Record<string, string> {
  const stored = existing?.kind === 'webhook' ? existing.headers : {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    if (!HEADER_NAME.test(name))
      throw new ChannelError(`header name "${name}" is not a valid HTTP header name`);
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      throw new ChannelError(`header "${name}" is set by the hub and cannot be configured`);
    if (value === MASKED_SECRET) {
      const kept = stored[name];
      if (kept === undefined)
        throw new ChannelError(`header "${name}" has no stored value to keep; type its value`);
      headers[name] = kept;
      continue;
    }
    // The value is a secret: never echo it in the error.
    if (!HEADER_VALUE.test(value))
      throw new ChannelError(`header "${name}": the value contains characters not allowed in an HTTP header`);
    headers[name] = value;
  }
  return headers;
}
