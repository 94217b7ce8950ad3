/**
 * The agent's own credential (issued by the hub at enrollment) in a file readable by its owner only
 * (0600), written atomically (temporary file + rename) so a crash never leaves half a credential.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CredentialKeeper } from './client';

export const CREDENTIAL_FILE = 'credential';

export function fileCredentials(file: string, warn: (message: string) => void = () => {}): CredentialKeeper {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8').trim();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(`cannot read the agent credential ${file}: ${(error as Error).message}`);
      }
      if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
        // Someone widened it: narrow it again rather than leave a secret readable by others.
        chmodSync(file, 0o600);
        warn(`${file} was readable by other users; permissions set back to 0600`);
      }
      return text === '' || /\s/.test(text) ? undefined : text;
    },
    save(credential) {
      if (credential === undefined) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, `${credential}\n`, { mode: 0o600 });
      renameSync(tmp, file);
    },
  };
}
