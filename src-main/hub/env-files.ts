import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { Logger } from './logger';

/**
 * Where settings come from, highest precedence first (docs/deployment.md, "Configuration"):
 *
 *   1. the environment (a variable set for the process: shell, systemd unit, Windows service)
 *   2. `.env` files, the first folder listed winning per key (`npm run hub` and the unpackaged app:
 *      the working directory; the packaged app: the folder of the executable, as the old tool did)
 *   3. the built-in defaults
 *
 * Settings saved in the app's own Settings screen (today: the broker connection) sit above all
 * three for the keys they cover: the form is what the operator typed last in this app, so it wins
 * (see broker/saved-broker-settings.ts). The Settings screen says, per key, which one won.
 */
export interface EnvFileLayer {
  path: string;
  found: boolean;
  /** Its variables (empty when missing or unreadable). */
  values: Record<string, string>;
}

export interface EnvLayers {
  /** `.env` files looked at, highest precedence first. */
  files: EnvFileLayer[];
  processEnv: Record<string, string | undefined>;
  /** What the hub reads: the files merged under the environment. */
  merged: Record<string, string | undefined>;
}

/** Read the `.env` in each folder (dotenv syntax) and keep each layer apart, for the Settings screen. */
export function readEnvLayers(
  dirs: string[],
  processEnv: Record<string, string | undefined>,
  logger?: Logger,
): EnvLayers {
  const files: EnvFileLayer[] = [];
  for (const dir of dirs) {
    const path = join(dir, '.env');
    if (files.some((f) => f.path === path)) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger?.warn('could not read .env', { file: path, error: (error as Error).message });
      }
      files.push({ path, found: false, values: {} });
      continue;
    }
    files.push({ path, found: true, values: parseDotenv(text) });
    logger?.info('loaded .env', { file: path });
  }
  const fromFiles: Record<string, string> = {};
  for (const file of [...files].reverse()) Object.assign(fromFiles, file.values);
  return { files, processEnv, merged: { ...fromFiles, ...processEnv } };
}

/**
 * Read `.env` files (dotenv syntax) and merge them under the real environment: a variable set in the
 * environment wins over the file, as dotenv does by default. Missing files are fine.
 */
export function loadEnv(
  dirs: string[],
  processEnv: Record<string, string | undefined>,
  logger?: Logger,
): Record<string, string | undefined> {
  return readEnvLayers(dirs, processEnv, logger).merged;
}

/**
 * The folder "beside the executable" of a packaged app, where its `.env` lives:
 *  - Windows portable .exe: PORTABLE_EXECUTABLE_DIR (the .exe unpacks itself to a temp folder first)
 *  - Linux AppImage: the folder of the .AppImage file (APPIMAGE), not the read-only mount
 *  - macOS: the folder holding Agent Centralizer.app (not inside the signed bundle)
 *  - otherwise (NSIS install, .deb, unpacked): the folder of the executable
 */
export function executableDir(
  execPath: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.PORTABLE_EXECUTABLE_DIR) return env.PORTABLE_EXECUTABLE_DIR;
  if (env.APPIMAGE) return dirname(env.APPIMAGE);
  if (platform === 'darwin') {
    const bundle = /^(.*)\/[^/]+\.app\/Contents\/MacOS\/[^/]+$/.exec(execPath);
    if (bundle) return bundle[1] || '/';
  }
  return dirname(execPath);
}
