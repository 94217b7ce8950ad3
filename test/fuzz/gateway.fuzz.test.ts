/**
 * Fuzz: the live gateway. A hostile agent sends fuzzed frames to a real hub over a real WebSocket;
 * every bad frame must get an `error` frame with a documented code and a clear message (or, past
 * the violation limit, a 4002 close; past the frame cap, 1009), never a crash or a hang. After all of
 * it, a well-behaved agent still connects, is welcomed and shows up in the fleet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_LIMITS, CloseCode, ErrorFrameSchema } from '../../src-shared';
import { hello, metrics } from '../helpers/messages';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';
import { frames } from './arbitraries';
import { assertClearMessage, assertNoPollution, fuzzAsync, timeoutFor } from './harness';
import { agentMsg } from './messages';

let t: TestHub;
beforeAll(async () => {
  // Rate limits high: this test is about what frames contain, not how fast they come.
  t = await startTestHub({ CENTRALIZER_AGENT_MSG_RATE: '100000', CENTRALIZER_AGENT_MSG_BURST: '100000' });
});
afterAll(async () => {
  await t?.close();
  assertNoPollution();
});

interface Conn {
  agent: ReturnType<typeof rawAgent>;
  closed: { code: number; reason: string } | null;
}

async function connect(agentId: string): Promise<Conn> {
  const agent = rawAgent(t.url);
  const conn: Conn = { agent, closed: null };
  void agent.closed.then((c) => (conn.closed = c));
  await agent.opened;
  agent.send(hello({ agentId }));
  await waitFor(() => agent.received.some((m) => m.type === 'welcome') || conn.closed, 5_000, 'welcome');
  return conn;
}

/** Resolves once the hub has processed everything sent before (pongs come in order). */
function settled(conn: Conn): Promise<void> {
  if (conn.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      conn.agent.ws.off('pong', done);
      conn.agent.ws.off('close', done);
      resolve();
    };
    conn.agent.ws.once('pong', done);
    conn.agent.ws.once('close', done);
    try {
      conn.agent.ws.ping();
    } catch {
      done();
    }
  });
}

describe('fuzz: live gateway', () => {
  it(
    'answers every bad frame with a clear error frame, closes only as documented, and keeps serving',
    async () => {
      let conn = await connect('fuzz-hostile');
      let reconnects = 0;
      await fuzzAsync('gateway frames', frames(agentMsg), async ({ text }) => {
        if (conn.closed) {
          reconnects++;
          conn = await connect(`fuzz-hostile-${reconnects}`);
        }
        const seen = conn.agent.received.length;
        conn.agent.send(text);
        await settled(conn);
        if (conn.closed) {
          const expected: number[] = [CloseCode.PROTOCOL_VIOLATION];
          if (Buffer.byteLength(text) > AGENT_LIMITS.maxFrameBytes) expected.push(CloseCode.MESSAGE_TOO_BIG);
          expect(expected).toContain(conn.closed.code);
        }
        const errors = conn.agent.received.slice(seen).filter((m) => m.type === 'error');
        for (const frame of errors) {
          const parsed = ErrorFrameSchema.safeParse(frame);
          if (!parsed.success)
            throw new Error(`malformed error frame: ${JSON.stringify(frame).slice(0, 300)}`);
          assertClearMessage('gateway error frame', parsed.data.message);
          expect(JSON.stringify(frame).length).toBeLessThan(4_096);
        }
        return errors.length || conn.closed ? 'rejected' : 'accepted';
      });
      conn.agent.ws.close();

      // A good agent after the storm: welcomed, its metrics reach the fleet.
      const good = await connect('fuzz-good-agent');
      expect(good.closed).toBeNull();
      good.agent.send(metrics());
      await waitFor(
        async () =>
          (await t.snapshot()).agents.find((a) => a.agentId === 'fuzz-good-agent' && a.presence === 'online'),
        5_000,
        'good agent online',
      );
      good.agent.ws.close();
    },
    timeoutFor('gateway frames', 30),
  );

  it('regression: a frame above the cap closes with 1009 without being read; the hub carries on', async () => {
    const conn = await connect('fuzz-big');
    conn.agent.send(`{"type":"heartbeat","ts":1,"pad":"${'x'.repeat(AGENT_LIMITS.maxFrameBytes)}"}`);
    await waitFor(() => conn.closed, 5_000, 'close');
    expect(conn.closed?.code).toBe(CloseCode.MESSAGE_TOO_BIG);
    const next = await connect('fuzz-after-big');
    expect(next.closed).toBeNull();
    next.agent.ws.close();
  });
});

describe('agents named like Object.prototype members', () => {
  it('are welcomed, listed and detailed like any other id; "__proto__" is refused clearly', async () => {
    for (const agentId of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const conn = await connect(agentId);
      const errors = conn.agent.received.filter((m) => m.type === 'error');
      if (agentId === '__proto__') {
        // Finding: accepted before, then its credential (a key of a plain object) was lost on restart.
        await waitFor(() => conn.closed, 5_000, 'close');
        const why = errors.map((e) => String((e as { message?: unknown }).message)).join(' ');
        expect(`${why} ${conn.closed?.reason ?? ''}`).toContain('agent id "__proto__" is reserved');
        continue;
      }
      expect(errors).toEqual([]);
      conn.agent.send(metrics());
      await waitFor(
        async () => (await t.snapshot()).agents.find((a) => a.agentId === agentId && a.presence === 'online'),
        5_000,
        `${agentId} online`,
      );
      const detail = (await t.hub.console.request('getAgentDetail', { agentId })) as {
        agent?: { agentId?: unknown };
      } | null;
      expect(detail?.agent?.agentId).toBe(agentId);
      const config = (await t.hub.console.request('getAgentConfig', { agentId })) as Record<string, unknown>;
      expect(JSON.parse(JSON.stringify(config))).toEqual(config); // plain data, no inherited function
      conn.agent.ws.close();
    }
    assertNoPollution();
  });
});
