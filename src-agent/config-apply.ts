/**
 * Applying configuration messages (src-shared/broker-protocol.ts ConfigMessageSchema) on an agent.
 *
 * One decision logic for both transports. `ConfigApplier.handle(body)` decides what happens to one
 * RabbitMQ delivery and the consumer (config-consumer.ts) carries it out (ack / reject / requeue, then
 * the report); `ConfigApplier.handleWs(frame)` decides on a `config` frame received over the WebSocket
 * and AgentClient carries it out (`config.report` on the socket). Calls are serialized per agent, so a
 * revision arriving over both paths at once is applied once and the other copy is "not newer".
 *
 *   not JSON, fails the schema, too large, names another agent → reject without requeue (dead letter);
 *     over the WebSocket, when the frame still has a usable revision newer than ours: `rejected`
 *     with that reason instead (there is no dead letter, and the hub's ledger must close)
 *   revision < the one we run (or one we already rejected)      → ack, ignored: latest wins
 *   revision = the one we run / the last one we refused         → ack, ignored, with `repeat`: the same
 *     report again (sent by the WebSocket path so the hub's ledger can close; the broker path only acks)
 *   the validator refuses it                                    → ack, report `rejected` with the reason
 *   stored (file written atomically / kept in memory)           → ack, report `applied`, onApplied()
 *   storing failed the first time                               → requeue (one more try; over the
 *     WebSocket the client retries at once)
 *   storing failed again                                        → ack, report `rejected` with the error
 *
 * The default validator refuses a config with `"reject": true` or a string `"rejectReason"`, so tests
 * and demos can make an agent refuse a configuration on purpose.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { WsConfigSchema, describeZodError } from '../src-shared/agent-protocol';
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
  | {
      action: 'ack';
      outcome: 'ignored';
      revision: number;
      reason: string;
      /** Set when the revision is the one in force (`applied`) or the last one refused: say so again. */
      repeat?: ConfigReport;
    }
  | { action: 'ack'; outcome: 'applied'; revision: number; report: ConfigReport; state: StoredConfig }
  | { action: 'ack'; outcome: 'rejected'; revision: number; report: ConfigReport; reason: string }
  | { action: 'requeue'; revision: number; reason: string };

export interface ConfigApplierOptions {
  agentId: string;
  store: ConfigStore;
  /** Revision in force at start (from the stored file). Default 0. */
  initial?: StoredConfig | null;
  validate?: ConfigValidator;
  /** Called (by the consumer or the client, through announce()) after a configuration was stored. */
  onApplied?: (state: StoredConfig) => void;
  /**
   * Largest configuration message accepted, bytes (RabbitMQ body or WebSocket frame). Default
   * MAX_BROKER_MESSAGE_BYTES (256 KiB), the contract's limit.
   */
  maxMessageBytes?: number;
}

export class ConfigApplier {
  readonly agentId: string;
  private currentValue: StoredConfig | null;
  /** Highest revision we refused: an older one arriving later must not be applied either. */
  private rejectedUpTo = 0;
  /** The last revision refused and why, to say it again when the same revision comes back. */
  private lastRejected?: { revision: number; reason: string };
  private chain: Promise<unknown> = Promise.resolve();
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

  /** Largest configuration message accepted, bytes. */
  get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? MAX_BROKER_MESSAGE_BYTES;
  }

  /** Decide and apply one RabbitMQ delivery. Never throws. */
  handle(body: Buffer): Promise<ConfigDecision> {
    const max = this.maxMessageBytes;
    if (body.length > max) {
      return Promise.resolve({
        action: 'reject',
        reason: `message of ${body.length} bytes exceeds the ${max} bytes this agent accepts`,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return Promise.resolve({ action: 'reject', reason: 'body is not valid JSON' });
    }
    const parsed = ConfigMessageSchema.safeParse(json);
    if (!parsed.success) {
      return Promise.resolve({
        action: 'reject',
        reason: `invalid config message: ${describeZodError(parsed.error)}`,
      });
    }
    const message = parsed.data;
    if (message.agentId !== this.agentId) {
      return Promise.resolve({
        action: 'reject',
        reason: `config message is for agent "${message.agentId}"`,
      });
    }
    return this.serial(() => this.decide(message.revision, message));
  }

  /**
   * Decide and apply one `config` frame from the WebSocket (`frame`: the parsed JSON, `byteLength`:
   * the frame's size). Never throws. A frame whose revision is readable but whose content is not
   * acceptable (too large, `config` not an object…) is refused with a report, like a validator refusal.
   */
  handleWs(frame: unknown, byteLength: number): Promise<ConfigDecision> {
    const raw =
      typeof frame === 'object' && frame !== null ? (frame as { revision?: unknown }).revision : undefined;
    const revision = typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0 ? raw : undefined;
    const refuse = (reason: string): Promise<ConfigDecision> =>
      revision === undefined
        ? Promise.resolve({ action: 'reject', reason })
        : this.serial(() => this.decide(revision, null, reason));
    const max = this.maxMessageBytes;
    if (byteLength > max) {
      return refuse(
        `configuration message of ${byteLength} bytes exceeds the ${max} bytes this agent accepts`,
      );
    }
    if (revision === undefined) {
      // Only a number is echoed: JSON.stringify of a hostile nested value overflows the stack (fuzzing).
      const got = typeof raw === 'number' ? String(raw) : describeJsonType(raw);
      return refuse(`config frame without a valid revision (got ${got})`);
    }
    const config = (frame as { config?: unknown }).config;
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      return refuse(`"config" must be a JSON object, got ${describeJsonType(config)}`);
    }
    const parsed = WsConfigSchema.safeParse(frame);
    if (!parsed.success) return refuse(`invalid config message: ${describeZodError(parsed.error)}`);
    const { issuedAt } = parsed.data;
    return this.serial(() =>
      this.decide(revision, {
        type: 'config',
        agentId: this.agentId,
        revision,
        issuedAt,
        config: parsed.data.config,
      }),
    );
  }

  /** One decision at a time per agent: a save in progress must finish before the next revision check. */
  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The shared rule: latest wins, validate, store, report. `problem`: refuse with this reason. */
  private async decide(
    revision: number,
    message: ConfigMessage | null,
    problem?: string,
  ): Promise<ConfigDecision> {
    const floor = Math.max(this.revision, this.rejectedUpTo);
    if (revision <= floor) {
      const ignored = {
        action: 'ack',
        outcome: 'ignored',
        revision,
        reason: `revision ${revision} is not newer than ${floor}; ignored`,
      } as const;
      if (revision === this.revision) {
        return { ...ignored, repeat: configReport(this.agentId, revision, 'applied') };
      }
      if (revision === this.lastRejected?.revision) {
        return {
          ...ignored,
          repeat: configReport(this.agentId, revision, 'rejected', this.lastRejected.reason),
        };
      }
      return ignored;
    }

    let refusal: string | null = problem ?? null;
    if (refusal === null && message) {
      try {
        refusal = await this.validate(message.config, message);
      } catch (error) {
        refusal = `validator failed: ${(error as Error).message}`;
      }
    }
    if (refusal !== null || !message) return this.refused(revision, refusal ?? 'refused');

    const state: StoredConfig = { revision, appliedAt: Date.now(), config: message.config };
    try {
      await this.options.store.save(state);
    } catch (error) {
      const why = `cannot store the configuration: ${(error as Error).message}`;
      const failures = (this.writeFailures.get(revision) ?? 0) + 1;
      this.writeFailures.set(revision, failures);
      if (failures < 2) return { action: 'requeue', revision, reason: why };
      this.writeFailures.delete(revision);
      return this.refused(revision, why);
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

  private refused(revision: number, reason: string): ConfigDecision {
    this.rejectedUpTo = revision;
    this.lastRejected = { revision, reason };
    return {
      action: 'ack',
      outcome: 'rejected',
      revision,
      reason,
      report: configReport(this.agentId, revision, 'rejected', reason),
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

function describeJsonType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
