import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'dotenv';

/**
 * The environment the hub reads: the given .env files (first file wins over later ones), with the
 * process environment winning over all files, so a service manager can always override a file.
 * A .env that cannot be parsed is reported, not ignored silently.
 */
export function loadEnv(
  files: string[],
  processEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {};
  for (const file of [...files].reverse()) {
    if (!existsSync(file)) continue;
    try {
      Object.assign(merged, parse(readFileSync(file)));
    } catch (error) {
      console.error(`Agent Centralizer: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  return { ...merged, ...processEnv };
}
