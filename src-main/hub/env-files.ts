import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { Logger } from './logger';

/**
 * Read `.env` files (dotenv syntax) and merge them under the real environment: a variable set in the
 * environment wins over the file, as dotenv does by default. Missing files are fine.
 */
export function loadEnv(
  dirs: string[],
  processEnv: Record<string, string | undefined>,
  logger?: Logger,
): Record<string, string | undefined> {
  const fromFiles: Record<string, string> = {};
  for (const dir of [...dirs].reverse()) {
    const file = join(dir, '.env');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger?.warn('could not read .env', { file, error: (error as Error).message });
      }
      continue;
    }
    Object.assign(fromFiles, parseDotenv(text));
    logger?.info('loaded .env', { file });
  }
  return { ...fromFiles, ...processEnv };
}
