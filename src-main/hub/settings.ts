/**
 * Hub settings, resolved from the environment (process.env merged with .env) and, for the secrets
 * the hub generates on first start, a small file in the data directory. Every key is documented in
 * .env.example; a bad value is reported with its key name instead of silently falling back.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeZodError } from '../../src-shared';
import type { GatewayTlsSettings } from './gateway/tls';

const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce.number().positive().max(3600);

const EnvSchema = z.object({
  CENTRALIZER_GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
  CENTRALIZER_GATEWAY_PORT: port.default(8765),
  CENTRALIZER_AGENT_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CENTRALIZER_PING_INTERVAL_SEC: seconds.default(10),
  CENTRALIZER_METRICS_INTERVAL_SEC: seconds.default(5),
  CENTRALIZER_MAX_CONNECTIONS: z.coerce.number().int().positive().default(20_000),
  /** Transport security of the gateway: see src-main/hub/gateway/tls.ts for the three modes. */
  CENTRALIZER_GATEWAY_TLS: z.enum(['self-signed', 'files', 'off']).default('self-signed'),
  CENTRALIZER_GATEWAY_TLS_CERT: z.string().optional(),
  CENTRALIZER_GATEWAY_TLS_KEY: z.string().optional(),
  CENTRALIZER_GATEWAY_TLS_HOSTNAMES: z.string().optional(),
  /** Per-connection message rate (token bucket): sustained messages per second, and the burst. */
  CENTRALIZER_AGENT_MSG_RATE: z.coerce.number().positive().max(100_000).default(20),
  CENTRALIZER_AGENT_MSG_BURST: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Close a connection whose unsent data (to an agent that does not read) exceeds this. */
  CENTRALIZER_AGENT_MAX_BUFFERED_KB: z.coerce.number().int().min(1).max(1_048_576).default(256),
  CENTRALIZER_CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
  CENTRALIZER_CONSOLE_PORT: port.default(8766),
  CENTRALIZER_CONSOLE_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CENTRALIZER_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  CENTRALIZER_JOB_HISTORY_MAX: z.coerce.number().int().min(100).max(1_000_000).default(5000),
  CENTRALIZER_JOB_RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 366)
    .default(168),
  CENTRALIZER_BROKER_RETRY_MAX_SEC: z.coerce.number().positive().max(600).default(30),
  /** Webhook deliveries: first retry after this many ms, doubling (with jitter) up to 5 minutes. */
  CENTRALIZER_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  CENTRALIZER_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  CENTRALIZER_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Testing/multi-tenant: replaces the "centralizer." prefix of every RabbitMQ name. */
  CENTRALIZER_TOPOLOGY_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and - only')
    .optional(),
});

export interface HubSettings {
  gateway: {
    host: string;
    port: number;
    token: string;
    tokenSource: 'generated' | 'env';
    pingIntervalSec: number;
    metricsIntervalSec: number;
    maxConnections: number;
    tls: GatewayTlsSettings;
    /** Token bucket per connection: sustained messages/s and burst. */
    messageRate: number;
    messageBurst: number;
    /** Slow-consumer cap on a connection's unsent bytes. */
    maxBufferedBytes: number;
  };
  console: { host: string; port: number; token?: string };
  jobs: { maxHistory: number; retentionHours: number };
  webhook: { retryBaseMs: number; maxAttempts: number; timeoutMs: number };
  topologyPrefix?: string;
  /** Cap of the jittered broker reconnect backoff. */
  brokerRetryMaxSec: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Damaged files met while resolving the settings (kept aside); the hub logs them once it has a logger. */
  startupProblems?: SettingsFileProblem[];
}

export interface SettingsFileProblem {
  message: string;
  file: string;
  aside?: string;
  error: string;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Empty strings in .env mean "not set", as users expect from `KEY=` lines. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

export function resolveSettings(env: Record<string, string | undefined>, dataDir: string): HubSettings {
  const parsed = EnvSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) throw new SettingsError(`invalid settings: ${describeZodError(parsed.error)}`);
  const e = parsed.data;
  const startupProblems: SettingsFileProblem[] = [];
  const token =
    e.CENTRALIZER_AGENT_TOKEN ??
    loadOrCreateSecret(dataDir, 'agentToken', (problem) => startupProblems.push(problem));
  return {
    startupProblems,
    gateway: {
      host: e.CENTRALIZER_GATEWAY_HOST,
      port: e.CENTRALIZER_GATEWAY_PORT,
      token,
      tokenSource: e.CENTRALIZER_AGENT_TOKEN ? 'env' : 'generated',
      pingIntervalSec: e.CENTRALIZER_PING_INTERVAL_SEC,
      metricsIntervalSec: e.CENTRALIZER_METRICS_INTERVAL_SEC,
      maxConnections: e.CENTRALIZER_MAX_CONNECTIONS,
      tls: {
        mode: e.CENTRALIZER_GATEWAY_TLS,
        certFile: e.CENTRALIZER_GATEWAY_TLS_CERT,
        keyFile: e.CENTRALIZER_GATEWAY_TLS_KEY,
        hostnames: (e.CENTRALIZER_GATEWAY_TLS_HOSTNAMES ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean),
      },
      messageRate: e.CENTRALIZER_AGENT_MSG_RATE,
      messageBurst: e.CENTRALIZER_AGENT_MSG_BURST,
      maxBufferedBytes: e.CENTRALIZER_AGENT_MAX_BUFFERED_KB * 1024,
    },
    console: {
      host: e.CENTRALIZER_CONSOLE_HOST,
      port: e.CENTRALIZER_CONSOLE_PORT,
      token: e.CENTRALIZER_CONSOLE_TOKEN,
    },
    jobs: { maxHistory: e.CENTRALIZER_JOB_HISTORY_MAX, retentionHours: e.CENTRALIZER_JOB_RETENTION_HOURS },
    webhook: {
      retryBaseMs: e.CENTRALIZER_WEBHOOK_RETRY_BASE_MS,
      maxAttempts: e.CENTRALIZER_WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: e.CENTRALIZER_WEBHOOK_TIMEOUT_MS,
    },
    topologyPrefix: e.CENTRALIZER_TOPOLOGY_PREFIX,
    brokerRetryMaxSec: e.CENTRALIZER_BROKER_RETRY_MAX_SEC,
    logLevel: e.CENTRALIZER_LOG_LEVEL,
  };
}

/** Every key resolveSettings reads, with its default as text (undefined: none), for Settings → sources. */
export function settingDefaults(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(EnvSchema.shape).map(([key, schema]) => {
      const parsed = schema.safeParse(undefined);
      return [key, parsed.success && parsed.data !== undefined ? String(parsed.data) : undefined];
    }),
  );
}

const SECRETS_FILE = 'hub-secrets.json';
const SecretsSchema = z.record(z.string(), z.string());

/**
 * Secrets the hub generates for itself (today: the shared agent token), kept in the data directory
 * with owner-only permissions. A corrupt file is kept aside and a new secret generated, so the hub
 * still starts; the operator sees the new token in the console.
 */
export function loadOrCreateSecret(
  dataDir: string,
  key: string,
  onCorrupt?: (problem: SettingsFileProblem) => void,
): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SECRETS_FILE);
  let secrets: Record<string, string> = {};
  // Settings are resolved before the hub has a logger: the caller reports the damage later.
  const keepAside = (error: string): void => {
    const aside = `${file}.corrupt-${Date.now()}`;
    let moved = true;
    try {
      renameSync(file, aside);
    } catch {
      moved = false; // unreadable and unmovable: we still generate a fresh secret below
    }
    onCorrupt?.({
      message: 'hub secrets file was corrupt; kept aside, a new agent token was generated',
      file,
      ...(moved ? { aside } : {}),
      error,
    });
  };
  try {
    const parsed = SecretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) secrets = parsed.data;
    else keepAside(parsed.error.issues[0]?.message ?? 'invalid content');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') keepAside(String(error));
  }
  const existing = secrets[key];
  if (existing) return existing;
  const value = randomBytes(24).toString('base64url');
  secrets[key] = value;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
  return value;
}
