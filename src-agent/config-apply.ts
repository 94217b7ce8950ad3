/**
 * Applying configuration messages (src-shared/broker-protocol.ts ConfigMessageSchema) on an agent.
 *
 * `ConfigApplier.handle(body)` decides what happens to one delivery; the consumer (config-consumer.ts)
 * carries the decision out (ack / reject / requeue, then the report):
 *
 *   not JSON, fails the schema, too large, names another agent → reject without requeue (dead letter)
 *   revision ≤ the one we run (or one we already rejected)      → ack, ignored: latest wins
 *   the validator refuses it                                    → ack, report `rejected` with the reason
 *   stored (file written atomically / kept in memory)           → ack, report `applied`, onApplied()
 *   storing failed the first time                               → requeue (one more try)
 *   storing failed again                                        → ack, report `rejected` with the error
 *
 * The default validator refuses a config with `"reject": true` or a string `"rejectReason"`, so tests
 * and demos can make an agent refuse a configuration on purpose.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeZodError } from '../src-shared/agent-protocol';
import {
  ConfigMessageSchema,
  MAX_BROKER_MESSAGE_BYTES,
  type AgentConfig,
  type ConfigMessage,
  type ConfigReport,
} from '../src-shared/broker-protocol';
import { configReport } from './event-publisher';

/** What the agent keeps about the configuration it runs (`config.json`). */
export interface StoredConfig {
  revision: number;
  /** When this agent applied it, ms since epoch. */
  appliedAt: number;
  config: AgentConfig;
}

export interface ConfigStore {
  /** Persist the configuration now in force. Throws when it cannot. */
  save(state: StoredConfig): Promise<void>;
}

/** Returns why the configuration is refused, or null to accept it. */
export type ConfigValidator = (
  config: AgentConfig,
  message: ConfigMessage,
) => string | null | Promise<string | null>;

/** Refuses `{"reject": true}` and `{"rejectReason": "…"}`; accepts everything else. */
export const defaultConfigValidator: ConfigValidator = (config) => {
  if (typeof config.rejectReason === 'string') return config.rejectReason.slice(0, 2000) || 'rejected';
  if (config.reject === true) return 'configuration refused by the agent ("reject": true)';
  return null;
};

/** Keeps the configuration in memory only (simulated agents). */
export class MemoryConfigStore implements ConfigStore {
  current: StoredConfig | null = null;
  save(state: StoredConfig): Promise<void> {
    this.current = state;
    return Promise.resolve();
  }
}

/** `{revision, appliedAt, config}` as JSON in one file, replaced atomically (temp file, fsync, rename). */
export class FileConfigStore implements ConfigStore {
  constructor(readonly file: string) {}

  /** The stored configuration, null when there is none; throws a readable Error when the file is unusable. */
  load(): StoredConfig | null {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`cannot read ${this.file}: ${(error as Error).message}`);
    }
    return parseStoredConfig(text, this.file);
  }

  async save(state: StoredConfig): Promise<void> {
    const dir = dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      // 0600: a configuration may hold secrets.
      const handle = await open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.file);
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw error;
    }
    // Make the rename itself durable (best effort: not every platform can fsync a directory).
    try {
      const d = await open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // ignore
    }
  }
}

export function parseStoredConfig(text: string, where = 'config file'): StoredConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not valid JSON`);
  }
  const o = json as Partial<StoredConfig> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    !Number.isInteger(o.revision) ||
    (o.revision as number) < 0 ||
    typeof o.config !== 'object' ||
    o.config === null ||
    Array.isArray(o.config)
  ) {
    throw new Error(`${where} does not hold {revision, appliedAt, config}`);
  }
  return {
    revision: o.revision as number,
    appliedAt: typeof o.appliedAt === 'number' ? o.appliedAt : 0,
    config: o.config,
  };
}

export type ConfigDecision =
  | { action: 'reject'; reason: string }
  | { action: 'ack'; outcome: 'ignored'; revision: number; reason: string }
  | { action: 'ack'; outcome: 'applied'; revision: number; report: ConfigReport; state: StoredConfig }
  | { action: 'ack'; outcome: 'rejected'; revision: number; report: ConfigReport; reason: string }
  | { action: 'requeue'; revision: number; reason: string };

export interface ConfigApplierOptions {
  agentId: string;
  store: ConfigStore;
  /** Revision in force at start (from the stored file). Default 0. */
  initial?: StoredConfig | null;
  validate?: ConfigValidator;
  /** Called (by the consumer, through announce()) after a stored configuration was acked. */
  onApplied?: (state: StoredConfig) => void;
}

export class ConfigApplier {
  readonly agentId: string;
  private currentValue: StoredConfig | null;
  /** Highest revision we refused: an older one arriving later must not be applied either. */
  private rejectedUpTo = 0;
  private readonly writeFailures = new Map<number, number>();
  private readonly validate: ConfigValidator;

  constructor(private readonly options: ConfigApplierOptions) {
    this.agentId = options.agentId;
    this.currentValue = options.initial ?? null;
    this.validate = options.validate ?? defaultConfigValidator;
  }

  /** Revision in force (0 = none). */
  get revision(): number {
    return this.currentValue?.revision ?? 0;
  }

  get current(): StoredConfig | null {
    return this.currentValue;
  }

  /** Decide and apply one delivery. Never throws. */
  async handle(body: Buffer): Promise<ConfigDecision> {
    if (body.length > MAX_BROKER_MESSAGE_BYTES) {
      return {
        action: 'reject',
        reason: `message of ${body.length} bytes exceeds ${MAX_BROKER_MESSAGE_BYTES}`,
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return { action: 'reject', reason: 'body is not valid JSON' };
    }
    const parsed = ConfigMessageSchema.safeParse(json);
    if (!parsed.success)
      return { action: 'reject', reason: `invalid config message: ${describeZodError(parsed.error)}` };
    const message = parsed.data;
    if (message.agentId !== this.agentId) {
      return { action: 'reject', reason: `config message is for agent "${message.agentId}"` };
    }
    const { revision } = message;
    const floor = Math.max(this.revision, this.rejectedUpTo);
    if (revision <= floor) {
      return {
        action: 'ack',
        outcome: 'ignored',
        revision,
        reason: `revision ${revision} is not newer than ${floor}; ignored`,
      };
    }

    let refusal: string | null;
    try {
      refusal = await this.validate(message.config, message);
    } catch (error) {
      refusal = `validator failed: ${(error as Error).message}`;
    }
    if (refusal !== null) {
      this.rejectedUpTo = revision;
      return {
        action: 'ack',
        outcome: 'rejected',
        revision,
        reason: refusal,
        report: configReport(this.agentId, revision, 'rejected', refusal),
      };
    }

    const state: StoredConfig = { revision, appliedAt: Date.now(), config: message.config };
    try {
      await this.options.store.save(state);
    } catch (error) {
      const why = `cannot store the configuration: ${(error as Error).message}`;
      const failures = (this.writeFailures.get(revision) ?? 0) + 1;
      this.writeFailures.set(revision, failures);
      if (failures < 2) return { action: 'requeue', revision, reason: why };
      this.writeFailures.delete(revision);
      this.rejectedUpTo = revision;
      return {
        action: 'ack',
        outcome: 'rejected',
        revision,
        reason: why,
        report: configReport(this.agentId, revision, 'rejected', why),
      };
    }
    this.writeFailures.clear();
    this.currentValue = state;
    return {
      action: 'ack',
      outcome: 'applied',
      revision,
      state,
      report: configReport(this.agentId, revision, 'applied'),
    };
  }

  /** Tell the owner (WebSocket client: revision + heartbeat) about an applied configuration; called after the ack. */
  announce(state: StoredConfig): void {
    try {
      this.options.onApplied?.(state);
    } catch {
      // a listener must not undo an applied configuration
    }
  }
}
