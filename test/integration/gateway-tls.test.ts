/**
 * Gateway transport security with real sockets: wss with a generated self-signed certificate that
 * agents pin, wss with certificate files, and plain ws (lab) with its warning.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient, type AgentClientOptions } from '../../src-agent/client';
import { startSimulator } from '../../src-agent/simulator';
import { FingerprintMismatchError } from '../../src-agent/tls-pin';
import type { AgentConnectionInfo, Metrics } from '../../src-shared';
import { TLS_DIR, generateSelfSigned } from '../../src-main/hub/gateway/tls';
import type { Logger } from '../../src-main/hub/logger';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';
import { startNode } from '../helpers/processes';

const metrics = (): Metrics => ({
  type: 'metrics',
  ts: Date.now(),
  cpu: { percent: 5, cores: 2, load: [0, 0, 0] },
  memory: { usedBytes: 1, totalBytes: 2 },
  disks: [],
  network: { rxBytesPerSec: 0, txBytesPerSec: 0 },
  uptimeSec: 1,
});

const hubs: TestHub[] = [];
const clients: AgentClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function hubWith(env: Record<string, string>, options: Parameters<typeof startTestHub>[1] = {}) {
  const hub = await startTestHub(env, options);
  hubs.push(hub);
  return hub;
}

function agent(hub: TestHub, id: string, extra: Partial<AgentClientOptions> = {}): AgentClient {
  const client = new AgentClient({
    url: hub.url,
    token: 'test-agent-token-0123456789',
    identity: { agentId: id, name: id, hostname: `${id}-host`, platform: 'linux', agentVersion: '1.0.0' },
    metrics,
    backoff: { initialMs: 50, maxMs: 200 },
    ...extra,
  });
  clients.push(client);
  return client;
}

/** Resolves with the first `error` the client reports (it keeps retrying in the background). */
const firstError = (client: AgentClient): Promise<Error> =>
  new Promise((resolve) => client.once('error', (error) => resolve(error)));

const online = (hub: TestHub, id: string) =>
  waitFor(
    async () => (await hub.snapshot()).agents.find((a) => a.agentId === id && a.presence === 'online'),
    8000,
    `${id} online`,
  );

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ac-tls-'));
  dirs.push(dir);
  return dir;
}

function capturingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('gateway TLS: self-signed (default)', () => {
  it('serves wss with a generated certificate that a pinned agent accepts, and keeps it across restarts', async () => {
    const dataDir = tempDir();
    const hub = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'self-signed' }, { dataDir, keepDataDir: true });
    const tls = hub.hub.status().gateway.tls!;
    const fingerprint = tls.fingerprint!;
    expect(tls.mode).toBe('self-signed');
    expect(tls.fingerprint).toMatch(/^sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(tls.subjectAltNames).toContain('IP Address:127.0.0.1');
    expect(hub.url.startsWith('wss://')).toBe(true);
    expect(hub.hub.status().gateway.urls.every((u) => u.startsWith('wss://'))).toBe(true);

    // Key owner-only; the certificate on disk is the one served.
    const keyMode = statSync(join(dataDir, TLS_DIR, 'gateway.key')).mode & 0o777;
    expect(keyMode).toBe(0o600);
    const onDisk = new X509Certificate(readFileSync(join(dataDir, TLS_DIR, 'gateway.crt')));
    expect(`sha256:${onDisk.fingerprint256}`).toBe(tls.fingerprint);

    // The console gives the operator the fingerprint and a command line that pins it.
    const info = (await hub.hub.console.request('getAgentConnectionInfo', undefined)) as AgentConnectionInfo;
    expect(info.fingerprint).toBe(tls.fingerprint);
    expect(info.exampleCommand).toContain(`--fingerprint ${tls.fingerprint}`);
    expect(info.exampleCommand).toContain('wss://');

    const client = agent(hub, 'pinned-1', { fingerprint: tls.fingerprint });
    client.start();
    await online(hub, 'pinned-1');
    await client.stop();
    clients.splice(0);

    // Restart on the same data dir: same certificate, same fingerprint (agents keep their pin).
    await hub.close();
    hubs.splice(0);
    const again = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'self-signed' }, { dataDir, keepDataDir: true });
    expect(again.hub.status().gateway.tls?.fingerprint).toBe(tls.fingerprint);
    const client2 = agent(again, 'pinned-2', { fingerprint: fingerprint.toLowerCase() });
    client2.start();
    await online(again, 'pinned-2');
  });

  it('an agent pinning another fingerprint refuses the hub before sending anything', async () => {
    const hub = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'self-signed' });
    const wrong = `sha256:${'AB:'.repeat(31)}AB`;
    const client = agent(hub, 'mitm-victim', { fingerprint: wrong });
    let connected = false;
    client.on('connected', () => (connected = true));
    const error = firstError(client);
    client.start();
    const err = await error;
    expect(err).toBeInstanceOf(FingerprintMismatchError);
    expect(err.message).toContain('not the pinned sha256:AB:AB');
    expect(err.message).toContain(hub.hub.status().gateway.tls!.fingerprint!.slice(7));
    // Retries keep refusing: no upgrade request (so no token) ever reached the gateway.
    await new Promise((r) => setTimeout(r, 400));
    expect(connected).toBe(false);
    const status = hub.hub.status().gateway;
    expect(status.messages).toBe(0);
    expect(status.refusedAuth).toBe(0);
    expect(status.connections).toBe(0);
  });

  it('without a pin, normal CA verification refuses the self-signed certificate; --ca with it works', async () => {
    const dataDir = tempDir();
    const hub = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'self-signed' }, { dataDir, keepDataDir: true });
    const unpinned = agent(hub, 'unpinned');
    const error = firstError(unpinned);
    unpinned.start();
    expect((await error).message).toMatch(/self[- ]signed certificate/i);
    await unpinned.stop();

    const ca = readFileSync(join(dataDir, TLS_DIR, 'gateway.crt'), 'utf8');
    const trusted = agent(hub, 'ca-trusted', { ca });
    trusted.start();
    await online(hub, 'ca-trusted');
  });

  it('regenerates the certificate on request: new pin works, old pin refused, open connections kept', async () => {
    const dataDir = tempDir();
    const hub = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'self-signed' }, { dataDir, keepDataDir: true });
    const old = hub.hub.status().gateway.tls!.fingerprint!;
    const early = agent(hub, 'early', { fingerprint: old });
    early.start();
    await online(hub, 'early');

    const { fingerprint } = (await hub.hub.console.request('regenerateGatewayCertificate', undefined)) as {
      fingerprint: string;
    };
    expect(fingerprint).not.toBe(old);
    expect(hub.hub.status().gateway.tls?.fingerprint).toBe(fingerprint);
    const onDisk = new X509Certificate(readFileSync(join(dataDir, TLS_DIR, 'gateway.crt')));
    expect(`sha256:${onDisk.fingerprint256}`).toBe(fingerprint);
    expect(statSync(join(dataDir, TLS_DIR, 'gateway.key')).mode & 0o777).toBe(0o600);

    const stale = agent(hub, 'stale', { fingerprint: old });
    const refused = firstError(stale);
    stale.start();
    expect(await refused).toBeInstanceOf(FingerprintMismatchError);
    const fresh = agent(hub, 'fresh', { fingerprint });
    fresh.start();
    await online(hub, 'fresh');
    // The connection made before the change is still the same, still online.
    expect(early.state).toBe('online');
    expect((await hub.snapshot()).agents.find((a) => a.agentId === 'early')?.presence).toBe('online');
  });

  it('a plain ws client cannot talk to a TLS gateway', async () => {
    const hub = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'self-signed' });
    const plain = rawAgent(hub.url.replace('wss://', 'ws://'));
    await expect(plain.opened).rejects.toThrow();
    expect(hub.hub.status().gateway.connections).toBe(0);
  });
});

describe('gateway TLS: certificate files', () => {
  it('serves the configured certificate; agents verify it with --ca', async () => {
    const dir = tempDir();
    const { cert, key } = generateSelfSigned({ dns: ['localhost'], ips: ['127.0.0.1'] });
    writeFileSync(join(dir, 'hub.crt'), cert);
    writeFileSync(join(dir, 'hub.key'), key, { mode: 0o600 });
    const hub = await hubWith({
      CENTRALIZER_GATEWAY_TLS: 'files',
      CENTRALIZER_GATEWAY_TLS_CERT: join(dir, 'hub.crt'),
      CENTRALIZER_GATEWAY_TLS_KEY: join(dir, 'hub.key'),
    });
    const tls = hub.hub.status().gateway.tls!;
    expect(tls.mode).toBe('files');
    expect(tls.fingerprint).toBe(`sha256:${new X509Certificate(cert).fingerprint256}`);
    const client = agent(hub, 'files-ca', { ca: cert });
    client.start();
    await online(hub, 'files-ca');
    const pinned = agent(hub, 'files-pin', { fingerprint: tls.fingerprint });
    pinned.start();
    await online(hub, 'files-pin');
  });

  it('an unreadable key: the hub starts, the gateway does not listen and names the key', async () => {
    const dir = tempDir();
    const { cert } = generateSelfSigned({ dns: ['localhost'], ips: ['127.0.0.1'] });
    writeFileSync(join(dir, 'hub.crt'), cert);
    const hub = await hubWith({
      CENTRALIZER_GATEWAY_TLS: 'files',
      CENTRALIZER_GATEWAY_TLS_CERT: join(dir, 'hub.crt'),
      CENTRALIZER_GATEWAY_TLS_KEY: join(dir, 'missing.key'),
    });
    const gateway = hub.hub.status().gateway;
    expect(gateway.state).toBe('error');
    expect(gateway.error).toContain('CENTRALIZER_GATEWAY_TLS_KEY');
    expect(gateway.error).toContain('ENOENT');
    expect(gateway.tls?.error).toContain('CENTRALIZER_GATEWAY_TLS_KEY');
    expect(gateway.urls).toEqual([]);
    // The rest of the hub works: the console answers.
    const snapshot = await hub.snapshot();
    expect(snapshot.status.gateway.state).toBe('error');
  });

  it('a key that does not match the certificate is refused with a clear error', async () => {
    const dir = tempDir();
    const a = generateSelfSigned({ dns: ['localhost'], ips: [] });
    const b = generateSelfSigned({ dns: ['localhost'], ips: [] });
    writeFileSync(join(dir, 'a.crt'), a.cert);
    writeFileSync(join(dir, 'b.key'), b.key);
    writeFileSync(join(dir, 'junk.crt'), 'not a certificate');
    const mismatched = await hubWith({
      CENTRALIZER_GATEWAY_TLS: 'files',
      CENTRALIZER_GATEWAY_TLS_CERT: join(dir, 'a.crt'),
      CENTRALIZER_GATEWAY_TLS_KEY: join(dir, 'b.key'),
    });
    expect(mismatched.hub.status().gateway.error).toMatch(
      /CENTRALIZER_GATEWAY_TLS_KEY: the private key does not belong to the certificate/,
    );
    const junk = await hubWith({
      CENTRALIZER_GATEWAY_TLS: 'files',
      CENTRALIZER_GATEWAY_TLS_CERT: join(dir, 'junk.crt'),
      CENTRALIZER_GATEWAY_TLS_KEY: join(dir, 'b.key'),
    });
    expect(junk.hub.status().gateway.error).toMatch(/CENTRALIZER_GATEWAY_TLS_CERT: not a PEM certificate/);
  });
});

describe('gateway TLS: off (lab)', () => {
  it('serves plain ws, says so in the status and warns in the log', async () => {
    const logger = capturingLogger();
    const hub = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'off' }, { logger });
    const gateway = hub.hub.status().gateway;
    expect(gateway.tls).toEqual(expect.objectContaining({ mode: 'off', fingerprint: undefined }));
    expect(gateway.urls.every((u) => u.startsWith('ws://'))).toBe(true);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('TLS is off') }),
    );
    const info = (await hub.hub.console.request('getAgentConnectionInfo', undefined)) as AgentConnectionInfo;
    expect(info.fingerprint).toBeUndefined();
    expect(info.exampleCommand).not.toContain('--fingerprint');
    const client = agent(hub, 'lab-agent');
    client.start();
    await online(hub, 'lab-agent');
    // Nothing to regenerate without a self-signed certificate: a clear refusal.
    await expect(hub.hub.console.request('regenerateGatewayCertificate', undefined)).rejects.toThrow(
      /only a self-signed certificate/,
    );
  });
});

describe('simulator with a pinned fingerprint', () => {
  it('brings its virtual agents online over wss', async () => {
    const hub = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'self-signed' });
    const sim = startSimulator({
      url: hub.url,
      token: 'test-agent-token-0123456789',
      fingerprint: hub.hub.status().gateway.tls!.fingerprint!,
      count: 5,
      prefix: 'pinned-sim',
      summaryEverySec: 0,
      log: () => {},
    });
    try {
      await sim.waitForOnline(5, 15_000);
      await waitFor(
        async () => (await hub.snapshot()).agents.filter((a) => a.presence === 'online').length === 5,
        8000,
        '5 simulated agents online',
      );
    } finally {
      await sim.stop();
    }
  });
});

describe('agent CLI (built) with a pinned fingerprint', () => {
  it('connects with --fingerprint, refuses a wrong one, and rejects a pin on ws://', async () => {
    const hub = await hubWith({ CENTRALIZER_GATEWAY_TLS: 'self-signed' });
    const fingerprint = hub.hub.status().gateway.tls!.fingerprint!;
    const stateDir = tempDir();
    const base = ['--url', hub.url, '--token', 'test-agent-token-0123456789', '--state-dir', stateDir];
    const good = startNode(
      'dist/main/agent.js',
      [...base, '--id', 'cli-pinned', '--fingerprint', fingerprint],
      {},
    );
    try {
      await good.waitForLine(/hub certificate pinned: sha256:/);
      await good.waitForLine(/online \(metrics every/);
      await online(hub, 'cli-pinned');
    } finally {
      await good.stop();
    }
    const wrong = startNode(
      'dist/main/agent.js',
      [...base, '--id', 'cli-wrong', '--state-dir', tempDir(), '--fingerprint', `${'00:'.repeat(31)}00`],
      {},
    );
    try {
      await wrong.waitForLine(/not the pinned sha256:00:00/);
      expect((await hub.snapshot()).agents.find((a) => a.agentId === 'cli-wrong')).toBeUndefined();
    } finally {
      await wrong.stop();
    }
    const plain = startNode(
      'dist/main/agent.js',
      ['--url', hub.url.replace('wss://', 'ws://'), '--token', 'x'.repeat(20), '--fingerprint', fingerprint],
      {},
    );
    const code =
      plain.child.exitCode ??
      (await new Promise<number | null>((r) => plain.child.once('exit', (c) => r(c))));
    expect(code).toBe(2);
    expect(plain.output()).toContain('--fingerprint needs a wss:// URL');
  });
});

describe('AgentClient TLS options', () => {
  it('refuses a pin on a ws:// URL and a malformed pin at construction', () => {
    const base = {
      token: 'x'.repeat(20),
      identity: { agentId: 'a', name: 'a', hostname: 'h', platform: 'linux', agentVersion: '1' },
      metrics,
    };
    expect(
      () =>
        new AgentClient({ ...base, url: 'ws://127.0.0.1:1/agent/v1', fingerprint: `${'AB:'.repeat(31)}AB` }),
    ).toThrow(/needs a wss:\/\/ hub URL/);
    expect(
      () => new AgentClient({ ...base, url: 'wss://127.0.0.1:1/agent/v1', fingerprint: 'sha256:1234' }),
    ).toThrow(/32 bytes of hex/);
  });
});
