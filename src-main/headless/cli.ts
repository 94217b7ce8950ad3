#!/usr/bin/env node
/**
 * Headless console: the same hub as the desktop app, in plain Node, with the UI served to a browser
 * on a loopback address. `npm run hub` runs this; so does `npm start` where Electron is missing.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHub } from '../hub/hub';
import { createLogger } from '../hub/logger';
import { defaultDataDir } from '../hub/paths';
import { SettingsError } from '../hub/settings';
import { loadEnv } from '../hub/env-files';
import { startConsoleServer } from './console-server';
import { startStatsReporter } from './process-stats';

async function main(): Promise<void> {
  const env = loadEnv([process.cwd()], process.env);
  const dataDir = env.CENTRALIZER_DATA_DIR || defaultDataDir();
  const logger = createLogger({ level: (env.CENTRALIZER_LOG_LEVEL as 'info') || 'info', name: 'hub' });

  let hub;
  try {
    hub = createHub({ mode: 'headless', dataDir, env, logger });
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
  const consoleServer = await startConsoleServer({
    console: hub.console,
    host: hub.settings.console.host,
    port: hub.settings.console.port,
    token: hub.settings.console.token,
    rendererDir: resolve(here, '../renderer'),
    logger,
  });

  // Lines on stdout are for people and for scripts (tests parse the "console:" line).
  console.log('Agent Centralizer (headless) is running.');
  console.log(`data:    ${dataDir}`);
  if (gateway.state === 'listening') console.log(`gateway: ${gateway.urls.join('  ')}`);
  else console.log(`gateway: NOT LISTENING: ${gateway.error}`);
  console.log(`console: ${consoleServer.url}`);
  console.log('Open the console URL in a browser on this machine. Ctrl+C stops.');
  const statsMs = Number(env.CENTRALIZER_STATS_INTERVAL_MS);
  if (Number.isFinite(statsMs) && statsMs >= 100) startStatsReporter(() => hub.status(), statsMs);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    await consoleServer.close();
    await hub.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`Agent Centralizer could not start: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
