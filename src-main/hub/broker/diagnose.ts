/**
 * Turn amqplib / socket / TLS errors into a reason code and words an operator can act on.
 *
 * The mapping is based on what amqplib 2.3 and RabbitMQ 3.10 actually produce (checked against a real
 * node in test/integration/broker-diagnose.test.ts):
 *   wrong user or password → `Handshake terminated by server: 403 (ACCESS-REFUSED) …`
 *   missing vhost / no access → `Expected ConnectionOpenOk; got <ConnectionClose channel:0>` (amqplib drops
 *     the 530 NOT_ALLOWED text during the handshake, so "missing" and "no permission" look the same)
 *   closed port → ECONNREFUSED, unknown host → ENOTFOUND / EAI_AGAIN, silent host → `connect ETIMEDOUT`
 *   amqps:// against a plain port → ERR_SSL_WRONG_VERSION_NUMBER
 *   something else on the port (an HTTP proxy, say) → `Frame size N exceeds maxFrameSize` / abrupt close
 */

import type { BrokerDiagnosis, BrokerReasonCode } from '../../../src-shared';

// The reason codes and the diagnosis shape are part of the console contract (src-shared/broker-protocol.ts).
export type { BrokerDiagnosis, BrokerReasonCode };

/** What the words may mention about the target (display-safe: no password). */
export interface DiagnoseContext {
  host?: string;
  port?: number;
  username?: string;
  vhost?: string;
  /** True once the connection had been open: a network error then means "lost", not "unreachable". */
  wasConnected?: boolean;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|HOSTNAME_MISMATCH|ERR_OSSL_)/;

function errorFields(err: unknown): { code: string; message: string } {
  if (err instanceof Error || (typeof err === 'object' && err !== null)) {
    const e = err as { code?: unknown; message?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : typeof e.code === 'number' ? String(e.code) : '',
      message: typeof e.message === 'string' ? e.message : String(err),
    };
  }
  return { code: '', message: String(err) };
}

/** Mask URL credentials in error text (amqplib sometimes echoes what it was given). */
export function maskSecrets(text: string): string {
  return text.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');
}

function target(ctx: DiagnoseContext): string {
  if (!ctx.host) return 'the broker';
  return ctx.port ? `${ctx.host}:${ctx.port}` : ctx.host;
}

export function diagnoseError(err: unknown, ctx: DiagnoseContext = {}): BrokerDiagnosis {
  const { code, message } = errorFields(err);
  const detail = maskSecrets(code && !message.includes(code) ? `${code}: ${message}` : message).trim();
  const where = target(ctx);
  const make = (c: BrokerReasonCode, words: string): BrokerDiagnosis => ({ code: c, message: words, detail });

  // Authentication: the server refuses the login during the handshake.
  if (/ACCESS[-_]REFUSED|\b403\b.*handshake|handshake terminated by server: 403/i.test(message)) {
    const user = ctx.username ? ` "${ctx.username}"` : '';
    return make(
      'auth_failed',
      `Wrong user or password: ${where} refused the login for user${user}. Check RABBITMQ_USER and RABBITMQ_PASSWORD (guest/guest only works from the broker's own machine).`,
    );
  }
  // Virtual host: connection.open refused (530 NOT_ALLOWED), or the text when amqplib keeps it.
  if (
    /Expected ConnectionOpenOk; got <ConnectionClose/i.test(message) ||
    /NOT_ALLOWED.*vhost|access to vhost|vhost .* not found/i.test(message)
  ) {
    const vhost = ctx.vhost ? `"${ctx.vhost}"` : 'the virtual host';
    return make(
      'vhost_missing',
      `Virtual host ${vhost} does not exist on ${where}, or the user has no permission on it. Check RABBITMQ_VHOST (the default is "/").`,
    );
  }
  // TLS: handshake or certificate problems, including amqps:// against a plain AMQP port.
  if (
    TLS_CODES.test(code) ||
    /wrong version number|certificate|ssl routines|\btls\b|self[- ]signed/i.test(message)
  ) {
    const hint = /wrong version number|WRONG_VERSION/i.test(`${code} ${message}`)
      ? ' The port does not speak TLS: use amqp:// (RABBITMQ_TLS=false) or the broker\u2019s TLS port (usually 5671).'
      : /ALTNAME|hostname|IP: .* is not in the cert/i.test(`${code} ${message}`)
        ? ' The certificate does not name this host: connect with the name it was issued for.'
        : /SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|unknown ca|certificate/i.test(`${code} ${message}`)
          ? ' The broker\u2019s certificate is not trusted: install its CA certificate on this machine.'
          : '';
    return make('tls_error', `TLS error talking to ${where}.${hint}`);
  }
  if (UNREACHABLE_CODES.has(code) || /connect ETIMEDOUT|getaddrinfo|timed out/i.test(message)) {
    const why =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name does not resolve'
        : code === 'ECONNREFUSED'
          ? 'nothing is listening on that port'
          : /ETIMEDOUT|timed out/i.test(`${code} ${message}`)
            ? 'no answer (firewall or wrong address?)'
            : 'no route to the host';
    return make(
      'unreachable',
      `Cannot reach ${where}: ${why}. Check RABBITMQ_HOST and RABBITMQ_PORT, and that RabbitMQ is running.`,
    );
  }
  // Something answered, but not AMQP (an HTTP service, a TLS-only port with amqp://, a proxy).
  if (
    /Frame size \d+ exceeds maxFrameSize|Invalid frame|Unknown frame|Socket closed abruptly during opening handshake|Expected Connection(Start|Tune)|Frame on channel != 0 during handshake/i.test(
      message,
    ) &&
    !ctx.wasConnected
  ) {
    return make(
      'not_amqp',
      `${where} answered, but not as an AMQP 0-9-1 broker. Check the port (AMQP is usually 5672, AMQPS 5671) and whether it expects TLS.`,
    );
  }
  if (/CONNECTION[-_]FORCED|\b320\b/.test(message)) {
    return make(
      'closed_by_broker',
      `${where} closed the connection (broker shutting down or an operator closed it). Reconnecting.`,
    );
  }
  if (
    LOST_CODES.has(code) ||
    /Heartbeat timeout|Unexpected close|Socket closed|Connection closed/i.test(message) ||
    (ctx.wasConnected && UNREACHABLE_CODES.has(code))
  ) {
    return make('connection_lost', `Lost the connection to ${where}. Reconnecting.`);
  }
  return make('other', `Broker error from ${where}: ${detail || 'unknown error'}`);
}

/** Words for a `blocked` notification (RabbitMQ paused our publishers: memory or disk alarm). */
export function diagnoseBlocked(reason: string, ctx: DiagnoseContext = {}): BrokerDiagnosis {
  return {
    code: 'blocked',
    message: `${target(ctx)} paused publishing (${reason || 'resource alarm'}). Configuration changes wait in the outbox until it recovers.`,
    detail: reason,
  };
}
