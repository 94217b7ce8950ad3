/**
 * Transport security of the agent gateway: which certificate it serves, and the HTTP(S) server.
 *
 * Modes (CENTRALIZER_GATEWAY_TLS):
 *  - `self-signed` (default): a certificate and key generated on first use into
 *    `<data dir>/gateway-tls/`, reused on every restart (agents pin its SHA-256 fingerprint, so it
 *    must not change behind their back), regenerated only on request or when it has expired.
 *  - `files`: certificate and key (PEM) from CENTRALIZER_GATEWAY_TLS_CERT / _KEY, e.g. issued by the
 *    organisation's CA; agents then verify normally (or with --ca).
 *  - `off`: plain ws, for a lab. The token travels in clear text; the console shows a warning.
 *
 * Loading never throws: a problem becomes `error` (naming the settings key), the gateway stays down
 * and the console shows why — it never falls back to plain ws on its own.
 *
 * Node cannot create X.509 certificates, so node-forge builds and signs the certificate; the RSA key
 * pair itself comes from Node's native crypto (fast, and forge's pure-JS keygen is not needed).
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export type GatewayTlsMode = 'off' | 'self-signed' | 'files';

export interface GatewayTlsSettings {
  mode: GatewayTlsMode;
  /** `files` mode: PEM certificate (chain) and private key paths. */
  certFile?: string;
  keyFile?: string;
  /** Extra DNS names / IPs for the self-signed certificate (the names agents use to reach the hub). */
  hostnames: string[];
}

export interface GatewayTlsMaterial {
  cert: string;
  key: string;
  /** `sha256:AB:CD:…` of the (leaf) certificate: what agents pin with --fingerprint. */
  fingerprint: string;
  /** Expiry, ms since the epoch. */
  notAfter: number;
  /** Subject alternative names, e.g. ["DNS:localhost", "IP Address:127.0.0.1"]. */
  subjectAltNames: string[];
}

export interface ResolvedGatewayTls {
  mode: GatewayTlsMode;
  material?: GatewayTlsMaterial;
  /** Why TLS could not be set up (the gateway does not listen then). */
  error?: string;
  /** Self-signed: where the certificate lives, and whether it was created by this call. */
  certFile?: string;
  generated?: boolean;
}

export const TLS_DIR = 'gateway-tls';
const CERT_FILE = 'gateway.crt';
const KEY_FILE = 'gateway.key';
/** Long on purpose: agents pin the fingerprint, and a new certificate means updating every agent. */
const SELF_SIGNED_VALIDITY_DAYS = 5 * 365;
const DAY_MS = 86_400_000;

/** `sha256:AB:CD:…`, the form agents take with --fingerprint. */
export function certificateFingerprint(certPem: string): string {
  return `sha256:${new X509Certificate(certPem).fingerprint256}`;
}

/** Names a certificate for a gateway bound to `listenHost` should carry (plus configured extras). */
export function subjectNamesFor(listenHost: string, extra: string[] = []): { dns: string[]; ips: string[] } {
  const names = new Set<string>(['localhost', ...extra]);
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    names.add('127.0.0.1');
    names.add('::1');
    try {
      names.add(osHostname());
    } catch {
      // No hostname: the IPs are enough.
    }
    for (const list of Object.values(networkInterfaces())) {
      for (const info of list ?? []) if (!info.internal) names.add(info.address.split('%')[0]!);
    }
  } else {
    names.add(listenHost);
  }
  const dns: string[] = [];
  const ips: string[] = [];
  for (const name of names) {
    if (!name) continue;
    if (isIP(name)) ips.push(name);
    else dns.push(name);
  }
  return { dns, ips };
}

/** A new self-signed RSA-2048 / SHA-256 server certificate for the given names. */
export function generateSelfSigned(
  names: { dns: string[]; ips: string[] },
  now: number = Date.now(),
): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // Random positive serial (leading 0x01 keeps the DER integer positive).
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(now - 5 * 60_000); // tolerate agents whose clock is a bit behind
  cert.validity.notAfter = new Date(now + SELF_SIGNED_VALIDITY_DAYS * DAY_MS);
  const subject = [
    { name: 'commonName', value: names.dns[0] ?? 'Agent Centralizer gateway' },
    { name: 'organizationName', value: 'Agent Centralizer (self-signed gateway)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...names.dns.map((value) => ({ type: 2, value })),
        ...names.ips.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

/** Parse and cross-check a certificate and key; throws an Error saying what is wrong. */
function inspect(certPem: string, keyPem: string, labels: { cert: string; key: string }): GatewayTlsMaterial {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch (error) {
    throw new Error(`${labels.cert}: not a PEM certificate (${(error as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new Error(`${labels.key}: not an unencrypted PEM private key (${(error as Error).message})`);
  }
  if (!x509.checkPrivateKey(key)) {
    throw new Error(`${labels.key}: the private key does not belong to the certificate in ${labels.cert}`);
  }
  return {
    cert: certPem,
    key: keyPem,
    fingerprint: `sha256:${x509.fingerprint256}`,
    notAfter: Date.parse(x509.validTo),
    subjectAltNames: (x509.subjectAltName ?? '').split(', ').filter(Boolean),
  };
}

function readPem(path: string | undefined, key: string): string {
  if (!path) throw new Error(`${key} is not set (CENTRALIZER_GATEWAY_TLS=files needs it)`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`${key}: cannot read ${path} (${code})`);
  }
}

function loadFiles(settings: GatewayTlsSettings): GatewayTlsMaterial {
  const cert = readPem(settings.certFile, 'CENTRALIZER_GATEWAY_TLS_CERT');
  const key = readPem(settings.keyFile, 'CENTRALIZER_GATEWAY_TLS_KEY');
  return inspect(cert, key, { cert: 'CENTRALIZER_GATEWAY_TLS_CERT', key: 'CENTRALIZER_GATEWAY_TLS_KEY' });
}

/**
 * The self-signed certificate in `dir`, created when missing, unreadable, expired, or lacking one of
 * the explicitly configured hostnames; `regenerate` forces a new one. Key written 0600, dir 0700.
 */
function loadOrCreateSelfSigned(
  dir: string,
  names: { dns: string[]; ips: string[] },
  required: string[],
  options: { regenerate?: boolean; now: number; onNote: (note: string) => void },
): { material: GatewayTlsMaterial; generated: boolean } {
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (!options.regenerate) {
    try {
      const material = inspect(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'), {
        cert: certPath,
        key: keyPath,
      });
      const missing = required.filter(
        (name) => !material.subjectAltNames.some((san) => san.endsWith(`:${name}`)),
      );
      if (material.notAfter <= options.now) options.onNote('the self-signed certificate has expired');
      else if (missing.length) options.onNote(`certificate lacks configured name(s) ${missing.join(', ')}`);
      else return { material, generated: false };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        options.onNote(`existing certificate unusable: ${(error as Error).message}`);
      }
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { cert, key } = generateSelfSigned(names, options.now);
  // Key first and atomically, 0600 from creation; chmod too in case an old file had looser bits.
  writeFileSync(`${keyPath}.tmp`, key, { mode: 0o600 });
  chmodSync(`${keyPath}.tmp`, 0o600);
  renameSync(`${keyPath}.tmp`, keyPath);
  writeFileSync(`${certPath}.tmp`, cert, { mode: 0o644 });
  renameSync(`${certPath}.tmp`, certPath);
  return { material: inspect(cert, key, { cert: certPath, key: keyPath }), generated: true };
}

/** Resolve the gateway's TLS material for its mode. Never throws (see the module comment). */
export function resolveGatewayTls(
  settings: GatewayTlsSettings,
  dataDir: string,
  listenHost: string,
  options: { regenerate?: boolean; now?: number; onNote?: (note: string) => void } = {},
): ResolvedGatewayTls {
  if (settings.mode === 'off') return { mode: 'off' };
  try {
    if (settings.mode === 'files') return { mode: 'files', material: loadFiles(settings) };
    const dir = join(dataDir, TLS_DIR);
    const { material, generated } = loadOrCreateSelfSigned(
      dir,
      subjectNamesFor(listenHost, settings.hostnames),
      settings.hostnames,
      {
        regenerate: options.regenerate,
        now: options.now ?? Date.now(),
        onNote: options.onNote ?? (() => {}),
      },
    );
    return { mode: 'self-signed', material, generated, certFile: join(dir, CERT_FILE) };
  } catch (error) {
    return { mode: settings.mode, error: (error as Error).message };
  }
}

/** The gateway's HTTP server: HTTPS with the material, plain HTTP without (mode `off`). */
export function createGatewayServer(
  material: GatewayTlsMaterial | undefined,
  handler: RequestListener,
): Server {
  if (!material) return createHttpServer(handler);
  return createHttpsServer({ cert: material.cert, key: material.key, minVersion: 'TLSv1.2' }, handler);
}
