#!/usr/bin/env node
/**
 * Headless console: the same hub as the desktop app, in plain Node, with the UI served to a browser
 * on a loopback address. `npm run hub` runs this; so does `npm start` where Electron is missing.
 * The systemd unit in packaging/linux runs it as a service (docs/deployment.md).
 *
 *   --headless     accepted for symmetry with the desktop app's flag (this hub never has a window)
 *   --no-console   run the hub for agents only: no UI / console bridge server
 *   --help
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHub } from '../hub/hub';
import { createLogger, openLogFile, type LogFile } from '../hub/logger';
import { defaultDataDir, defaultLogDir } from '../hub/paths';
import { SettingsError } from '../hub/settings';
import { readEnvLayers } from '../hub/env-files';
import { startConsoleServer } from './console-server';
import { startStatsReporter } from './process-stats';

const USAGE = `Usage: node dist/main/headless.js [--headless] [--no-console]
  --headless     the hub without a window (always true here; same flag as the desktop app)
  --no-console   do not serve the console UI (agents and the broker only)
Settings: environment variables, then .env in the working directory (see .env.example).`;

interface CliFlags {
  console: boolean;
  help: boolean;
}

/** Unknown arguments are an error, so a typo (`--no-consol`) is not silently ignored. */
function parseCliFlags(args: readonly string[]): CliFlags | { error: string } {
  const flags: CliFlags = { console: true, help: false };
  for (const arg of args) {
    if (arg === '--headless') continue;
    else if (arg === '--no-console') flags.console = false;
    else if (arg === '--help' || arg === '-h') flags.help = true;
    else return { error: `unknown argument ${JSON.stringify(arg)}` };
  }
  return flags;
}

async function main(): Promise<void> {
  const flags = parseCliFlags(process.argv.slice(2));
  if ('error' in flags) {
    console.error(`Agent Centralizer: ${flags.error}\n${USAGE}`);
    process.exit(2);
  }
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const envLayers = readEnvLayers([process.cwd()], process.env);
  const env = envLayers.merged;
  const dataDir = env.CENTRALIZER_DATA_DIR || defaultDataDir();
  const logDir = env.CENTRALIZER_LOG_DIR || defaultLogDir();
  let logFile: LogFile | null = null;
  try {
    logFile = openLogFile({
      dir: logDir,
      onError: (error) => console.error(`Agent Centralizer: log file given up: ${error.message}`),
    });
  } catch (error) {
    console.error(`Agent Centralizer: no log file in ${logDir}: ${(error as Error).message}`);
  }
  const logger = createLogger({
    level: (env.CENTRALIZER_LOG_LEVEL as 'info') || 'info',
    name: 'hub',
    file: logFile ?? undefined,
  });

  let hub;
  try {
    hub = createHub({ mode: 'headless', dataDir, env, envLayers, logFile: logFile?.path ?? null, logger });
  } catch (error) {
    if (error instanceof SettingsError) {
      console.error(
        `Agent Centralizer: ${error.message}. Fix it in .env or the environment (see .env.example).`,
      );
      process.exit(2);
    }
    throw error;
  }
  await hub.start();
  const gateway = hub.status().gateway;
  const here = dirname(fileURLToPath(import.meta.url));
  const consoleServer = flags.console
    ? await startConsoleServer({
        console: hub.console,
        host: hub.settings.console.host,
        port: hub.settings.console.port,
        token: hub.settings.console.token,
        rendererDir: resolve(here, '../renderer'),
        logger,
      })
    : null;

  // Lines on stdout are for people and for scripts (tests parse the "console:" line).
  console.log('Agent Centralizer (headless) is running.');
  console.log(`data:    ${dataDir}`);
  if (gateway.state === 'listening') console.log(`gateway: ${gateway.urls.join('  ')}`);
  else console.log(`gateway: NOT LISTENING: ${gateway.error}`);
  console.log(`logs:    ${logFile?.path ?? 'console only'}`);
  if (consoleServer) {
    console.log(`console: ${consoleServer.url}`);
    console.log('Open the console URL in a browser on this machine. Ctrl+C stops.');
  } else {
    console.log('console: off (--no-console). Ctrl+C stops.');
  }
  const statsMs = Number(env.CENTRALIZER_STATS_INTERVAL_MS);
  if (Number.isFinite(statsMs) && statsMs >= 100) startStatsReporter(() => hub.status(), statsMs);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    await consoleServer?.close();
    await hub.stop();
    logFile?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`Agent Centralizer could not start: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
