/**
 * Reference agent: `node dist/main/agent.js --url ws://127.0.0.1:8765 --token XYZ`.
 * See AGENT_USAGE in cli-args.ts for every option. Logs one line per state change to stderr (never
 * the token); SIGINT/SIGTERM close the connection with 1000 and exit 0.
 */
import os from 'node:os';
import { version as AGENT_VERSION } from '../package.json';
import { AgentClient, redactUrl, type ClientState } from './client';
import { AGENT_USAGE, UsageError, parseAgentArgs, resolveAgentId } from './cli-args';
import { createMetricsSampler } from './metrics';

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} agent: ${message}\n`);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseAgentArgs(process.argv.slice(2));
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

  const sampler = createMetricsSampler();
  const client = new AgentClient({
    url: config.url,
    token: config.token,
    identity: {
      agentId,
      name: config.name,
      hostname: (os.hostname() || 'unknown').slice(0, 255),
      platform: process.platform,
      arch: process.arch,
      agentVersion: AGENT_VERSION,
      labels: config.labels,
      configRevision: 0,
    },
    metrics: () => sampler.sample(),
  });

  const where = redactUrl(config.url);
  log(`agent ${agentId} (${config.name}) v${AGENT_VERSION}, hub ${where}`);
  const describe: Partial<Record<ClientState, string>> = {
    connecting: `connecting to ${where}`,
    handshaking: 'connected, hello sent',
  };
  client.on('state', (state) => {
    const text = describe[state];
    if (text) log(text);
  });
  client.on('welcome', (w) => {
    log(`online (metrics every ${w.metricsIntervalSec} s, hub pings every ${w.pingIntervalSec} s)`);
  });
  client.on('disconnected', (info) => {
    const why = `${info.code}${info.reason ? ` ${info.reason}` : ''}`;
    if (info.httpStatus === 401) log('the hub refused the token (HTTP 401): check --token');
    log(
      info.willReconnect
        ? `disconnected (${why}); retrying in ${((info.delayMs ?? 0) / 1000).toFixed(1)} s`
        : `disconnected (${why})`,
    );
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
    lastError = error.message;
    log(`error: ${error.message}`);
  });
  client.on('welcome', () => {
    lastError = '';
  });

  return await new Promise<number>((resolveExit) => {
    let shuttingDown = false;
    const shutdown = (signal: string): void => {
      if (shuttingDown) {
        log(`${signal} again: exiting now`);
        resolveExit(1);
        return;
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
