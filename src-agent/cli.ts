/**
 * Reference agent: `node dist/main/agent.js --url ws://127.0.0.1:8765 --token XYZ [--amqp-url amqp://…]`
 * and `node dist/main/agent.js run [options] -- COMMAND [ARGS…]`.
 * See AGENT_USAGE in cli-args.ts for every option. Logs one line per state change to stderr (never
 * the token or the broker password); SIGINT/SIGTERM close the connections (WebSocket with 1000) and exit 0.
 */
import os from 'node:os';
import { version as AGENT_VERSION } from '../package.json';
import { CloseCode } from '../src-shared/agent-protocol';
import { BrokerLink, agentTopologyNames } from './broker-link';
import { AgentClient, redactUrl, type ClientState } from './client';
import {
  AGENT_USAGE,
  UsageError,
  parseAgentArgs,
  parseRunArgs,
  resolveAgentId,
  type AgentCliConfig,
} from './cli-args';
import { ConfigApplier, FileConfigStore, type StoredConfig } from './config-apply';
import { ConfigConsumer } from './config-consumer';
import { agentConfigValidator } from './config-schema';
import { EventPublisher } from './event-publisher';
import { createMetricsSampler } from './metrics';
import { runJob } from './run-job';
import { fileCredentials } from './credential-file';

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} agent: ${message}\n`);
}

/** `agent run [options] -- COMMAND [ARGS…]`: the command's exit code. */
async function runMain(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseRunArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`agent run: ${error.message}\nRun with --help for usage.\n`);
      return 2;
    }
    throw error;
  }
  if ('help' in parsed) {
    process.stdout.write(AGENT_USAGE);
    return 0;
  }
  const run = parsed.run;
  let agentId = run.id;
  if (!agentId) {
    try {
      agentId = resolveAgentId(run.stateDir).id;
    } catch (error) {
      process.stderr.write(`agent run: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const names = agentTopologyNames(run.topologyPrefix);
  const link = new BrokerLink({ url: run.amqpUrl, name: `agent ${agentId} run`, log });
  const publisher = new EventPublisher(link, { names, log });
  publisher.start();
  link.start();
  const result = await runJob({
    agentId,
    name: run.name,
    command: run.command,
    args: run.args,
    publisher,
    log,
  });
  const confirmed = await publisher.waitIdle(run.confirmTimeoutMs);
  if (!confirmed) {
    log(
      `${publisher.pending} job event(s) not confirmed by the broker (${link.displayUrl}) within ` +
        `${run.confirmTimeoutMs / 1000} s; giving up on them`,
    );
  }
  publisher.stop();
  await link.stop();
  return result.exitCode;
}

/** The broker side of the long-running agent: config consumer + report publisher. */
function startBroker(
  config: AgentCliConfig & { amqpUrl: string },
  agentId: string,
  applier: ConfigApplier,
  store: FileConfigStore,
): { stop: () => Promise<void> } {
  const names = agentTopologyNames(config.topologyPrefix);
  // Two connections: under a memory/disk alarm RabbitMQ blocks the publishing one, configs keep flowing.
  const link = new BrokerLink({ url: config.amqpUrl, name: `agent ${agentId}`, connections: 2, log });
  const publisher = new EventPublisher(link, { names, log });
  const consumer = new ConfigConsumer(link, publisher, [applier], { names, log });
  publisher.start();
  consumer.start();
  log(`broker ${link.displayUrl}, config queue ${names.agentQueue(agentId)}, config file ${store.file}`);
  link.start();
  return {
    stop: async () => {
      consumer.stop();
      // Give a report that is on its way a moment to be confirmed.
      await publisher.waitIdle(2_000);
      publisher.stop();
      await link.stop();
    },
  };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'run') return runMain(argv.slice(1));
  let parsed;
  try {
    parsed = parseAgentArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`agent: ${error.message}\nRun with --help for usage.\n`);
      return 2;
    }
    throw error;
  }
  if ('help' in parsed) {
    process.stdout.write(AGENT_USAGE);
    return 0;
  }
  if ('version' in parsed) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  const config = parsed.config;

  let agentId = config.id;
  if (!agentId) {
    try {
      const resolved = resolveAgentId(config.stateDir);
      agentId = resolved.id;
      if (resolved.created) log(`created agent id ${agentId} in ${config.stateDir}`);
    } catch (error) {
      process.stderr.write(`agent: ${(error as Error).message}\n`);
      return 1;
    }
  }

  const store = new FileConfigStore(config.configFile);
  let initial: StoredConfig | null = null;
  try {
    initial = store.load();
    if (initial) log(`running configuration revision ${initial.revision} from ${store.file}`);
  } catch (error) {
    log(`${(error as Error).message}; starting without a configuration (revision 0)`);
  }

  // One applier for both paths (RabbitMQ and WebSocket): a revision applied over one is not newer on the other.
  const applier = new ConfigApplier({
    agentId,
    store,
    initial,
    validate: agentConfigValidator(config.configSchema),
    // Called only after a configuration was applied, long after `client` exists.
    onApplied: (state) => client.configApplied(state.revision),
  });

  const sampler = createMetricsSampler();
  const client = new AgentClient({
    url: config.url,
    token: config.token,
    credentials: fileCredentials(config.credentialFile, log),
    ...(config.fingerprint ? { fingerprint: config.fingerprint } : {}),
    ...(config.ca ? { ca: config.ca } : {}),
    identity: {
      agentId,
      name: config.name,
      hostname: (os.hostname() || 'unknown').slice(0, 255),
      platform: process.platform,
      arch: process.arch,
      agentVersion: AGENT_VERSION,
      labels: config.labels,
      configRevision: initial?.revision ?? 0,
      ...(config.configSchema ? { configSchema: config.configSchema } : {}),
    },
    metrics: () => sampler.sample(),
    configApplier: applier,
  });

  const where = redactUrl(config.url);
  log(`agent ${agentId} (${config.name}) v${AGENT_VERSION}, hub ${where}`);
  if (config.url.startsWith('ws:'))
    log('warning: plain ws:// — the token and data cross the network unencrypted (lab use only)');
  else if (config.fingerprint) log(`hub certificate pinned: sha256:${config.fingerprint}`);
  log(
    config.configSchema
      ? `configuration schema: ${config.configSchemaSource}; config file ${store.file}`
      : `no configuration schema declared; config file ${store.file}`,
  );
  const describe: Partial<Record<ClientState, string>> = {
    connecting: `connecting to ${where}`,
    handshaking: 'connected, hello sent',
  };
  client.on('state', (state) => {
    const text = describe[state];
    if (text) log(text);
  });
  client.on('enrolled', (status) => {
    log(
      status === 'accepted'
        ? `enrolled: credential stored in ${config.credentialFile}`
        : `enrolled, waiting for the operator to accept this agent; credential stored in ${config.credentialFile}`,
    );
  });
  client.on('welcome', (w) => {
    log(`online (metrics every ${w.metricsIntervalSec} s, hub pings every ${w.pingIntervalSec} s)`);
  });
  client.on('disconnected', (info) => {
    const why = `${info.code}${info.reason ? ` ${info.reason}` : ''}`;
    if (info.httpStatus === 401) log('the hub refused the token (HTTP 401): check --token');
    if (info.code === CloseCode.PENDING_APPROVAL)
      log('waiting for the operator to accept this agent in the console');
    if (/self[- ]signed certificate/i.test(info.reason) && !config.fingerprint)
      log('the hub uses a self-signed certificate: pass --fingerprint sha256:… as shown in the console');
    log(
      info.willReconnect
        ? `disconnected (${why}); retrying in ${((info.delayMs ?? 0) / 1000).toFixed(1)} s`
        : `disconnected (${why})`,
    );
  });
  client.on('config', (r) => {
    const rev = r.revision === undefined ? 'without a revision' : `revision ${r.revision}`;
    if (r.outcome === 'applied') log(`config ${rev} applied (websocket)`);
    else if (r.outcome === 'rejected') log(`config ${rev} rejected (websocket): ${r.reason}`);
    else if (r.outcome === 'ignored')
      log(`config (websocket): ${r.reason}${r.reported ? '; reported again' : ''}`);
    else log(`config frame ${rev} not usable (websocket): ${r.reason}`);
  });
  client.on('hubError', (frame) => {
    log(`hub rejected a message: ${frame.code}: ${frame.message} (violations ${frame.violations})`);
  });
  let lastError = '';
  client.on('error', (error) => {
    // A failed connect is reported by the "disconnected" line that follows (its reason is this error).
    if (client.state === 'connecting') return;
    // Other errors can repeat on every sample or retry; say each distinct one once in a row.
    if (error.message === lastError) return;
    // Config frames are logged by the "config" listener above.
    if (error.message.startsWith('ignored config frame')) return;
    lastError = error.message;
    log(`error: ${error.message}`);
  });
  client.on('welcome', () => {
    lastError = '';
  });

  const amqpUrl = config.amqpUrl;
  const broker = amqpUrl ? startBroker({ ...config, amqpUrl }, agentId, applier, store) : undefined;

  const code = await new Promise<number>((resolveExit) => {
    let shuttingDown = false;
    const shutdown = (signal: string): void => {
      if (shuttingDown) {
        log(`${signal} again: exiting now`);
        process.exit(1);
      }
      shuttingDown = true;
      log(`${signal}: closing the connection`);
      void client.stop('agent shutting down').then(() => {
        log('stopped');
        resolveExit(0);
      });
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    client.on('stopped', (reason) => {
      if (shuttingDown) return;
      log(`stopped: ${reason}`);
      resolveExit(3);
    });
    client.start();
  });
  if (broker) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([broker.stop(), new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `agent: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
