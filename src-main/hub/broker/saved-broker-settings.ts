/**
 * Broker settings saved from the console's Settings screen: host, port, user, vhost and TLS in a
 * plain JSON file in the data folder, the password in the SecretStore (OS keyring), never in the file.
 * Saved settings win over .env / environment broker keys, so what the operator typed is what runs;
 * the Settings screen says which source is active.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { BrokerSettingsInput, BrokerSettingsView } from '../../../src-shared';
import type { Logger } from '../logger';
import type { SecretStore } from '../secret-store';
import { readJsonFile, writeJsonFileAtomic } from '../store/json-file';
import { resolveBrokerSettings, type BrokerEnv, type BrokerSettingsResult } from './broker-settings';

const PASSWORD_KEY = 'rabbitmq.password';
const FileSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  vhost: z.string(),
  tls: z.boolean(),
});
type Saved = z.infer<typeof FileSchema>;

export class SavedBrokerSettings {
  private readonly file: string;
  private saved: Saved | null;

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
    private readonly env: BrokerEnv,
    logger?: Logger,
  ) {
    this.file = join(dataDir, 'broker-settings.json');
    this.saved = readJsonFile<Saved | null>(this.file, FileSchema.nullable(), () => null, logger);
  }

  /** The settings the hub should use now. */
  active(): BrokerSettingsResult {
    return this.saved
      ? resolveBrokerSettings(this.toEnv(this.saved, undefined))
      : resolveBrokerSettings(this.env);
  }

  /** Resolve settings typed in the form (for "Test connection"), filling a missing password from storage. */
  fromInput(input: BrokerSettingsInput): BrokerSettingsResult {
    return resolveBrokerSettings(this.toEnv(input, input.password));
  }

  save(input: BrokerSettingsInput): void {
    if (input.password !== undefined) this.secrets.set(PASSWORD_KEY, input.password);
    const { password: _password, ...rest } = input;
    writeJsonFileAtomic(this.file, rest);
    this.saved = rest;
  }

  view(): BrokerSettingsView {
    const result = this.active();
    const source = this.saved ? 'settings' : result.kind === 'not_configured' ? 'none' : 'env';
    const s = result.kind === 'ok' ? result.settings : undefined;
    return {
      source,
      host: s?.host ?? this.saved?.host ?? 'localhost',
      port: s?.port ?? this.saved?.port ?? 5672,
      username: s?.username ?? this.saved?.username ?? 'guest',
      vhost: s?.vhost ?? this.saved?.vhost ?? '/',
      tls: s?.tls ?? this.saved?.tls ?? false,
      hasPassword: Boolean(s?.password),
      secretBackend: this.secrets.backend,
    };
  }

  private toEnv(s: Omit<BrokerSettingsInput, 'password'>, password: string | undefined): BrokerEnv {
    return {
      RABBITMQ_HOST: s.host,
      RABBITMQ_PORT: String(s.port),
      RABBITMQ_USER: s.username,
      RABBITMQ_PASSWORD:
        password ?? this.secrets.get(PASSWORD_KEY) ?? (this.saved ? '' : this.env.RABBITMQ_PASSWORD),
      RABBITMQ_VHOST: s.vhost,
      RABBITMQ_TLS: String(s.tls),
      RABBITMQ_HEARTBEAT_SEC: this.env.RABBITMQ_HEARTBEAT_SEC,
    };
  }
}
