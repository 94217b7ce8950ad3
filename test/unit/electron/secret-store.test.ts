import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetElectronMock, safeStorage } from './electron-mock';
import { createSafeStorageSecretStore } from '../../../src-main/electron/secret-store';

vi.mock('electron', () => import('./electron-mock'));

let dir: string;
beforeEach(() => {
  resetElectronMock();
  dir = mkdtempSync(join(tmpdir(), 'ac-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('safeStorage secret store', () => {
  it('writes only ciphertext and reads the secret back, also after a restart', () => {
    const store = createSafeStorageSecretStore(dir);
    store.set('rabbitmq.password', 'hunter2-secret');
    const onDisk = readFileSync(join(dir, 'secrets.json'), 'utf8');
    expect(onDisk).not.toContain('hunter2-secret');
    expect(store.get('rabbitmq.password')).toBe('hunter2-secret');
    expect(createSafeStorageSecretStore(dir).get('rabbitmq.password')).toBe('hunter2-secret');
    expect(store.backend).toBe('os');
  });

  it('deletes a secret', () => {
    const store = createSafeStorageSecretStore(dir);
    store.set('k', 'v');
    store.set('k', undefined);
    expect(store.get('k')).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('reports basic_text when Linux has no keyring', () => {
    safeStorage.backend = 'basic_text';
    expect(createSafeStorageSecretStore(dir).backend).toBe('basic_text');
  });

  it('refuses to store a secret when no encryption is available, writing nothing', () => {
    safeStorage.available = false;
    const store = createSafeStorageSecretStore(dir);
    expect(store.backend).toBe('unavailable');
    expect(() => store.set('rabbitmq.password', 'x')).toThrow(/no OS encryption/);
    expect(() => readFileSync(join(dir, 'secrets.json'))).toThrow();
  });

  it('returns undefined for a blob it cannot decrypt instead of throwing', () => {
    const store = createSafeStorageSecretStore(dir);
    store.set('k', 'v');
    safeStorage.decryptString.mockImplementationOnce(() => {
      throw new Error('keyring changed');
    });
    expect(store.get('k')).toBeUndefined();
  });
});
