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
  /** One entry per agent (latest wins), in the order they were queued. */
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly byMessageId = new Map<string, OutboxEntry>();
  private dirty = false;
  private scheduled = false;
  private readonly listeners = new Set<() => void>();
  private readonly confirmedListeners = new Set<(entry: OutboxEntry) => void>();

  constructor(
    dataDir: string,
    private readonly logger?: Logger,
  ) {
    this.file = join(dataDir, 'config-outbox.json');
    const data = readJsonFile(this.file, FileSchema, () => ({ version: 1 as const, entries: [] }), logger);
    for (const entry of data.entries) this.put(entry);
  }

  /**
   * Queue an agent's configuration revision durably (it replaces an older one still waiting).
   * The file is written once per burst, in a microtask: a bulk change to 1,000 agents is one write,
   * not 1,000 growing rewrites. Listeners (the publisher) hear of it only after that write, so nothing
   * is published before it is on disk, and the write lands before the console request answers.
   */
  enqueue(agentId: string, revision: number, config: Record<string, unknown>, now = Date.now()): OutboxEntry {
    const entry: OutboxEntry = {
      messageId: randomUUID(),
      agentId,
      revision,
      issuedAt: now,
      config,
      attempts: 0,
    };
    this.put(entry);
    this.schedulePersist();
    return entry;
  }

  /** Remove an entry once the broker confirmed it. Ignores superseded entries. */
  remove(messageId: string): boolean {
    const entry = this.byMessageId.get(messageId);
    if (!entry) return false;
    this.byMessageId.delete(messageId);
    this.entries.delete(entry.agentId);
    // Written with the next burst: losing a removal in a crash only means one harmless resend
    // (agents ignore revisions they already run).
    this.schedulePersist();
    for (const listener of this.confirmedListeners) listener(entry);
    return true;
  }

  /** Called with each entry the broker confirmed. */
  onConfirmed(listener: (entry: OutboxEntry) => void): () => void {
    this.confirmedListeners.add(listener);
    return () => this.confirmedListeners.delete(listener);
  }

  markAttempt(messageId: string): void {
    const entry = this.byMessageId.get(messageId);
    if (entry) entry.attempts++;
  }

  pending(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  has(messageId: string): boolean {
    return this.byMessageId.has(messageId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Agents with a configuration waiting (their queues must exist). */
  knownAgents(): string[] {
    return [...this.entries.keys()];
  }

  /** Called after every change (enqueue/remove) once it is written, e.g. to update the console's count. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Write pending changes now (shutdown). */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    writeJsonFileAtomic(this.file, { version: 1, entries: this.pending() });
    for (const listener of this.listeners) listener();
  }

  private put(entry: OutboxEntry): void {
    const previous = this.entries.get(entry.agentId);
    if (previous) this.byMessageId.delete(previous.messageId);
    // delete + set: a replaced entry moves to the end, in queue order.
    this.entries.delete(entry.agentId);
    this.entries.set(entry.agentId, entry);
    this.byMessageId.set(entry.messageId, entry);
  }

  private schedulePersist(): void {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      try {
        this.flush();
      } catch (error) {
        // Disk full or read-only: keep the entries in memory and say so; the next change retries.
        this.dirty = true;
        this.logger?.error('could not write the configuration outbox', { error: String(error) });
      }
    });
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
