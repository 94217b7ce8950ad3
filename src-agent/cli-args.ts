/**
 * Command line and environment of the reference agent (`node dist/main/agent.js`), kept apart from
 * cli.ts so it can be tested without starting anything.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_WS_PATH, AgentIdSchema, LabelsSchema, describeZodError } from '../src-shared/agent-protocol';
import { checkAmqpUrl } from './broker-link';
import { normalizeHubUrl } from './client';
import { CREDENTIAL_FILE } from './credential-file';
import {
  MAX_CONFIG_SCHEMA_BYTES,
  REFERENCE_CONFIG_SCHEMA,
  loadConfigSchemaFile,
  type JsonSchema,
} from './config-schema';
import { normalizeFingerprint } from './tls-pin';

export const AGENT_USAGE = `Usage: node dist/main/agent.js --url URL --token TOKEN [options]
       node dist/main/agent.js run [--name NAME] [options] -- COMMAND [ARGS...]

Connects this host to an Agent Centralizer hub and reports presence and host metrics. With a broker
URL it also receives its configuration from RabbitMQ, writes it to the config file and reports back.

Options (each also read from the environment variable in brackets; the flag wins):
  --url URL           hub gateway, e.g. wss://127.0.0.1:8765 (path defaults to ${AGENT_WS_PATH}) [CENTRALIZER_URL]
  --fingerprint FP    pin the hub's self-signed certificate: sha256:AB:CD:… as shown in the console
                      (Settings → Gateway); a different certificate is refused [CENTRALIZER_HUB_FINGERPRINT]
  --ca FILE           wss:// without --fingerprint: trust the CA certificate(s) in FILE (PEM) instead
                      of the system's [CENTRALIZER_HUB_CA]
  --token TOKEN       the hub's enrollment token (console: Settings → Enrollment); used once to enroll,
                      then the agent uses the credential the hub issued it [CENTRALIZER_TOKEN,
                      CENTRALIZER_AGENT_TOKEN]
  --token-file FILE   read the token from FILE instead (keeps it out of the process list) [CENTRALIZER_TOKEN_FILE]
  --id ID             agent id; default: a UUID created once and kept in the state dir [AGENT_ID]
  --name NAME         display name; default: the host name [AGENT_NAME]
  --label K=V         label, repeatable [AGENT_LABELS="k=v,k2=v2"]
  --state-dir DIR     where the generated id (and config.json) are kept; default ~/.agent-centralizer-agent [AGENT_STATE_DIR]
  --credential-file FILE  where the agent's own credential is kept (0600); default STATE_DIR/credential
                      [AGENT_CREDENTIAL_FILE]
  --amqp-url URL      RabbitMQ, amqp[s]://user:password@host:port/vhost: receive configurations
                      [AGENT_AMQP_URL, else RABBITMQ_URL]; prefer the variable (command lines are public)
  --config-file FILE  where the applied configuration is written; default STATE_DIR/config.json [AGENT_CONFIG_FILE]
  --topology-prefix P use P.events, P.commands, P.agent.<id> instead of centralizer.* (tests) [CENTRALIZER_TOPOLOGY_PREFIX]
  --config-schema FILE  declare this JSON Schema (a JSON object, at most ${MAX_CONFIG_SCHEMA_BYTES} bytes as compact
                      JSON) for this agent's configuration instead of the built-in one [AGENT_CONFIG_SCHEMA]
  --no-config-schema  declare no configuration schema [AGENT_CONFIG_SCHEMA=none]
  -h, --help          print this help
  -v, --version       print the agent version

Configuration arrives from RabbitMQ (with --amqp-url) or, when the hub has no broker, over the
WebSocket; both go through the same steps. A config newer than the revision in the config file is
checked against the declared schema, written atomically ({revision, appliedAt, config}), acknowledged
and reported "applied"; an older one is ignored (the one in force is reported again over the
WebSocket). A config with "reject": true or a string "rejectReason" is refused and reported "rejected".
The built-in schema: logLevel (debug|info|warn|error), metricsLabels {name: string},
jobs {name: {command, schedule}}, reject / rejectReason (test hooks); other keys are allowed.

agent run: runs COMMAND (no shell) as a job and publishes its events (started, then finished or
failed with the exit code) to the broker; needs --amqp-url (or the variables) and the agent id (--id
or the state dir), not the hub. Exits with the command's exit code (128+N when killed by signal N,
127 when it cannot be started). Options: --name NAME (default: the command line), --id, --state-dir,
--amqp-url, --topology-prefix, --confirm-timeout SEC (wait for the broker's confirms, default 30).

Exit codes: 0 stopped by SIGINT/SIGTERM, 1 runtime failure, 2 bad arguments,
3 the hub refused this agent for good (replaced by another connection with the same id,
or unsupported protocol, or its credential was revoked): restarting it automatically would not help.
`;

export class UsageError extends Error {}

export interface AgentCliConfig {
  url: string;
  token: string;
  /** Normalised certificate pin (AB:CD:…), wss:// only. */
  fingerprint?: string;
  /** PEM CA certificate(s) read from --ca. */
  ca?: string;
  /** Set when given by flag/env; otherwise resolved from the state dir by resolveAgentId(). */
  id?: string;
  /** The agent's own credential (0600), written when the hub enrolls it. */
  credentialFile: string;
  name: string;
  labels: Record<string, string>;
  stateDir: string;
  /** RabbitMQ URL (may hold a password: log it only through maskAmqpUrl). */
  amqpUrl?: string;
  configFile: string;
  topologyPrefix?: string;
  /** JSON Schema declared in hello (and checked on every configuration); undefined: none. */
  configSchema?: JsonSchema;
  /** Where the schema came from: "built-in", the file, or "none". */
  configSchemaSource: string;
}

export type ParsedArgs = { help: true } | { version: true } | { config: AgentCliConfig };

export interface RunCliConfig {
  id?: string;
  stateDir: string;
  amqpUrl: string;
  topologyPrefix?: string;
  name?: string;
  command: string;
  args: string[];
  confirmTimeoutMs: number;
}

export type ParsedRunArgs = { help: true } | { run: RunCliConfig };

const pickFrom =
  (env: NodeJS.ProcessEnv) =>
  (flag: string | undefined, envName: string): string | undefined => {
    const value = flag ?? env[envName];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

/** --amqp-url, else AGENT_AMQP_URL, else RABBITMQ_URL; undefined when none is set. */
function brokerUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const pick = pickFrom(env);
  const url = pick(flag, 'AGENT_AMQP_URL') ?? pick(undefined, 'RABBITMQ_URL');
  if (url === undefined) return undefined;
  try {
    return checkAmqpUrl(url);
  } catch (error) {
    throw new UsageError(`--amqp-url: ${(error as Error).message}`);
  }
}

function topologyPrefix(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const prefix = pickFrom(env)(flag, 'CENTRALIZER_TOPOLOGY_PREFIX');
  if (prefix !== undefined && !/^[A-Za-z0-9._-]{1,100}$/.test(prefix)) {
    throw new UsageError('--topology-prefix may contain letters, digits, ".", "_" and "-"');
  }
  return prefix;
}

function checkId(id: string | undefined): void {
  if (id === undefined) return;
  const checked = AgentIdSchema.safeParse(id);
  if (!checked.success) throw new UsageError(`--id: ${describeZodError(checked.error)}`);
}

const defaultStateDir = (flag: string | undefined, env: NodeJS.ProcessEnv): string =>
  resolve(pickFrom(env)(flag, 'AGENT_STATE_DIR') ?? join(os.homedir(), '.agent-centralizer-agent'));

/** `agent run [options] -- COMMAND [ARGS…]` (argv without node, script and "run"). */
/** `key=value` pairs (from repeated --label flags or AGENT_LABELS) → validated labels. */
export function parseLabels(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label: expected key=value, got ${JSON.stringify(pair)}`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  const checked = LabelsSchema.safeParse(labels);
  if (!checked.success) throw new UsageError(`--label: ${describeZodError(checked.error)}`);
  return checked.data;
}

export function parseRunArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedRunArgs {
  const dash = argv.indexOf('--');
  const optionArgs = dash === -1 ? argv : argv.slice(0, dash);
  let values;
  try {
    ({ values } = parseArgs({
      args: optionArgs,
      strict: true,
      allowPositionals: false,
      options: {
        name: { type: 'string' },
        id: { type: 'string' },
        'state-dir': { type: 'string' },
        'amqp-url': { type: 'string' },
        'topology-prefix': { type: 'string' },
        'confirm-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message}${dash === -1 ? ' (put the command after "--": agent run [options] -- COMMAND)' : ''}`,
    );
  }
  if (values.help) return { help: true };
  const command = dash === -1 ? [] : argv.slice(dash + 1);
  if (command.length === 0 || !command[0]) {
    throw new UsageError('agent run: missing the command (agent run [options] -- COMMAND [ARGS...])');
  }
  const pick = pickFrom(env);
  const amqpUrl = brokerUrl(values['amqp-url'], env);
  if (!amqpUrl) throw new UsageError('agent run: missing --amqp-url (or AGENT_AMQP_URL / RABBITMQ_URL)');
  const id = pick(values.id, 'AGENT_ID');
  checkId(id);
  let confirmTimeoutMs = 30_000;
  if (values['confirm-timeout'] !== undefined) {
    const sec = Number(values['confirm-timeout']);
    if (!Number.isFinite(sec) || sec < 0 || sec > 3600) {
      throw new UsageError('--confirm-timeout must be a number of seconds from 0 to 3600');
    }
    confirmTimeoutMs = Math.round(sec * 1000);
  }
  const name = values.name?.trim();
  if (values.name !== undefined && !name) throw new UsageError('--name must not be empty');
  return {
    run: {
      id,
      stateDir: defaultStateDir(values['state-dir'], env),
      amqpUrl,
      topologyPrefix: topologyPrefix(values['topology-prefix'], env),
      name: name?.slice(0, 256),
      command: command[0],
      args: command.slice(1),
      confirmTimeoutMs,
    },
  };
}

/**
 * --fingerprint / --ca (or CENTRALIZER_HUB_FINGERPRINT / CENTRALIZER_HUB_CA) for a normalised hub
 * URL: a malformed pin, a pin on plain ws://, or an unreadable CA file is a usage error.
 * Shared by the agent and the simulator.
 */
export function hubTrust(
  url: string,
  fingerprintFlag: string | undefined,
  caFlag: string | undefined,
  env: NodeJS.ProcessEnv,
): { fingerprint?: string; ca?: string } {
  const pick = pickFrom(env);
  const rawPin = pick(fingerprintFlag, 'CENTRALIZER_HUB_FINGERPRINT');
  const caFile = pick(caFlag, 'CENTRALIZER_HUB_CA');
  const secure = url.startsWith('wss:');
  const out: { fingerprint?: string; ca?: string } = {};
  if (rawPin !== undefined) {
    const pin = normalizeFingerprint(rawPin);
    if (!pin)
      throw new UsageError(
        '--fingerprint: expected sha256:AB:CD:… (32 bytes of hex) as the console shows it',
      );
    if (!secure)
      throw new UsageError('--fingerprint needs a wss:// URL (plain ws:// has no certificate to pin)');
    out.fingerprint = pin;
  }
  if (caFile !== undefined) {
    if (!secure) throw new UsageError('--ca needs a wss:// URL');
    try {
      out.ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new UsageError(`--ca: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code})`);
    }
    if (!out.ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(`--ca: ${caFile} holds no PEM certificate`);
    }
  }
  return out;
}

/** Parse argv (without node and script) and env. Throws UsageError with a one-line explanation. */
export function parseAgentArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        fingerprint: { type: 'string' },
        ca: { type: 'string' },
        id: { type: 'string' },
        name: { type: 'string' },
        label: { type: 'string', multiple: true },
        'state-dir': { type: 'string' },
        'credential-file': { type: 'string' },
        'amqp-url': { type: 'string' },
        'config-file': { type: 'string' },
        'topology-prefix': { type: 'string' },
        'config-schema': { type: 'string' },
        'no-config-schema': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true };
  if (values.version) return { version: true };

  const pick = (flag: string | undefined, envName: string): string | undefined => {
    const value = flag ?? env[envName];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const rawUrl = pick(values.url, 'CENTRALIZER_URL');
  if (!rawUrl) throw new UsageError('missing --url (or CENTRALIZER_URL)');
  let url: string;
  try {
    url = normalizeHubUrl(rawUrl, AGENT_WS_PATH);
  } catch (error) {
    throw new UsageError(`--url: ${(error as Error).message}`);
  }

  const trust = hubTrust(url, values.fingerprint, values.ca, env);

  let token = pick(values.token, 'CENTRALIZER_TOKEN') ?? pick(undefined, 'CENTRALIZER_AGENT_TOKEN');
  const tokenFile = pick(values['token-file'], 'CENTRALIZER_TOKEN_FILE');
  if (!token && tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(
        `--token-file: cannot read ${tokenFile} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  if (!token) throw new UsageError('missing --token (or CENTRALIZER_TOKEN / --token-file)');
  if (/\s/.test(token)) throw new UsageError('the token must not contain whitespace');

  const id = pick(values.id, 'AGENT_ID');
  if (id !== undefined) {
    const checked = AgentIdSchema.safeParse(id);
    if (!checked.success) throw new UsageError(`--id: ${describeZodError(checked.error)}`);
  }

  const name = (pick(values.name, 'AGENT_NAME') ?? os.hostname() ?? 'agent').slice(0, 128) || 'agent';

  const labels = parseLabels(values.label ?? (env.AGENT_LABELS ? env.AGENT_LABELS.split(',') : []));

  const stateDir = defaultStateDir(values['state-dir'], env);
  const amqpUrl = brokerUrl(values['amqp-url'], env);
  const configFile = resolve(pick(values['config-file'], 'AGENT_CONFIG_FILE') ?? join(stateDir, CONFIG_FILE));
  const credentialFile = resolve(
    pick(values['credential-file'], 'AGENT_CREDENTIAL_FILE') ?? join(stateDir, CREDENTIAL_FILE),
  );

  const schema = configSchema(values['config-schema'], values['no-config-schema'], env);

  return {
    config: {
      url,
      token,
      ...trust,
      id,
      credentialFile,
      name,
      labels,
      stateDir,
      ...(amqpUrl ? { amqpUrl } : {}),
      configFile,
      ...(schema.schema ? { configSchema: schema.schema } : {}),
      configSchemaSource: schema.source,
      ...(() => {
        const prefix = topologyPrefix(values['topology-prefix'], env);
        return prefix ? { topologyPrefix: prefix } : {};
      })(),
    },
  };
}

/**
 * --no-config-schema → none; --config-schema FILE → that file; else AGENT_CONFIG_SCHEMA ("none" or a
 * file); else the built-in schema. The file must hold a JSON object of at most MAX_CONFIG_SCHEMA_BYTES.
 */
function configSchema(
  file: string | undefined,
  none: boolean | undefined,
  env: NodeJS.ProcessEnv,
): { schema?: JsonSchema; source: string } {
  if (none && file !== undefined) {
    throw new UsageError('--config-schema and --no-config-schema cannot be used together');
  }
  if (none) return { source: 'none' };
  const chosen = pickFrom(env)(file, 'AGENT_CONFIG_SCHEMA');
  if (file !== undefined && !chosen) throw new UsageError('--config-schema: missing the file name');
  if (chosen === undefined) return { schema: REFERENCE_CONFIG_SCHEMA, source: 'built-in' };
  if (file === undefined && /^(none|off|false|0)$/i.test(chosen)) return { source: 'none' };
  const path = resolve(chosen);
  try {
    return { schema: loadConfigSchemaFile(path), source: path };
  } catch (error) {
    throw new UsageError(`--config-schema: ${(error as Error).message}`);
  }
}

const ID_FILE = 'agent-id';
/** Default name of the applied configuration, in the state dir. */
export const CONFIG_FILE = 'config.json';

/**
 * The agent id stored in `stateDir/agent-id`, created (a UUID, written atomically) on first run so
 * the id survives restarts. Throws an Error with a readable message when the directory is unusable
 * or the file holds something that is not a valid id.
 */
export function resolveAgentId(stateDir: string): { id: string; created: boolean } {
  const file = join(stateDir, ID_FILE);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    const checked = AgentIdSchema.safeParse(stored);
    if (!checked.success) {
      throw new Error(
        `${file} does not hold a valid agent id (${describeZodError(checked.error)}); fix or delete it`,
      );
    }
    return { id: checked.data, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      if ((error as NodeJS.ErrnoException).code) {
        throw new Error(`cannot read ${file}: ${(error as Error).message}`);
      }
      throw error;
    }
  }
  const id = randomUUID();
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${id}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (error) {
    throw new Error(`cannot store the agent id in ${stateDir}: ${(error as Error).message}`);
  }
  return { id, created: true };
}
