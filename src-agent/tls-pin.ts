/**
 * Certificate pinning for agents that connect to a hub with a self-signed certificate.
 *
 * The agent is given the SHA-256 fingerprint the console shows (`--fingerprint sha256:AB:CD:…`).
 * It opens the TLS connection itself, compares the peer certificate's fingerprint256 once the
 * handshake is done, and only then hands the socket to the WebSocket client — so not one byte (in
 * particular not the token in the upgrade request) is written to a hub that is not the pinned one.
 * A mismatch is an error, never a fallback to CA verification or to plain ws.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';

/**
 * Normalises what an operator pastes (`sha256:ab:cd…`, `AB:CD…`, `abcd…`) to `AB:CD:…` (the form of
 * Node's `fingerprint256`), or undefined when it is not 32 bytes of hex.
 */
export function normalizeFingerprint(input: string): string | undefined {
  const hex = input
    .trim()
    .replace(/^sha-?256[:=\s]*/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

export class FingerprintMismatchError extends Error {
  override name = 'FingerprintMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(
      `the hub's certificate fingerprint is sha256:${actual ?? '(none)'}, not the pinned sha256:${expected}; ` +
        'refusing to connect (a different hub, or someone in between). If the hub certificate was ' +
        'regenerated, give this agent the new --fingerprint from the console.',
    );
  }
}

/**
 * Open a TLS connection to a wss:// URL and resolve once the peer certificate matches `expected`
 * (already normalised). Rejects with FingerprintMismatchError, a timeout, or the socket error.
 */
export function pinnedTlsConnect(url: string, expected: string, timeoutMs: number): Promise<TLSSocket> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise<TLSSocket>((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port: Number(target.port || 443),
      // SNI only for names (Node warns about IPs); the pin, not the name, is what is verified.
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TLS handshake with ${target.host} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const actual = socket.getPeerCertificate()?.fingerprint256?.toUpperCase();
      if (actual !== expected) {
        socket.destroy();
        reject(new FingerprintMismatchError(expected, actual));
        return;
      }
      resolve(socket);
    });
  });
}
