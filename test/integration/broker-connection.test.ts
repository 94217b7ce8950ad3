/** BrokerConnection against the real broker: connect, reasons for failures, setup hooks, channel recycling. */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveBrokerSettings, type BrokerSettings } from '../../src-main/hub/broker/broker-settings';
import {
  BrokerConnection,
  type BrokerSession,
  type BrokerStatus,
} from '../../src-main/hub/broker/connection-manager';
import { ensureBroker, stopBroker, waitForStatus } from '../helpers/broker';

let good: BrokerSettings;
const open: BrokerConnection[] = [];

function track(conn: BrokerConnection): BrokerConnection {
  open.push(conn);
  return conn;
}

beforeAll(async () => {
  const resolved = resolveBrokerSettings({ RABBITMQ_URL: await ensureBroker() });
  if (resolved.kind !== 'ok') throw new Error('bad broker URL');
  good = resolved.settings;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.stop()));
});
afterAll(() => stopBroker());

const fastRetry = { backoff: { initialMs: 100, maxMs: 300 } };

describe('BrokerConnection', () => {
  it('connects both connections, runs the setup hook, reports connected', async () => {
    const conn = track(new BrokerConnection(good, fastRetry));
    const states: string[] = [];
    conn.onStatus((s) => states.push(s.state));
    const sessions: BrokerSession[] = [];
    conn.onReady('topology', async (session) => {
      const ch = await session.consumeChannel('setup');
      await ch.assertQueue('', { exclusive: true });
      sessions.push(session);
    });
    conn.start();
    const status = await waitForStatus(conn, (s) => s.state === 'connected');
    expect(states[0]).toBe('connecting');
    expect(states.at(-1)).toBe('connected');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.publishConnection).not.toBe(sessions[0]!.consumeConnection);
    expect(status).toMatchObject({ reason: null, attempts: 0, nextRetryAt: null });
    expect(status.url).toMatch(/^amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+$/);

    // A hook registered while connected runs at once on the live session.
    let lateRan = false;
    conn.onReady('late', async () => {
      lateRan = true;
    });
    await expect.poll(() => lateRan).toBe(true);

    await conn.stop();
    expect(conn.getStatus().state).toBe('disconnected');
    expect(sessions[0]!.signal.aborted).toBe(true);
  });

  it.each([
    ['wrong password', () => ({ ...good, password: 'nope' }), 'auth_failed'],
    ['missing vhost', () => ({ ...good, vhost: 'missing-vhost' }), 'vhost_missing'],
    ['closed port', () => ({ ...good, port: closedPortSync }), 'unreachable'],
  ] as const)(
    '%s → disconnected with its own reason, retrying with backoff',
    async (_name, settings, code) => {
      const conn = track(new BrokerConnection(settings(), fastRetry));
      let hookRuns = 0;
      conn.onReady('never', async () => {
        hookRuns++;
      });
      conn.start();
      const first = await waitForStatus(conn, (s) => s.state === 'disconnected');
      expect(first.reason).toBe(code);
      expect(first.reasonText).toBeTruthy();
      expect(first.nextRetryAt).not.toBeNull();
      const later = await waitForStatus(conn, (s) => s.state === 'disconnected' && s.attempts >= 3);
      expect(later.reason).toBe(code);
      expect(later.since).toBe(first.since); // still the same outage
      expect(hookRuns).toBe(0);
      expect(JSON.stringify(later)).not.toContain('nope');
      await conn.stop();
      const attempts = conn.getStatus().attempts;
      await new Promise((r) => setTimeout(r, 400));
      expect(conn.getStatus().attempts).toBe(attempts); // stop() ends the retry loop
    },
  );

  it('not configured: stays not_configured and never connects', () => {
    const conn = track(BrokerConnection.fromEnv({}));
    conn.start();
    expect(conn.getStatus()).toMatchObject({ state: 'not_configured', reason: 'not_configured', url: null });
    const invalid = track(BrokerConnection.fromEnv({ RABBITMQ_HOST: 'h', RABBITMQ_PORT: 'x' }));
    invalid.start();
    expect(invalid.getStatus()).toMatchObject({ state: 'not_configured', reason: 'invalid_settings' });
  });

  it('a channel closed by the broker recycles the session and the hooks run again', async () => {
    const conn = track(new BrokerConnection(good, fastRetry));
    let runs = 0;
    conn.onReady('count', async () => {
      runs++;
    });
    conn.start();
    await waitForStatus(conn, (s) => s.state === 'connected');
    const session = conn.currentSession()!;
    const ch = await session.publishChannel('bad-publisher');
    ch.publish('no-such-exchange-for-test', 'x', Buffer.from('x')); // 404 closes the channel
    await waitForStatus(conn, (s) => s.state === 'disconnected', 5_000);
    await waitForStatus(conn, (s) => s.state === 'connected');
    expect(runs).toBe(2);
    expect(session.signal.aborted).toBe(true);
    expect(conn.currentSession()!.generation).toBeGreaterThan(session.generation);
  });

  it('closing a channel on purpose does not recycle the session', async () => {
    const conn = track(new BrokerConnection(good, fastRetry));
    conn.start();
    await waitForStatus(conn, (s) => s.state === 'connected');
    const session = conn.currentSession()!;
    const ch = await session.consumeChannel('short-lived');
    await ch.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(conn.getStatus().state).toBe('connected');
    expect(conn.currentSession()).toBe(session);
  });

  it('a failing setup hook → setup_failed, retried until it succeeds', async () => {
    const conn = track(new BrokerConnection(good, fastRetry));
    let calls = 0;
    conn.onReady('flaky', async (session) => {
      calls++;
      const ch = await session.consumeChannel('flaky');
      if (calls === 1) await ch.checkQueue('queue-that-does-not-exist-for-test'); // 404 → throws
    });
    const seen: BrokerStatus[] = [];
    conn.onStatus((s) => seen.push(s));
    conn.start();
    await waitForStatus(conn, (s) => s.state === 'connected');
    expect(calls).toBe(2);
    const failure = seen.find((s) => s.state === 'disconnected');
    expect(failure?.reason).toBe('setup_failed');
    expect(failure?.reasonText).toMatch(/flaky.*NOT_FOUND/);
  });
});

// A port with nothing listening, reserved before the tests run.
let closedPortSync = 1;
beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPortSync = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
});
