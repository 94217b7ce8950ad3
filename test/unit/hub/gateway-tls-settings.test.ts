/**
 * The TLS and limit settings (hub side) and the agent's --fingerprint / --ca arguments: defaults,
 * parsing, and a clear error naming the key or flag for a bad value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError, hubTrust } from '../../../src-agent/cli-args';
import { normalizeFingerprint } from '../../../src-agent/tls-pin';
import { generateSelfSigned, subjectNamesFor } from '../../../src-main/hub/gateway/tls';
import { resolveSettings } from '../../../src-main/hub/settings';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-tls-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const PIN = 'AB:'.repeat(31) + 'CD';

describe('gateway TLS and limit settings', () => {
  it('defaults to a self-signed certificate and the documented limits', () => {
    const s = resolveSettings({}, dir);
    expect(s.gateway.tls).toEqual({
      mode: 'self-signed',
      certFile: undefined,
      keyFile: undefined,
      hostnames: [],
    });
    expect(s.gateway).toMatchObject({ messageRate: 20, messageBurst: 60, maxBufferedBytes: 256 * 1024 });
  });

  it('reads files mode, extra hostnames and limits', () => {
    const s = resolveSettings(
      {
        CENTRALIZER_GATEWAY_TLS: 'files',
        CENTRALIZER_GATEWAY_TLS_CERT: '/etc/hub.crt',
        CENTRALIZER_GATEWAY_TLS_KEY: '/etc/hub.key',
        CENTRALIZER_GATEWAY_TLS_HOSTNAMES: ' hub.example.com, 10.1.2.3 ,,',
        CENTRALIZER_AGENT_MSG_RATE: '2.5',
        CENTRALIZER_AGENT_MSG_BURST: '5',
        CENTRALIZER_AGENT_MAX_BUFFERED_KB: '64',
      },
      dir,
    );
    expect(s.gateway.tls).toEqual({
      mode: 'files',
      certFile: '/etc/hub.crt',
      keyFile: '/etc/hub.key',
      hostnames: ['hub.example.com', '10.1.2.3'],
    });
    expect(s.gateway).toMatchObject({ messageRate: 2.5, messageBurst: 5, maxBufferedBytes: 64 * 1024 });
  });

  it.each([
    ['CENTRALIZER_GATEWAY_TLS', 'on'],
    ['CENTRALIZER_AGENT_MSG_RATE', '0'],
    ['CENTRALIZER_AGENT_MSG_BURST', '0.5'],
    ['CENTRALIZER_AGENT_MAX_BUFFERED_KB', 'lots'],
  ])('refuses %s=%s naming the key', (key, value) => {
    expect(() => resolveSettings({ [key]: value }, dir)).toThrow(key);
  });
});

describe('self-signed certificate names', () => {
  it('covers the bind address and configured names; a wildcard bind adds loopback and the host name', () => {
    expect(subjectNamesFor('10.0.0.7', ['hub.example.com'])).toEqual({
      dns: ['localhost', 'hub.example.com'],
      ips: ['10.0.0.7'],
    });
    const wildcard = subjectNamesFor('0.0.0.0');
    expect(wildcard.ips).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
    expect(wildcard.dns[0]).toBe('localhost');
  });

  it('generates a server certificate whose SAN lists those names', async () => {
    const { X509Certificate } = await import('node:crypto');
    const { cert } = generateSelfSigned({ dns: ['localhost', 'hub.example.com'], ips: ['10.0.0.7'] });
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).toBe('DNS:localhost, DNS:hub.example.com, IP Address:10.0.0.7');
    expect(x509.checkHost('hub.example.com')).toBe('hub.example.com');
    expect(x509.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(x509.ca).toBe(false);
  });
});

describe('agent --fingerprint / --ca', () => {
  it('normalises the forms an operator may paste', () => {
    expect(normalizeFingerprint(`sha256:${PIN.toLowerCase()}`)).toBe(PIN);
    expect(normalizeFingerprint(PIN.replace(/:/g, ''))).toBe(PIN);
    expect(normalizeFingerprint(`SHA-256 ${PIN}`)).toBe(PIN);
    expect(normalizeFingerprint('sha256:AB:CD')).toBeUndefined();
    expect(normalizeFingerprint(`${PIN}:EF`)).toBeUndefined();
    expect(normalizeFingerprint(PIN.replace('AB', 'ZZ'))).toBeUndefined();
  });

  it('takes the flag or CENTRALIZER_HUB_FINGERPRINT (flag wins)', () => {
    const url = 'wss://hub:8765/agent/v1';
    expect(hubTrust(url, `sha256:${PIN}`, undefined, {})).toEqual({ fingerprint: PIN });
    expect(hubTrust(url, undefined, undefined, { CENTRALIZER_HUB_FINGERPRINT: PIN })).toEqual({
      fingerprint: PIN,
    });
    const other = '00:'.repeat(31) + '11';
    expect(hubTrust(url, other, undefined, { CENTRALIZER_HUB_FINGERPRINT: PIN })).toEqual({
      fingerprint: other,
    });
    expect(hubTrust(url, undefined, undefined, {})).toEqual({});
  });

  it('reads --ca, and refuses bad pins, pins on ws:// and unusable CA files with a usage error', () => {
    const url = 'wss://hub:8765/agent/v1';
    const { cert } = generateSelfSigned({ dns: ['hub'], ips: [] });
    writeFileSync(join(dir, 'ca.pem'), cert);
    writeFileSync(join(dir, 'junk.pem'), 'hello');
    expect(hubTrust(url, undefined, join(dir, 'ca.pem'), {}).ca).toBe(cert);
    expect(hubTrust(url, undefined, undefined, { CENTRALIZER_HUB_CA: join(dir, 'ca.pem') }).ca).toBe(cert);
    const usage = (fn: () => unknown, message: RegExp) => {
      expect(fn).toThrow(UsageError);
      expect(fn).toThrow(message);
    };
    usage(() => hubTrust(url, 'sha256:1234', undefined, {}), /--fingerprint: expected sha256:AB:CD/);
    usage(() => hubTrust('ws://hub:8765/agent/v1', PIN, undefined, {}), /needs a wss:\/\/ URL/);
    usage(() => hubTrust('ws://hub:8765/agent/v1', undefined, join(dir, 'ca.pem'), {}), /--ca needs a wss/);
    usage(() => hubTrust(url, undefined, join(dir, 'missing.pem'), {}), /--ca: cannot read .*ENOENT/);
    usage(() => hubTrust(url, undefined, join(dir, 'junk.pem'), {}), /holds no PEM certificate/);
  });
});
