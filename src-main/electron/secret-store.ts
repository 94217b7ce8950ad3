/**
 * SecretStore backed by Electron's safeStorage (DPAPI on Windows, Keychain on macOS, the Secret
 * Service / KWallet on Linux). Only ciphertext reaches the disk (`secrets.json` in userData).
 * On Linux without a keyring safeStorage falls back to `basic_text` (obfuscation, not protection):
 * the store still works but reports that backend so the console can warn the operator.
 * Without any encryption available, saving a secret is refused rather than written in clear.
 */
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { z } from 'zod';
import type { Logger } from '../hub/logger';
import type { SecretStore } from '../hub/secret-store';
import { readJsonFile, writeJsonFileAtomic } from '../hub/store/json-file';

const FileSchema = z.record(z.string(), z.string());

export function createSafeStorageSecretStore(userDataDir: string, logger?: Logger): SecretStore {
  const file = join(userDataDir, 'secrets.json');
  const available = safeStorage.isEncryptionAvailable();
  const linuxBackend =
    process.platform === 'linux' && typeof safeStorage.getSelectedStorageBackend === 'function'
      ? safeStorage.getSelectedStorageBackend()
      : undefined;
  const backend: SecretStore['backend'] = !available
    ? 'unavailable'
    : linuxBackend === 'basic_text' || linuxBackend === 'unknown'
      ? 'basic_text'
      : 'os';
  let blobs: Record<string, string> = readJsonFile<Record<string, string>>(
    file,
    FileSchema,
    () => ({}),
    logger,
  );

  return {
    backend,
    get(key) {
      const blob = blobs[key];
      if (!blob || !available) return undefined;
      try {
        return safeStorage.decryptString(Buffer.from(blob, 'base64'));
      } catch (error) {
        logger?.error('a stored secret could not be decrypted (keyring changed?)', {
          key,
          error: String(error),
        });
        return undefined;
      }
    },
    set(key, value) {
      if (value !== undefined && !available) {
        throw new Error('no OS encryption is available to store this password; set it in .env instead');
      }
      const next = { ...blobs };
      if (value === undefined) delete next[key];
      else next[key] = safeStorage.encryptString(value).toString('base64');
      writeJsonFileAtomic(file, next);
      blobs = next;
    },
  };
}
