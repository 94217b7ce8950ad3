/**
 * Gateway limits with real sockets: each limit closes (or refuses) with its own code, increments
 * its counter in the hub's status, and leaves the hub healthy for a well-behaved agent.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_LIMITS, CloseCode, type GatewayLimitsStatus } from '../../src-shared';
import { hello, metrics } from '../helpers/messages';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';

const hubs: TestHub[] = [];
const sockets: ReturnType<typeof rawAgent>[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hubWith(env: Record<string, string> = {}): Promise<TestHub> {
  const hub = await startTestHub(env);
  hubs.push(hub);
  return hub;
}

function connect(hub: TestHub, options: Parameters<typeof rawAgent>[1] = {}) {
  const agent = rawAgent(hub.url, options);
  sockets.push(agent);
  return agent;
}

/** A raw agent that said hello and got its welcome. */
async function welcomed(hub: TestHub, agentId: string) {
  const agent = connect(hub);
  await agent.opened;
  agent.send(hello({ agentId, hostname: `${agentId}-host` }));
  await waitFor(() => agent.received.find((m) => m.type === 'welcome'), 3000, `${agentId} welcome`);
  return agent;
}

const counters = (hub: TestHub): GatewayLimitsStatus['counters'] => hub.hub.status().gateway.limits!.counters;

/** The bystander is still online, on its first connection, and its metrics still arrive. */
async function stillHealthy(hub: TestHub, bystander: Awaited<ReturnType<typeof welcomed>>) {
  expect(bystander.ws.readyState).toBe(bystander.ws.OPEN);
  const before = hub.hub.status().gateway.messages;
  bystander.send(metrics());
  await waitFor(() => hub.hub.status().gateway.messages > before, 2000, 'bystander metrics');
  const view = (await hub.snapshot()).agents.find((a) => a.agentId === 'bystander');
  expect(view?.presence).toBe('online');
}

describe('gateway limits', () => {
  it('message rate: a flood closes with RATE_LIMITED (4008) and is counted; a normal agent is untouched', async () => {
    const hub = await hubWith({ CENTRALIZER_AGENT_MSG_RATE: '20', CENTRALIZER_AGENT_MSG_BURST: '10' });
    expect(hub.hub.status().gateway.limits!.settings).toMatchObject({
      messageRatePerSec: 20,
      messageBurst: 10,
    });
    const bystander = await welcomed(hub, 'bystander');
    const flooder = await welcomed(hub, 'flooder');
    for (let i = 0; i < 60; i++) flooder.send({ type: 'heartbeat', ts: Date.now() });
    const closed = await flooder.closed;
    expect(closed.code).toBe(CloseCode.RATE_LIMITED);
    expect(closed.reason).toContain('20 messages/s');
    expect(counters(hub).rateLimited).toBe(1);
    await waitFor(
      async () =>
        (await hub.snapshot()).agents.find((a) => a.agentId === 'flooder' && a.presence === 'offline'),
      2000,
      'flooder offline',
    );
    await stillHealthy(hub, bystander);
  });

  it('frame size: a frame above maxFrameBytes closes with 1009 and is counted', async () => {
    const hub = await hubWith();
    const bystander = await welcomed(hub, 'bystander');
    const big = await welcomed(hub, 'big');
    big.send(JSON.stringify({ type: 'heartbeat', ts: 1, pad: 'x'.repeat(AGENT_LIMITS.maxFrameBytes + 10) }));
    expect((await big.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    await waitFor(() => counters(hub).frameTooLarge === 1, 2000, 'frameTooLarge counted');
    await stillHealthy(hub, bystander);
  });

  it.each([
    [
      'too many labels',
      {
        labels: Object.fromEntries(
          Array.from({ length: AGENT_LIMITS.maxLabels + 1 }, (_, i) => [`k${i}`, 'v']),
        ),
      },
      /at most 32 labels/,
    ],
    ['a label key too long', { labels: { ['k'.repeat(AGENT_LIMITS.maxLabelKeyLength + 1)]: 'v' } }, /labels/],
    [
      'a label value too long',
      { labels: { env: 'v'.repeat(AGENT_LIMITS.maxLabelValueLength + 1) } },
      /labels\.env/,
    ],
    [
      'a configSchema too large',
      { configSchema: { type: 'object', description: 'd'.repeat(AGENT_LIMITS.maxConfigSchemaBytes) } },
      /configSchema is \d+ bytes; at most 32768/,
    ],
    [
      'a configSchema nested too deep',
      {
        configSchema: Array.from({ length: AGENT_LIMITS.maxConfigSchemaDepth + 5 }).reduce<
          Record<string, unknown>
        >((inner) => ({ type: 'object', properties: { a: inner } }), { type: 'string' }),
      },
      // Refused by the depth cap or, before it, by the schema's own path-length check.
      /configSchema/,
    ],
  ])(
    'hello with %s: error frame, closed with PROTOCOL_VIOLATION and counted',
    async (_what, overrides, why) => {
      const hub = await hubWith();
      const bystander = await welcomed(hub, 'bystander');
      const bad = connect(hub);
      await bad.opened;
      bad.send(hello({ agentId: 'bad-hello', ...overrides }));
      const closed = await bad.closed;
      expect(closed.code).toBe(CloseCode.PROTOCOL_VIOLATION);
      expect(closed.reason).toMatch(/^invalid hello: /);
      const error = bad.received.find((m) => m.type === 'error');
      expect(error).toMatchObject({ code: expect.stringMatching(/invalid|too_large/) });
      expect(String(error?.message)).toMatch(why);
      expect(counters(hub).helloRejected).toBe(1);
      expect((await hub.snapshot()).agents.find((a) => a.agentId === 'bad-hello')).toBeUndefined();
      await stillHealthy(hub, bystander);
    },
  );

  it('connection cap: refused at the upgrade with HTTP 503 and counted; room again once one leaves', async () => {
    const hub = await hubWith({ CENTRALIZER_MAX_CONNECTIONS: '2' });
    const bystander = await welcomed(hub, 'bystander');
    const second = connect(hub);
    await second.opened;
    const third = connect(hub);
    await expect(third.opened).rejects.toThrow('HTTP 503');
    // Refused before authentication: even a wrong token gets 503, not 401, and is not an auth refusal.
    const fourth = connect(hub, { token: 'wrong-token-wrong-token' });
    await expect(fourth.opened).rejects.toThrow('HTTP 503');
    expect(counters(hub).connectionCap).toBe(2);
    expect(hub.hub.status().gateway.refusedAuth).toBe(0);
    second.ws.close();
    await second.closed;
    await waitFor(
      async () => {
        const again = rawAgent(hub.url);
        sockets.push(again);
        return again.opened.then(
          () => true,
          () => false,
        );
      },
      3000,
      'a free slot',
    );
    await stillHealthy(hub, bystander);
  });

  it(
    'slow consumer: an agent that stops reading is closed with SLOW_CONSUMER (4009) and counted',
    { timeout: 90_000 },
    async () => {
      // Pings far apart: a peer that does not read does not answer pings either, and the ping timeout
      // must not end it before the slow-consumer check does.
      const hub = await hubWith({
        CENTRALIZER_AGENT_MAX_BUFFERED_KB: '64',
        CENTRALIZER_PING_INTERVAL_SEC: '120',
      });
      const bystander = await welcomed(hub, 'bystander');
      const stuck = await welcomed(hub, 'stuck');
      // Stop reading for real: pause the TCP socket and keep ws from resuming it (it does on drain).
      // The kernel buffers fill, then the hub's own send buffer grows.
      const socket = (stuck.ws as unknown as { _socket: Socket })._socket;
      const resume = socket.resume.bind(socket);
      socket.pause();
      socket.resume = () => socket;
      const closed = stuck.closed;
      // Configurations are what the hub pushes to an agent; big distinct ones fill the pipe quickly.
      for (let i = 0; i < 1000 && counters(hub).slowConsumer === 0; i++) {
        await hub.hub.console.request('sendConfig', {
          agentId: 'stuck',
          config: { blob: `${i}-${'x'.repeat(60_000)}` },
        });
        await new Promise((r) => setImmediate(r));
      }
      expect(counters(hub).slowConsumer).toBe(1);
      // The hub did not wait for the stuck peer: its side is gone within the grace period.
      await waitFor(
        async () =>
          (await hub.snapshot()).agents.find((a) => a.agentId === 'stuck' && a.presence === 'offline'),
        5000,
        'stuck agent offline',
      );
      socket.resume = resume;
      socket.resume();
      expect([CloseCode.SLOW_CONSUMER, 1006]).toContain((await closed).code);
      await stillHealthy(hub, bystander);
    },
  );

  it('bad frames: too many close with PROTOCOL_VIOLATION (4002) and are counted', async () => {
    const hub = await hubWith();
    const bystander = await welcomed(hub, 'bystander');
    const noisy = await welcomed(hub, 'noisy');
    for (let i = 0; i < AGENT_LIMITS.maxViolations; i++) noisy.send('{not json');
    expect((await noisy.closed).code).toBe(CloseCode.PROTOCOL_VIOLATION);
    expect(counters(hub).protocolViolation).toBe(1);
    expect(counters(hub).helloRejected).toBe(0);
    await stillHealthy(hub, bystander);
  });

  it(
    'hello timeout: a silent connection is closed with HELLO_TIMEOUT (4003) and counted',
    async () => {
      const hub = await hubWith();
      const bystander = await welcomed(hub, 'bystander');
      const silent = connect(hub);
      await silent.opened;
      expect((await silent.closed).code).toBe(CloseCode.HELLO_TIMEOUT);
      expect(counters(hub).helloTimeout).toBe(1);
      await stillHealthy(hub, bystander);
    },
    AGENT_LIMITS.helloTimeoutMs + 10_000,
  );
});
