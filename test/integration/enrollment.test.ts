/**
 * Agent enrollment against the real gateway (docs/adr/0002-agent-enrollment.md): no token, a wrong
 * token, a revoked credential and an unapproved agent are each refused before anything they send
 * changes state; enrollment issues a credential that works from then on and is kept only as a hash;
 * the enrollment token rotates; revocation closes the live connection, deletes the agent's queue on
 * a real broker and keeps or purges its history.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CloseCode, type EnrollmentView, type PresenceHistory, type RevokeResult } from '../../src-shared';
import { AgentClient, memoryCredentials, type DisconnectInfo } from '../../src-agent/client';
import { topologyNames } from '../../src-main/hub/broker/topology';
import { createLogger } from '../../src-main/hub/logger';
import { ensureBroker, stopBroker } from '../helpers/broker';
import { rawAgent, startTestHub, TEST_TOKEN, waitFor, type TestHub } from '../helpers/hub';
import { hello, metrics } from '../helpers/messages';

const hubs: TestHub[] = [];
const clients: AgentClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});
afterAll(() => stopBroker());

async function hub(env: Record<string, string> = {}, options: Parameters<typeof startTestHub>[1] = {}) {
  const t = await startTestHub(env, options);
  hubs.push(t);
  return t;
}

const call = <T>(t: TestHub, channel: string, input?: unknown) =>
  t.hub.console.request(channel, input) as Promise<T>;
const agentsOf = async (t: TestHub) => (await t.snapshot()).agents.map((a) => a.agentId);

/** Connect raw with `token`, send hello, wait for the socket to close or a welcome. */
async function helloWith(t: TestHub, token: string, overrides: Parameters<typeof hello>[0] = {}) {
  const agent = rawAgent(t.url, { token });
  await agent.opened;
  agent.send(hello(overrides));
  const outcome = await Promise.race([
    agent.closed,
    waitFor(() => agent.received.find((m) => m.type === 'welcome'), 5000, 'welcome').then(
      () => 'welcomed' as const,
    ),
  ]);
  return { agent, outcome };
}

/** Enroll `agentId` with the enrollment token and return its credential (connection closed after). */
async function enroll(t: TestHub, agentId: string, host = 'srv-01'): Promise<string> {
  const { agent, outcome } = await helloWith(t, TEST_TOKEN, { agentId, hostname: host });
  expect(outcome).toBe('welcomed');
  const enrolled = agent.received.find((m) => m.type === 'enrolled') as {
    credential: string;
    status: string;
  };
  expect(enrolled.status).toBe('accepted');
  agent.ws.close();
  await agent.closed;
  return enrolled.credential;
}

function client(t: TestHub, agentId: string, credentials = memoryCredentials(), token = TEST_TOKEN) {
  const c = new AgentClient({
    url: t.url,
    token,
    credentials,
    identity: { agentId, name: agentId, hostname: `${agentId}-host`, platform: 'linux', agentVersion: '1' },
    metrics: () => metrics(),
    backoff: { initialMs: 50, maxMs: 400 },
  });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('refused before anything changes state', () => {
  it.each([
    ['no token', null],
    ['a wrong token', 'not-the-enrollment-token-at-all'],
    ['a made-up credential', `ac1_${'A'.repeat(43)}`],
  ])('%s: HTTP 401 at the upgrade, no socket, counted', async (_name, token) => {
    const t = await hub();
    const agent = rawAgent(t.url, { token });
    await expect(agent.opened).rejects.toThrow('HTTP 401');
    expect(t.hub.status().gateway.refusedAuth).toBe(1);
    expect(await agentsOf(t)).toEqual([]);
    expect((await call<EnrollmentView>(t, 'getEnrollment')).enrolledAgents).toBe(0);
  });

  it('a revoked credential: HTTP 403 at the upgrade; the agent stays removed', async () => {
    const t = await hub();
    const credential = await enroll(t, 'agent-1');
    const result = await call<RevokeResult>(t, 'revokeAgent', { agentId: 'agent-1', purgeHistory: false });
    expect(result).toMatchObject({ credentialDeleted: true, connectionClosed: false, queue: 'no_broker' });
    expect(await agentsOf(t)).toEqual([]);
    const refusedBefore = t.hub.status().gateway.refusedAuth;
    const agent = rawAgent(t.url, { token: credential });
    await expect(agent.opened).rejects.toThrow('HTTP 403');
    expect(t.hub.status().gateway.refusedAuth).toBe(refusedBefore + 1);
    expect(await agentsOf(t)).toEqual([]);
  });

  it('an unapproved agent: gets its credential, but nothing is processed until accepted', async () => {
    const t = await hub();
    await call(t, 'setApprovalMode', { enabled: true });
    const first = await helloWith(t, TEST_TOKEN, { agentId: 'new-1', hostname: 'srv-new' });
    expect(first.outcome).toMatchObject({ code: CloseCode.PENDING_APPROVAL });
    const enrolled = first.agent.received.find((m) => m.type === 'enrolled') as {
      credential: string;
      status: string;
    };
    expect(enrolled.status).toBe('pending');
    expect(first.agent.received.some((m) => m.type === 'welcome')).toBe(false);
    expect(await agentsOf(t)).toEqual([]);
    const view = await call<EnrollmentView>(t, 'getEnrollment');
    expect(view.pending).toEqual([expect.objectContaining({ agentId: 'new-1', hostname: 'srv-new' })]);
    expect(t.hub.status().enrollment).toEqual({ pending: 1, approvalMode: true });

    // Retrying with the pending credential: still nothing processed, not even metrics sent at once.
    const again = rawAgent(t.url, { token: enrolled.credential });
    await again.opened;
    again.send(hello({ agentId: 'new-1', hostname: 'srv-new' }));
    again.send(metrics());
    expect(await again.closed).toMatchObject({ code: CloseCode.PENDING_APPROVAL });
    expect(await agentsOf(t)).toEqual([]);
    expect(t.hub.status().gateway.messages).toBeGreaterThan(0);

    await call(t, 'acceptAgent', { agentId: 'new-1' });
    const accepted = await helloWith(t, enrolled.credential, { agentId: 'new-1', hostname: 'srv-new' });
    expect(accepted.outcome).toBe('welcomed');
    expect(await agentsOf(t)).toEqual(['new-1']);
    expect((await call<EnrollmentView>(t, 'getEnrollment')).pending).toEqual([]);
    accepted.agent.ws.close();
  });

  it('a rejected agent: its credential is refused from then on', async () => {
    const t = await hub();
    await call(t, 'setApprovalMode', { enabled: true });
    const first = await helloWith(t, TEST_TOKEN, { agentId: 'bad-1' });
    const { credential } = first.agent.received.find((m) => m.type === 'enrolled') as { credential: string };
    await call(t, 'rejectAgent', { agentId: 'bad-1' });
    await expect(rawAgent(t.url, { token: credential }).opened).rejects.toThrow('HTTP 403');
    await expect(call(t, 'acceptAgent', { agentId: 'bad-1' })).rejects.toMatchObject({ code: 'bad_request' });
    expect(await agentsOf(t)).toEqual([]);
  });

  it("a credential used with another agent's id, or the enrollment token used for an enrolled id: 4001", async () => {
    const t = await hub();
    const credential = await enroll(t, 'agent-1', 'srv-01');
    const other = await helloWith(t, credential, { agentId: 'agent-2', hostname: 'evil' });
    expect(other.outcome).toMatchObject({ code: CloseCode.UNAUTHORIZED });
    const takeover = await helloWith(t, TEST_TOKEN, { agentId: 'agent-1', hostname: 'evil' });
    expect(takeover.outcome).toMatchObject({ code: CloseCode.UNAUTHORIZED });
    expect(takeover.agent.received.some((m) => m.type === 'enrolled')).toBe(false);
    const agents = (await t.snapshot()).agents;
    expect(agents.map((a) => [a.agentId, a.hostname])).toEqual([['agent-1', 'srv-01']]);
  });

  it('two connections enrolling the same agent id at once: one gets a credential, the other is refused', async () => {
    // Close reasons are capped at 123 bytes by the protocol; the refusal must fit whatever the id.
    const t = await hub();
    const agentId = 'a'.repeat(128);
    const racers = [rawAgent(t.url), rawAgent(t.url)];
    await Promise.all(racers.map((r) => r.opened));
    for (const r of racers) r.send(hello({ agentId, hostname: 'srv-race' }));
    await waitFor(
      () => racers.some((r) => r.received.some((m) => m.type === 'welcome')),
      5000,
      'the winner welcomed',
    );
    const loser = racers.find((r) => !r.received.some((m) => m.type === 'welcome'))!;
    const closed = await loser.closed;
    expect(closed.code).toBe(CloseCode.UNAUTHORIZED);
    expect(closed.reason).toContain('already enrolled');
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    expect(await agentsOf(t)).toEqual([agentId]);
  });
});

describe('enrollment', () => {
  it('enroll → credential → the agent reconnects with it; a fresh process with the same id cannot', async () => {
    const t = await hub();
    const keeper = memoryCredentials();
    const statuses: string[] = [];
    const first = client(t, 'agent-a', keeper);
    first.on('enrolled', (s) => statuses.push(s));
    first.start();
    await waitFor(() => first.state === 'online', 5000, 'online');
    expect(statuses).toEqual(['accepted']);
    const credential = keeper.load();
    expect(credential).toMatch(/^ac1_[A-Za-z0-9_-]{43}$/);
    await first.stop();

    const second = client(t, 'agent-a', keeper);
    second.on('enrolled', (s) => statuses.push(s));
    second.start();
    await waitFor(() => second.state === 'online', 5000, 'online again');
    expect(statuses).toEqual(['accepted']); // no second enrollment
    await second.stop();

    const impostor = client(t, 'agent-a'); // same id, no credential: enrollment token only
    const closes: DisconnectInfo[] = [];
    impostor.on('disconnected', (info) => closes.push(info));
    impostor.start();
    await waitFor(() => closes.length > 0, 5000, 'refusal');
    expect(closes[0]!.code).toBe(CloseCode.UNAUTHORIZED);
    expect(impostor.stats().welcomes).toBe(0);
  });

  it('keeps only the hash: the credential is in no file of the hub and in no log line', async () => {
    const lines: string[] = [];
    const t = await hub({}, { logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) });
    const credential = await enroll(t, 'agent-1');
    await helloWith(t, 'wrong-token-wrong-token').catch(() => undefined);
    await t.hub.stop();
    const hash = createHash('sha256').update(credential).digest('hex');
    const files = filesUnder(t.dataDir);
    const all = files.map((f) => readFileSync(f, 'latin1')).join('\n');
    expect(all).not.toContain(credential);
    expect(all).toContain(hash);
    const file = join(t.dataDir, 'enrollment.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lines.join('\n')).not.toContain(credential);
    expect(lines.some((l) => l.includes('agent enrolled'))).toBe(true);
  });

  it('survives a restart: the credential still works, the revoked one still does not', async () => {
    const first = await hub({}, { keepDataDir: true });
    const kept = await enroll(first, 'keep-me');
    const gone = await enroll(first, 'revoke-me');
    await call(first, 'revokeAgent', { agentId: 'revoke-me', purgeHistory: false });
    await first.hub.stop();
    const t = await hub({}, { dataDir: first.dataDir });
    const again = await helloWith(t, kept, { agentId: 'keep-me' });
    expect(again.outcome).toBe('welcomed');
    await expect(rawAgent(t.url, { token: gone }).opened).rejects.toThrow('HTTP 403');
    expect((await agentsOf(t)).sort()).toEqual(['keep-me']);
    again.agent.ws.close();
  });

  it('rotates the enrollment token: the old one stops enrolling at once, enrolled agents are unaffected', async () => {
    const t = await hub({ CENTRALIZER_AGENT_TOKEN: '' });
    const before = await call<{ token: string }>(t, 'revealEnrollmentToken');
    const view = await call<EnrollmentView>(t, 'getEnrollment');
    expect(view.tokenSource).toBe('generated');
    expect(view.tokenMasked).not.toContain(before.token);
    const enrolledAgent = await helloWith(t, before.token, { agentId: 'old-1' });
    const { credential } = enrolledAgent.agent.received.find((m) => m.type === 'enrolled') as {
      credential: string;
    };
    enrolledAgent.agent.ws.close();

    await call(t, 'rotateEnrollmentToken');
    const after = await call<{ token: string }>(t, 'revealEnrollmentToken');
    expect(after.token).not.toBe(before.token);
    await expect(rawAgent(t.url, { token: before.token }).opened).rejects.toThrow('HTTP 401');
    expect((await helloWith(t, credential, { agentId: 'old-1' })).outcome).toBe('welcomed');
    expect((await helloWith(t, after.token, { agentId: 'new-1' })).outcome).toBe('welcomed');
    const secrets = JSON.parse(readFileSync(join(t.dataDir, 'hub-secrets.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(secrets.agentToken).toBe(after.token);
    const info = await call<{ token: string }>(t, 'getAgentConnectionInfo');
    expect(info.token).toBe(after.token);
  });

  it('refuses to rotate a token pinned by CENTRALIZER_AGENT_TOKEN', async () => {
    const t = await hub();
    await expect(call(t, 'rotateEnrollmentToken')).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('CENTRALIZER_AGENT_TOKEN'),
    });
    expect((await call<{ token: string }>(t, 'revealEnrollmentToken')).token).toBe(TEST_TOKEN);
  });
});

describe('revoke', () => {
  it('closes the live connection with REVOKED, the agent stops for good, its queue is deleted', async () => {
    const brokerUrl = await ensureBroker();
    const prefix = `enroll-${process.pid}`;
    const t = await hub({ RABBITMQ_URL: brokerUrl, CENTRALIZER_TOPOLOGY_PREFIX: prefix });
    await waitFor(async () => (await t.snapshot()).status.broker.state === 'connected', 15_000, 'broker');
    const queue = topologyNames(prefix).agentQueue('live-1');
    const conn = await amqp.connect(brokerUrl);
    const queueExists = async (): Promise<boolean> => {
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      try {
        await ch.checkQueue(queue);
        await ch.close();
        return true;
      } catch {
        return false; // 404 closes the channel
      }
    };
    try {
      const c = client(t, 'live-1');
      const stopped = new Promise<string>((resolve) => c.once('stopped', resolve));
      const closes: DisconnectInfo[] = [];
      c.on('disconnected', (info) => closes.push(info));
      c.start();
      await waitFor(() => c.state === 'online', 5000, 'online');
      await waitFor(() => queueExists(), 5000, 'queue declared');

      const result = await call<RevokeResult>(t, 'revokeAgent', { agentId: 'live-1', purgeHistory: false });
      expect(result).toEqual({
        agentId: 'live-1',
        credentialDeleted: true,
        connectionClosed: true,
        queue: 'deleted',
        historyPurged: false,
      });
      expect(await stopped).toMatch(/4007/);
      expect(closes.at(-1)).toMatchObject({ code: CloseCode.REVOKED, willReconnect: false });
      expect(await queueExists()).toBe(false);
      expect(await agentsOf(t)).toEqual([]);
      await waitFor(
        () => t.deltas.some((d) => d.removedAgents.includes('live-1')),
        2000,
        'removal pushed to consoles',
      );
    } finally {
      await conn.close();
    }
  });

  it('with the broker unreachable: the queue deletion is recorded for later', async () => {
    const t = await hub({
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1',
      CENTRALIZER_BROKER_RETRY_MAX_SEC: '1',
    });
    await enroll(t, 'offline-1');
    const result = await call<RevokeResult>(t, 'revokeAgent', { agentId: 'offline-1', purgeHistory: false });
    expect(result.queue).toBe('deferred');
    const file = JSON.parse(readFileSync(join(t.dataDir, 'enrollment.json'), 'utf8')) as {
      queueDeletes: string[];
    };
    expect(file.queueDeletes).toEqual(['offline-1']);
  });

  it.each([
    [false, 'kept'],
    [true, 'purged'],
  ])(
    'purgeHistory %s: presence history and configuration %s, the revocation audited',
    async (purgeHistory, expected) => {
      const t = await hub();
      await enroll(t, 'hist-1', 'hist-host');
      await call(t, 'sendConfig', { agentId: 'hist-1', config: { logLevel: 'debug' } });
      const history = (kind: 'agent' | 'server', id: string) =>
        call<PresenceHistory | null>(t, 'getPresenceHistory', { kind, id, range: '24h' });
      await waitFor(async () => (await history('agent', 'hist-1')) !== null, 2000, 'history');
      await call(t, 'revokeAgent', { agentId: 'hist-1', purgeHistory });
      const agent = await history('agent', 'hist-1');
      const server = await history('server', 'hist-host');
      const config = await call<{ override: Record<string, unknown> }>(t, 'getAgentConfig', {
        agentId: 'hist-1',
      });
      if (expected === 'kept') {
        expect(agent?.bands.length).toBeGreaterThan(0);
        expect(server).not.toBeNull();
        expect(config.override).toEqual({ logLevel: 'debug' });
      } else {
        expect(agent).toBeNull();
        expect(server).toBeNull();
        expect(config.override).toEqual({});
      }
      const audit = await call<{ action: string; summary: string }[]>(t, 'queryAudit', { agentId: 'hist-1' });
      expect(audit.filter((e) => e.action === 'agent.revoke')).toHaveLength(1);
    },
  );

  it('refuses to revoke an agent it does not know', async () => {
    const t = await hub();
    await expect(call(t, 'revokeAgent', { agentId: 'nobody', purgeHistory: true })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});
