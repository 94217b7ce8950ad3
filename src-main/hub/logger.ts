import { closeSync, fstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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

/** Whether a setting or field name holds a secret (its value is never shown or logged). */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

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
  options: { level?: LogLevel; write?: (line: string) => void; name?: string; file?: LogFile } = {},
): Logger {
  const min = ORDER[options.level ?? 'info'];
  const toConsole = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const file = options.file;
  // Lines are redacted before they reach either output, so the file never holds a secret either.
  const write = file
    ? (line: string): void => {
        toConsole(line);
        file.write(line);
      }
    : toConsole;
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

/** The hub's log file: one current file plus numbered older ones, rotated by size. */
export interface LogFile {
  /** The file being written now. */
  readonly path: string;
  write(line: string): void;
  close(): void;
}

export interface LogFileOptions {
  dir: string;
  /** File name of the current log; older ones get `.1` (newest) … `.<maxFiles - 1>` (oldest). */
  name?: string;
  /** Rotate before a line would take the current file past this size. */
  maxBytes?: number;
  /** Files kept in all, the current one included. */
  maxFiles?: number;
  /** Called once when the file cannot be written; logging goes on to the console only. */
  onError?: (error: Error) => void;
}

export const LOG_FILE_NAME = 'hub.log';
export const LOG_FILE_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_FILE_MAX_FILES = 5;

/**
 * Open (append to) the log file in `dir`, creating the folder. Writes are synchronous so the last
 * lines before a crash are on disk; a log line is small and the hub logs states, not traffic. A disk
 * error never takes the hub down: it is reported once and the file is given up.
 */
export function openLogFile(options: LogFileOptions): LogFile {
  const name = options.name ?? LOG_FILE_NAME;
  const maxBytes = options.maxBytes ?? LOG_FILE_MAX_BYTES;
  const maxFiles = Math.max(1, options.maxFiles ?? LOG_FILE_MAX_FILES);
  const path = join(options.dir, name);
  // Owner-only: logs name agents, hosts and users even with secrets masked.
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  let fd: number | null = openSync(path, 'a', 0o600);
  let size = fstatSync(fd).size;

  const fail = (error: unknown): void => {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // Already unusable; nothing more to do.
      }
    }
    fd = null;
    options.onError?.(error as Error);
  };

  const ignoreMissing = (action: () => void): void => {
    try {
      action();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  };

  const rotate = (): void => {
    closeSync(fd!);
    fd = null;
    if (maxFiles === 1) {
      ignoreMissing(() => unlinkSync(path));
    } else {
      ignoreMissing(() => unlinkSync(`${path}.${maxFiles - 1}`));
      for (let i = maxFiles - 2; i >= 1; i--) {
        ignoreMissing(() => renameSync(`${path}.${i}`, `${path}.${i + 1}`));
      }
      renameSync(path, `${path}.1`);
    }
    fd = openSync(path, 'a', 0o600);
    size = 0;
  };

  return {
    path,
    write(line) {
      if (fd === null) return;
      const data = `${line}\n`;
      const bytes = Buffer.byteLength(data);
      try {
        // A line longer than maxBytes still goes in, alone in its file.
        if (size > 0 && size + bytes > maxBytes) rotate();
        writeSync(fd!, data);
        size += bytes;
      } catch (error) {
        fail(error);
      }
    },
    close() {
      if (fd === null) return;
      try {
        closeSync(fd);
      } catch {
        // Closing is best effort.
      }
      fd = null;
    },
  };
}
