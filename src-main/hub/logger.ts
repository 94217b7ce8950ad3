/**
 * Minimal structured logger. Secrets never reach it: callers log names and states, not credentials,
 * and `redact` masks anything that looks like a token, password or URL credential as a safety net.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|credential/i;

/** Mask credentials in URLs (amqp://user:pass@host) and values of secret-looking keys. */
export function redact(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== undefined && value !== '') return '***';
  if (typeof value === 'string') return value.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  }
  return value;
}

export function createLogger(
  options: { level?: LogLevel; write?: (line: string) => void; name?: string } = {},
): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (ORDER[level] < min) return;
      const extra = fields ? ` ${JSON.stringify(redact(fields))}` : '';
      write(
        `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${options.name ? `[${options.name}] ` : ''}${redact(message) as string}${extra}`,
      );
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that discards everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
