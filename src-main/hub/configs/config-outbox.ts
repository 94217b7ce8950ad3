/**
 * Durable outbox for configuration messages on their way to the broker.
 *
 * A configuration enters the outbox before anything is sent and leaves it only when the broker has
 * confirmed the publish (or, without a broker, when the agent has received it over the WebSocket).
 * The file survives broker outages and app restarts; on start-up everything in it is resent.
 * Latest wins: a new revision for an agent replaces an older one still waiting in the outbox, so an
 * agent that was away for a week receives one message, the newest.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentConfigSchema, type ConfigMessage } from '../../../src-shared';
import type { Logger } from '../logger';
import { readJsonFile, writeJsonFileAtomic } from '../store/json-file';

const EntrySchema = z.object({
  messageId: z.string(),
  agentId: z.string(),
  revision: z.number().int().positive(),
  issuedAt: z.number().int(),
  config: AgentConfigSchema,
  attempts: z.number().int().nonnegative(),
});
export type OutboxEntry = z.infer<typeof EntrySchema>;

const FileSchema = z.object({
  version: z.literal(1),
  entries: z.array(EntrySchema),
});

export class ConfigOutbox {
  private readonly file: string;
  private entries: OutboxEntry[];
  private readonly listeners = new Set<() => void>();
  private readonly confirmedListeners = new Set<(entry: OutboxEntry) => void>();

  constructor(dataDir: string, logger?: Logger) {
    this.file = join(dataDir, 'config-outbox.json');
    const data = readJsonFile(this.file, FileSchema, () => ({ version: 1 as const, entries: [] }), logger);
    this.entries = data.entries;
  }

  /** Queue an agent's configuration revision durably (it replaces an older one still waiting). */
  enqueue(agentId: string, revision: number, config: Record<string, unknown>, now = Date.now()): OutboxEntry {
    const entry: OutboxEntry = {
      messageId: randomUUID(),
      agentId,
      revision,
      issuedAt: now,
      config,
      attempts: 0,
    };
    this.entries = this.entries.filter((e) => e.agentId !== agentId);
    this.entries.push(entry);
    this.persist();
    return entry;
  }

  /** Remove an entry once the broker confirmed it. Ignores superseded entries. */
  remove(messageId: string): boolean {
    const entry = this.entries.find((e) => e.messageId === messageId);
    if (!entry) return false;
    this.entries = this.entries.filter((e) => e !== entry);
    this.persist();
    for (const listener of this.confirmedListeners) listener(entry);
    return true;
  }

  /** Called with each entry the broker confirmed. */
  onConfirmed(listener: (entry: OutboxEntry) => void): () => void {
    this.confirmedListeners.add(listener);
    return () => this.confirmedListeners.delete(listener);
  }

  markAttempt(messageId: string): void {
    const entry = this.entries.find((e) => e.messageId === messageId);
    if (entry) entry.attempts++;
  }

  pending(): OutboxEntry[] {
    return [...this.entries];
  }

  has(messageId: string): boolean {
    return this.entries.some((e) => e.messageId === messageId);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Agents with a configuration waiting (their queues must exist). */
  knownAgents(): string[] {
    return [...new Set(this.entries.map((e) => e.agentId))];
  }

  /** Called after every change (enqueue/remove), e.g. to update the console's outbox count. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private persist(): void {
    writeJsonFileAtomic(this.file, { version: 1, entries: this.entries });
    for (const listener of this.listeners) listener();
  }
}

export function toConfigMessage(entry: OutboxEntry): ConfigMessage {
  return {
    type: 'config',
    agentId: entry.agentId,
    revision: entry.revision,
    issuedAt: entry.issuedAt,
    config: entry.config,
  };
}
