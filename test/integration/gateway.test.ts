import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_LIMITS, CloseCode } from '../../src-shared';
import { hello, metrics } from '../helpers/messages';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';

let t: TestHub;
beforeEach(async () => {
  t = await startTestHub();
});
afterEach(async () => {
  await t.close();
});

const agentIn = async (id: string) => (await t.snapshot()).agents.find((a) => a.agentId === id);

/** `token`: the enrollment token (default: the hello enrolls the agent) or an agent's credential. */
async function connected(id = 'agent-1', host = 'srv-01', token?: string) {
  const agent = rawAgent(t.url, { token });
  await agent.opened;
  agent.send(hello({ agentId: id, hostname: host }));
  await waitFor(() => agent.received.find((m) => m.type === 'welcome'), 3000, 'welcome');
  return agent;
}

describe('gateway authentication', () => {
  it.each([
    ['no token', null],
    ['a wrong token', 'wrong-token-wrong-token'],
  ])('refuses %s with HTTP 401 before the upgrade', async (_name, token) => {
    const agent = rawAgent(t.url, { token });
    await expect(agent.opened).rejects.toThrow('HTTP 401');
    expect(t.hub.status().gateway.refusedAuth).toBe(1);
    expect((await t.snapshot()).agents).toHaveLength(0);
  });

  it('refuses other paths with 404', async () => {
    const agent = rawAgent(t.url.replace('/agent/v1', '/other'));
    await expect(agent.opened).rejects.toThrow('HTTP 404');
  });
});

describe('gateway protocol', () => {
  it('hello → welcome with the intervals → agent online in snapshot and delta', async () => {
    const agent = await connected();
    // A first hello with the enrollment token enrolls the agent: its credential comes before welcome.
    expect(agent.received.map((m) => m.type)).toEqual(['enrolled', 'welcome']);
    expect(agent.received[1]).toMatchObject({
      type: 'welcome',
      protocol: 1,
      metricsIntervalSec: 0.2,
      pingIntervalSec: 0.3,
    });
    expect(await agentIn('agent-1')).toMatchObject({
      presence: 'online',
      reason: 'connected',
      serverId: 'srv-01',
    });
    await waitFor(
      () => t.deltas.some((d) => d.agents.some((a) => a.agentId === 'agent-1' && a.presence === 'online')),
      2000,
      'online delta',
    );
    expect(t.hub.status().gateway.connections).toBe(1);
    agent.ws.close();
  });

  it('metrics → latest metrics on the server', async () => {
    const agent = await connected();
    agent.send(metrics({ cpu: { percent: 63.5, cores: 2, load: [1, 1, 1] } }));
    const server = await waitFor(
      async () => (await t.snapshot()).servers.find((s) => s.metrics?.cpuPercent === 63.5),
      2000,
      'metrics',
    );
    expect(server.metrics).toMatchObject({ cores: 2, memoryTotalBytes: 8 * 1024 ** 3 });
    agent.ws.close();
  });

  it('a clean disconnect → offline (clean_disconnect) in a delta within 1 s', async () => {
    const agent = await connected();
    const start = Date.now();
    agent.ws.close(1000);
    const delta = await waitFor(
      () => t.deltas.find((d) => d.agents.some((a) => a.agentId === 'agent-1' && a.presence === 'offline')),
      1000,
      'offline delta',
    );
    expect(delta.agents.find((a) => a.agentId === 'agent-1')?.reason).toBe('clean_disconnect');
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('an idle client that answers pings stays online for many intervals, with no false alarm', async () => {
    const agent = rawAgent(t.url);
    await agent.opened;
    agent.send(hello());
    await waitFor(() => agent.received.find((m) => m.type === 'welcome'), 3000, 'welcome');
    let pings = 0;
    agent.ws.on('ping', () => pings++);
    // 10 ping intervals (300 ms) without sending anything: only pongs keep it alive.
    await new Promise((r) => setTimeout(r, 3000));
    expect(pings).toBeGreaterThanOrEqual(5);
    expect((await agentIn('agent-1'))?.presence).toBe('online');
    expect(t.deltas.flatMap((d) => d.agents).some((a) => a.presence === 'offline')).toBe(false);
  });

  it('a client that stops answering pings → offline (ping_timeout) within 1.5 ping intervals', async () => {
    const agent = rawAgent(t.url, { autoPong: false });
    await agent.opened;
    agent.send(hello());
    await waitFor(() => agent.received.find((m) => m.type === 'welcome'), 3000, 'welcome');
    const start = Date.now();
    const offline = await waitFor(
      async () => {
        const a = await agentIn('agent-1');
        return a?.presence === 'offline' ? a : undefined;
      },
      3000,
      'ping timeout',
    );
    expect(offline.reason).toBe('ping_timeout');
    // 1.5 × 300 ms, plus one delta flush (100 ms) and timer slack on a loaded machine.
    expect(Date.now() - start).toBeLessThanOrEqual(1.5 * 300 + 250);
  });

  it('answers malformed, unknown, invalid and oversized messages with error frames, then closes on repeat', async () => {
    const agent = await connected();
    agent.send('{not json');
    agent.send({ type: 'self-destruct' });
    agent.send({ type: 'metrics', ts: 'yesterday' });
    agent.send(JSON.stringify({ type: 'heartbeat', ts: 1, pad: 'x'.repeat(AGENT_LIMITS.maxMessageBytes) }));
    const errors = await waitFor(
      () => {
        const e = agent.received.filter((m) => m.type === 'error');
        return e.length >= 4 ? e : undefined;
      },
      2000,
      'error frames',
    );
    expect(errors.map((e) => e.code)).toEqual(['malformed', 'unknown_type', 'invalid', 'too_large']);
    expect(errors.map((e) => e.violations)).toEqual([1, 2, 3, 4]);
    agent.send('again not json');
    const { code } = await agent.closed;
    expect(code).toBe(CloseCode.PROTOCOL_VIOLATION);
    expect(t.hub.status().gateway.violations).toBe(5);
    const closedAgent = await waitFor(
      async () => {
        const a = await agentIn('agent-1');
        return a?.presence === 'offline' ? a : undefined;
      },
      2000,
      'offline',
    );
    expect(closedAgent).toMatchObject({ reason: 'protocol_violation', violations: 5 });
    // The hub is alive and still accepts well-behaved agents.
    const other = await connected('agent-2', 'srv-02');
    expect(await agentIn('agent-2')).toMatchObject({ presence: 'online' });
    other.ws.close();
  });

  it('closes with 1009 a frame above the hard frame limit, and survives', async () => {
    const agent = await connected();
    agent.send('x'.repeat(AGENT_LIMITS.maxFrameBytes + 1));
    expect((await agent.closed).code).toBe(1009);
    const lost = await waitFor(
      async () => {
        const a = await agentIn('agent-1');
        return a?.presence === 'offline' ? a : undefined;
      },
      2000,
      'offline',
    );
    expect(lost.reason).toBe('connection_lost');
    const other = await connected('agent-2');
    other.ws.close();
  });

  it('requires hello first', async () => {
    const agent = rawAgent(t.url);
    await agent.opened;
    agent.send(metrics());
    const err = await waitFor(() => agent.received.find((m) => m.type === 'error'), 2000, 'error');
    expect(err.code).toBe('hello_required');
    expect((await t.snapshot()).agents).toHaveLength(0);
    agent.ws.close();
  });

  it('closes an unsupported protocol version with 4005', async () => {
    const agent = rawAgent(t.url);
    await agent.opened;
    agent.send(hello({ protocol: 99 }));
    expect((await agent.closed).code).toBe(CloseCode.UNSUPPORTED_PROTOCOL);
  });

  it('a second connection with the same agent id replaces the first (4004), agent stays online', async () => {
    const first = await connected();
    const enrolled = first.received.find((m) => m.type === 'enrolled') as { credential: string };
    const second = await connected('agent-1', 'srv-01', enrolled.credential);
    expect((await first.closed).code).toBe(CloseCode.REPLACED);
    await new Promise((r) => setTimeout(r, 50));
    expect(await agentIn('agent-1')).toMatchObject({ presence: 'online', reason: 'replaced' });
    expect(t.hub.status().gateway.connections).toBe(1);
    second.ws.close();
  });

  it('on hub stop, agents are closed with 1001 and marked offline (hub_shutdown)', async () => {
    const agent = await connected();
    const closed = agent.closed;
    await t.hub.stop();
    expect((await closed).code).toBe(CloseCode.GOING_AWAY);
    expect(await agentIn('agent-1')).toMatchObject({ presence: 'offline', reason: 'hub_shutdown' });
  });
});
