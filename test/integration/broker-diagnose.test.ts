/**
 * Diagnosis against real endpoints: the real broker (wrong password, wrong user, missing vhost,
 * amqps:// on the plain port), a closed port, an unresolvable host, a non-AMQP server, and a TLS server
 * with a self-signed certificate. No mocks of amqplib.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBrokerSettings, type BrokerSettings } from '../../src-main/hub/broker/broker-settings';
import { testConnection } from '../../src-main/hub/broker/connection-manager';
import { ensureBroker, stopBroker } from '../helpers/broker';

let good: BrokerSettings;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const url = await ensureBroker();
  const resolved = resolveBrokerSettings({ RABBITMQ_URL: url });
  if (resolved.kind !== 'ok') throw new Error('bad broker URL');
  good = resolved.settings;
});
afterAll(() => stopBroker());

describe('testConnection against the real broker', () => {
  it('succeeds with the right settings and reports the server version', async () => {
    const result = await testConnection(good);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.product).toBe('RabbitMQ');
    expect(result.serverVersion).toMatch(/^\d+\.\d+/);
    expect(result.url).not.toContain(good.password === '' ? '\u0000' : `:${good.password}@`);
  });

  it('wrong password → auth_failed, and the password appears nowhere', async () => {
    const result = await testConnection({ ...good, password: 'definitely-wrong-s3cret' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnosis.code).toBe('auth_failed');
    expect(result.diagnosis.message).toMatch(/wrong user or password/i);
    expect(JSON.stringify(result)).not.toContain('definitely-wrong-s3cret');
  });

  it('unknown user → auth_failed', async () => {
    const result = await testConnection({ ...good, username: 'nobody-here', password: 'x' });
    expect(!result.ok && result.diagnosis.code).toBe('auth_failed');
  });

  it('missing vhost → vhost_missing, naming the vhost', async () => {
    const result = await testConnection({ ...good, vhost: 'no-such-vhost' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnosis.code).toBe('vhost_missing');
    expect(result.diagnosis.message).toContain('"no-such-vhost"');
  });

  it('amqps:// against the plain AMQP port → tls_error (wrong version number)', async () => {
    const result = await testConnection({ ...good, tls: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnosis.code).toBe('tls_error');
    expect(result.diagnosis.message).toMatch(/does not speak TLS/);
  });
});

describe('testConnection against things that are not the broker', () => {
  it('closed port → unreachable (nothing listening)', async () => {
    const port = await closedPort();
    const result = await testConnection({ ...good, host: '127.0.0.1', port });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnosis.code).toBe('unreachable');
    expect(result.diagnosis.message).toMatch(/nothing is listening/);
    expect(result.diagnosis.detail).toMatch(/ECONNREFUSED/);
  });

  it('unresolvable host → unreachable (does not resolve)', async () => {
    const result = await testConnection({ ...good, host: 'no-such-host.invalid' });
    expect(!result.ok && result.diagnosis.code).toBe('unreachable');
    expect(!result.ok && result.diagnosis.message).toMatch(/does not resolve/);
  });

  it('a server that accepts but never answers → unreachable (timeout), within the deadline', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    const port = await listen(server);
    const started = Date.now();
    const result = await testConnection({ ...good, host: '127.0.0.1', port }, { timeoutMs: 700 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(!result.ok && result.diagnosis.code).toBe('unreachable');
    for (const s of sockets) s.destroy();
    server.close();
  });

  it('an HTTP server on the port → not_amqp', async () => {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    });
    const port = await listen(server);
    const result = await testConnection({ ...good, host: '127.0.0.1', port });
    server.close();
    expect(!result.ok && result.diagnosis.code).toBe('not_amqp');
  });

  it('TLS server with a self-signed certificate → tls_error (not trusted)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const server = createTlsServer({
        key: readFileSync(join(dir, 'key.pem')),
        cert: readFileSync(join(dir, 'cert.pem')),
      });
      server.on('tlsClientError', () => {});
      const port = await listen(server);
      const result = await testConnection({ ...good, tls: true, host: 'localhost', port });
      server.close();
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.diagnosis.code).toBe('tls_error');
      expect(result.diagnosis.message).toMatch(/not trusted/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('not configured / invalid settings are reported without a network attempt', async () => {
    expect(await testConnection(resolveBrokerSettings({}))).toMatchObject({
      ok: false,
      diagnosis: { code: 'not_configured' },
    });
    expect(await testConnection(resolveBrokerSettings({ RABBITMQ_PORT: 'abc' }))).toMatchObject({
      ok: false,
      diagnosis: { code: 'invalid_settings' },
    });
  });
});
