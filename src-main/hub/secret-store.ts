/**
 * Where the hub keeps secrets the operator types into the console (today: the broker password).
 * The hub never writes a secret in clear: the desktop app hands it an implementation backed by
 * Electron's safeStorage (src-main/electron/secret-store.ts); the headless hub has none, so there
 * passwords come from .env / the environment only.
 */
import type { BrokerSettingsView } from '../../src-shared';

export interface SecretStore {
  readonly backend: BrokerSettingsView['secretBackend'];
  get(key: string): string | undefined;
  /** `undefined` deletes. Throws when the store cannot keep secrets. */
  set(key: string, value: string | undefined): void;
}

export const noSecretStore: SecretStore = {
  backend: 'unavailable',
  get: () => undefined,
  set() {
    throw new Error(
      'this console cannot store passwords (headless mode): set RABBITMQ_PASSWORD in .env or the environment',
    );
  },
};

/** In-memory store for tests. */
export function memorySecretStore(backend: SecretStore['backend'] = 'os'): SecretStore {
  const values = new Map<string, string>();
  return {
    backend,
    get: (key) => values.get(key),
    set: (key, value) => (value === undefined ? values.delete(key) : values.set(key, value)),
  };
}
