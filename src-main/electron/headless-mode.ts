/**
 * The desktop app without a window: `--headless` (or CENTRALIZER_HEADLESS=1) runs the hub and serves
 * the console to a browser on this machine, as `npm run hub` does, for running the packaged app as a
 * service or hidden at logon. Also where the packaged app finds its `.env` and its log folder.
 */
import { dirname } from 'node:path';
import { app } from 'electron';
import { startConsoleServer, type RunningConsoleServer } from '../headless/console-server';
import { executableDir } from '../hub/env-files';
import type { Hub } from '../hub/hub';
import { openLogFile, type LogFile, type Logger } from '../hub/logger';

export const HEADLESS_FLAG = '--headless';
/**
 * Ask the running instance to stop (its hub in order) and exit: how the Windows service wrapper and
 * scripts stop a windowless app that no Ctrl+C reaches. Handled through the single-instance lock.
 */
export const QUIT_FLAG = '--quit';
export const HEADLESS_ENV = 'CENTRALIZER_HEADLESS';
export const LOG_DIR_ENV = 'CENTRALIZER_LOG_DIR';

/** `--headless` on the command line, or CENTRALIZER_HEADLESS=1/true/yes in the environment or .env. */
export function isHeadless(argv: readonly string[], env: Record<string, string | undefined>): boolean {
  if (argv.includes(HEADLESS_FLAG)) return true;
  return ['1', 'true', 'yes', 'on'].includes((env[HEADLESS_ENV] ?? '').trim().toLowerCase());
}

/**
 * Folders searched for a `.env`, first wins per key: the packaged app reads the one beside its
 * executable (as the old tool did); the unpackaged app (development) the working directory.
 */
export function appEnvDirs(processEnv: Record<string, string | undefined>): string[] {
  return app.isPackaged ? [executableDir(process.execPath, processEnv)] : [process.cwd()];
}

/**
 * Open the rotating log file: CENTRALIZER_LOG_DIR, else Electron's log folder for this app
 * (Windows %APPDATA%\Agent Centralizer\logs, macOS ~/Library/Logs/Agent Centralizer, Linux
 * ~/.config/Agent Centralizer/logs). `null` turns file logging off. Never throws: without a file
 * the app still runs, and `problem` says why.
 */
export function openAppLogFile(
  dir: string | null | undefined,
  env: Record<string, string | undefined>,
  onError: (error: Error) => void,
): { file: LogFile | null; problem?: string } {
  if (dir === null) return { file: null };
  try {
    const folder = dir ?? (env[LOG_DIR_ENV] || app.getPath('logs'));
    return { file: openLogFile({ dir: folder, onError }) };
  } catch (error) {
    return { file: null, problem: (error as Error)?.message ?? String(error) };
  }
}

/**
 * Headless: serve the console (UI + bridge) on the configured loopback address, hide the macOS dock
 * icon, and quit (stopping the hub in order) on SIGINT/SIGTERM, as a service manager sends.
 */
export async function startHeadless(options: {
  hub: Hub;
  indexHtml: string;
  logger: Logger;
  quit: () => void;
}): Promise<RunningConsoleServer | null> {
  const { hub, logger } = options;
  app.dock?.hide();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info('stopping', { signal });
      options.quit();
    });
  }
  try {
    const server = await startConsoleServer({
      console: hub.console,
      host: hub.settings.console.host,
      port: hub.settings.console.port,
      token: hub.settings.console.token,
      rendererDir: dirname(options.indexHtml),
      logger,
    });
    // The URL carries the console token: stdout only (a person or the service wrapper), never the log.
    process.stdout.write(`Agent Centralizer (headless) console: ${server.url}\n`);
    logger.info('headless: console served', { port: server.port, host: hub.settings.console.host });
    return server;
  } catch (error) {
    // The hub keeps running for agents; the operator sees why the console is missing in the log.
    logger.error('headless: console not served', { error: (error as Error)?.message });
    return null;
  }
}
