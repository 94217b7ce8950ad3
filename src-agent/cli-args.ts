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
import { normalizeHubUrl } from './client';

export const AGENT_USAGE = `Usage: node dist/main/agent.js --url URL --token TOKEN [options]

Connects this host to an Agent Centralizer hub and reports presence and host metrics.

Options (each also read from the environment variable in brackets; the flag wins):
  --url URL           hub gateway, e.g. ws://127.0.0.1:8765 (path defaults to ${AGENT_WS_PATH}) [CENTRALIZER_URL]
  --token TOKEN       agent token configured on the hub [CENTRALIZER_TOKEN]
  --token-file FILE   read the token from FILE instead (keeps it out of the process list) [CENTRALIZER_TOKEN_FILE]
  --id ID             agent id; default: a UUID created once and kept in the state dir [AGENT_ID]
  --name NAME         display name; default: the host name [AGENT_NAME]
  --label K=V         label, repeatable [AGENT_LABELS="k=v,k2=v2"]
  --state-dir DIR     where the generated id is kept; default ~/.agent-centralizer-agent [AGENT_STATE_DIR]
  -h, --help          print this help
  -v, --version       print the agent version

Exit codes: 0 stopped by SIGINT/SIGTERM, 1 runtime failure, 2 bad arguments,
3 the hub refused this agent for good (replaced by another connection with the same id,
or unsupported protocol): restarting it automatically would not help.
`;

export class UsageError extends Error {}

export interface AgentCliConfig {
  url: string;
  token: string;
  /** Set when given by flag/env; otherwise resolved from the state dir by resolveAgentId(). */
  id?: string;
  name: string;
  labels: Record<string, string>;
  stateDir: string;
}

export type ParsedArgs = { help: true } | { version: true } | { config: AgentCliConfig };

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
        id: { type: 'string' },
        name: { type: 'string' },
        label: { type: 'string', multiple: true },
        'state-dir': { type: 'string' },
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

  let token = pick(values.token, 'CENTRALIZER_TOKEN');
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

  const labelPairs = values.label ?? (env.AGENT_LABELS ? env.AGENT_LABELS.split(',') : []);
  const labels: Record<string, string> = {};
  for (const pair of labelPairs) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label: expected key=value, got ${JSON.stringify(pair)}`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  const checkedLabels = LabelsSchema.safeParse(labels);
  if (!checkedLabels.success) throw new UsageError(`--label: ${describeZodError(checkedLabels.error)}`);

  const stateDir = resolve(
    pick(values['state-dir'], 'AGENT_STATE_DIR') ?? join(os.homedir(), '.agent-centralizer-agent'),
  );

  return { config: { url, token, id, name, labels: checkedLabels.data, stateDir } };
}

const ID_FILE = 'agent-id';

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
