/**
 * Broker settings: where the hub's RabbitMQ is and how to log in, resolved from environment-style
 * variables (process.env, a .env file, or the Settings screen, which hands over the same keys).
 *
 *   RABBITMQ_URL            amqp[s]://user:password@host:port/vhost?heartbeat=15   (wins when set)
 *   RABBITMQ_HOST, RABBITMQ_PORT, RABBITMQ_USER, RABBITMQ_PASSWORD, RABBITMQ_VHOST, RABBITMQ_TLS (true/false)
 *   RABBITMQ_HEARTBEAT_SEC  applies to both forms (default 15)
 *
 * None of them set → "not configured" (the hub runs without a broker and the UI says so).
 * The password never leaves this module except inside `toConnectOptions` (handed straight to amqplib);
 * everything shown or logged uses `displayUrl`, which masks it.
 */
import type { Options } from 'amqplib';

export const BROKER_ENV_KEYS = [
  'RABBITMQ_URL',
  'RABBITMQ_HOST',
  'RABBITMQ_PORT',
  'RABBITMQ_USER',
  'RABBITMQ_PASSWORD',
  'RABBITMQ_VHOST',
  'RABBITMQ_TLS',
  'RABBITMQ_HEARTBEAT_SEC',
] as const;
export type BrokerEnv = Partial<Record<(typeof BROKER_ENV_KEYS)[number], string | undefined>>;

export const DEFAULT_HEARTBEAT_SEC = 15;

export interface BrokerSettings {
  tls: boolean;
  host: string;
  port: number;
  username: string;
  password: string;
  /** RabbitMQ virtual host; "/" is the default one. */
  vhost: string;
  heartbeatSec: number;
}

export type BrokerSettingsResult =
  | { kind: 'not_configured' }
  /** Something is set but cannot be used; `problem` is safe to show (never contains the password). */
  | { kind: 'invalid'; problem: string }
  | { kind: 'ok'; settings: BrokerSettings; source: 'url' | 'variables' };

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

function parseBool(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`${name} must be true or false, not "${raw}"`);
}

function parseIntIn(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be a whole number ${min}–${max}`);
  return n;
}

function fromUrl(raw: string): Omit<BrokerSettings, 'heartbeatSec'> & { heartbeatSec?: number } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // Do not echo the value: it normally contains the password.
    throw new Error('RABBITMQ_URL is not a valid URL (expected amqp://user:password@host:port/vhost)');
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    throw new Error(`RABBITMQ_URL must start with amqp:// or amqps://, not ${url.protocol}//`);
  }
  if (!url.hostname) throw new Error('RABBITMQ_URL has no host');
  const tls = url.protocol === 'amqps:';
  const path = url.pathname.replace(/^\//, '');
  const heartbeat = url.searchParams.get('heartbeat');
  return {
    tls,
    // WHATWG URL keeps IPv6 hosts in brackets; net.connect wants them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : tls ? 5671 : 5672,
    username: url.username ? decodeUrlPart(url.username, 'user name') : 'guest',
    password: url.password ? decodeUrlPart(url.password, 'password') : url.username ? '' : 'guest',
    vhost: path === '' ? '/' : decodeUrlPart(path, 'vhost'),
    ...(heartbeat !== null ? { heartbeatSec: parseIntIn('heartbeat', heartbeat, 0, 3600) } : {}),
  };
}

/**
 * decodeURIComponent, but a bad %-escape (e.g. a raw "%" in a password) says where it is instead of
 * a bare "URI malformed"; the value itself is not echoed (it may be the password).
 */
function decodeUrlPart(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new Error(`RABBITMQ_URL: the ${what} has an invalid %-escape (write a literal % as %25)`);
  }
}

/** Resolve settings from environment-style variables (defaults to process.env). Never throws. */
export function resolveBrokerSettings(env: BrokerEnv = process.env as BrokerEnv): BrokerSettingsResult {
  if (!BROKER_ENV_KEYS.some((key) => present(env[key]))) return { kind: 'not_configured' };
  try {
    const heartbeatOverride = present(env.RABBITMQ_HEARTBEAT_SEC)
      ? parseIntIn('RABBITMQ_HEARTBEAT_SEC', env.RABBITMQ_HEARTBEAT_SEC, 0, 3600)
      : undefined;
    if (present(env.RABBITMQ_URL)) {
      const parsed = fromUrl(env.RABBITMQ_URL);
      return {
        kind: 'ok',
        source: 'url',
        settings: {
          ...parsed,
          heartbeatSec: heartbeatOverride ?? parsed.heartbeatSec ?? DEFAULT_HEARTBEAT_SEC,
        },
      };
    }
    const tls = present(env.RABBITMQ_TLS) ? parseBool('RABBITMQ_TLS', env.RABBITMQ_TLS) : false;
    const host = present(env.RABBITMQ_HOST) ? env.RABBITMQ_HOST.trim() : 'localhost';
    if (/[\s/@]/.test(host)) throw new Error('RABBITMQ_HOST must be a host name or address, not a URL');
    return {
      kind: 'ok',
      source: 'variables',
      settings: {
        tls,
        host: host.replace(/^\[(.*)\]$/, '$1'),
        port: present(env.RABBITMQ_PORT)
          ? parseIntIn('RABBITMQ_PORT', env.RABBITMQ_PORT, 1, 65535)
          : tls
            ? 5671
            : 5672,
        username: present(env.RABBITMQ_USER) ? env.RABBITMQ_USER.trim() : 'guest',
        password: env.RABBITMQ_PASSWORD ?? (present(env.RABBITMQ_USER) ? '' : 'guest'),
        vhost: present(env.RABBITMQ_VHOST) ? env.RABBITMQ_VHOST.trim() : '/',
        heartbeatSec: heartbeatOverride ?? DEFAULT_HEARTBEAT_SEC,
      },
    };
  } catch (err) {
    return { kind: 'invalid', problem: (err as Error).message };
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** amqp://user:***@host:port/vhost — safe for logs and the UI. */
export function displayUrl(settings: BrokerSettings): string {
  const vhost = settings.vhost === '/' ? '' : `/${encodeURIComponent(settings.vhost)}`;
  const user = encodeURIComponent(settings.username);
  const auth = settings.password ? `${user}:***@` : `${user}@`;
  return `${settings.tls ? 'amqps' : 'amqp'}://${auth}${hostForUrl(settings.host)}:${settings.port}${vhost}`;
}

/** The object form amqplib takes (no URL round trip, so passwords with any characters work). */
export function toConnectOptions(settings: BrokerSettings): Options.Connect {
  return {
    protocol: settings.tls ? 'amqps' : 'amqp',
    hostname: settings.host,
    port: settings.port,
    username: settings.username,
    password: settings.password,
    vhost: settings.vhost,
    heartbeat: settings.heartbeatSec,
  };
}
