// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsoleError, type BridgeRequest } from '../../../src-shared/console-api';
import {
  TOKEN_STORAGE_KEY,
  bridgeUrl,
  createWebSocketTransport,
  takeBridgeToken,
  type WebSocketLike,
} from '../../../src-renderer/transport/websocket';
import type { ConnectionState } from '../../../src-renderer/transport/types';
import { delta, snapshot } from './fixtures';

class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closed: { code?: number; reason?: string } | null = null;
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  // --- test side
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(message: unknown) {
    this.onmessage?.({
      data: typeof message === 'string' ? message : JSON.stringify(message),
    } as MessageEvent);
  }
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
  requests(): BridgeRequest[] {
    return this.sent.map((s) => JSON.parse(s) as BridgeRequest);
  }
}

const last = () => FakeSocket.instances[FakeSocket.instances.length - 1]!;

function makeTransport() {
  return createWebSocketTransport({
    url: 'ws://hub.test/bridge?token=t0k',
    createSocket: (url) => new FakeSocket(url),
    baseRetryMs: 100,
    maxRetryMs: 800,
    random: () => 1, // no jitter: delay = the exponential step
    requestTimeoutMs: 5000,
  });
}

beforeEach(() => {
  FakeSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('websocket transport framing', () => {
  it('sends BridgeRequest frames and resolves results by id, in any order', async () => {
    const transport = makeTransport();
    const socket = last();
    expect(socket.url).toBe('ws://hub.test/bridge?token=t0k');
    socket.open();
    const snap = transport.call('getSnapshot', undefined);
    const detail = transport.call('getAgentDetail', { agentId: 'a-1' });
    const [r1, r2] = socket.requests();
    expect(r1).toEqual({ id: r1!.id, channel: 'getSnapshot' });
    expect(r2).toEqual({ id: r2!.id, channel: 'getAgentDetail', input: { agentId: 'a-1' } });
    expect(r1!.id).not.toBe(r2!.id);

    socket.receive({ kind: 'result', id: r2!.id, ok: true, value: null });
    socket.receive({ kind: 'result', id: r1!.id, ok: true, value: snapshot(4, []) });
    await expect(detail).resolves.toBeNull();
    await expect(snap).resolves.toMatchObject({ seq: 4 });
    transport.dispose();
  });

  it('turns error results into ConsoleError with the hub code and message', async () => {
    const transport = makeTransport();
    const socket = last();
    socket.open();
    const call = transport.call('getServerDetail', { serverId: 'x' });
    const { id } = socket.requests()[0]!;
    socket.receive({
      kind: 'result',
      id,
      ok: false,
      error: { code: 'bad_request', message: 'serverId: too long' },
    });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsoleError);
    expect(error).toMatchObject({ code: 'bad_request', message: 'serverId: too long' });
    transport.dispose();
  });

  it('dispatches event frames to listeners and ignores junk frames', () => {
    const transport = makeTransport();
    const socket = last();
    socket.open();
    const got: number[] = [];
    const off = transport.on('delta', (d) => got.push(d.seq));
    socket.receive({ kind: 'event', event: 'delta', payload: delta(3) });
    socket.receive('not json');
    socket.receive({ kind: 'mystery' });
    socket.receive({ kind: 'result', id: 999, ok: true, value: 1 }); // unknown id
    socket.receive({ kind: 'event', event: 'delta', payload: delta(4) });
    off();
    socket.receive({ kind: 'event', event: 'delta', payload: delta(5) });
    expect(got).toEqual([3, 4]);
    transport.dispose();
  });

  it('queues calls made while connecting and sends them once open', async () => {
    const transport = makeTransport();
    const socket = last();
    const call = transport.call('getAgentConnectionInfo', undefined);
    expect(socket.sent).toHaveLength(0);
    socket.open();
    expect(socket.requests()).toEqual([{ id: expect.any(Number), channel: 'getAgentConnectionInfo' }]);
    socket.receive({
      kind: 'result',
      id: socket.requests()[0]!.id,
      ok: true,
      value: { urls: [], token: 'x', tokenSource: 'env', exampleCommand: 'agent' },
    });
    await expect(call).resolves.toMatchObject({ token: 'x' });
    transport.dispose();
  });

  it('reports connection state, reconnects with backoff, fails in-flight calls and keeps listeners', async () => {
    vi.useFakeTimers({ now: 1_000 });
    const transport = makeTransport();
    const states: ConnectionState[] = [];
    transport.onConnection((s) => states.push(s));
    expect(transport.connection().status).toBe('connecting');
    const first = last();
    first.open();
    expect(transport.connection()).toEqual({ status: 'open', attempt: 0 });

    const got: number[] = [];
    transport.on('delta', (d) => got.push(d.seq));
    const inFlight = transport.call('getSnapshot', undefined);
    first.drop(1001, 'hub stopping');
    await expect(inFlight).rejects.toBeInstanceOf(ConsoleError);
    expect(transport.connection()).toMatchObject({
      status: 'closed',
      reason: 'closed',
      closeCode: 1001,
      closeText: 'hub stopping',
      attempt: 1,
      retryAt: 1_100,
    });

    vi.advanceTimersByTime(99);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(transport.connection().status).toBe('connecting');
    // The hub is still down: the next delay doubles.
    last().drop();
    expect(transport.connection()).toMatchObject({ status: 'closed', reason: 'unreachable', attempt: 2 });
    vi.advanceTimersByTime(199);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
    last().open();
    expect(transport.connection()).toEqual({ status: 'open', attempt: 0 });
    last().receive({ kind: 'event', event: 'delta', payload: delta(9) });
    expect(got).toEqual([9]);
    expect(states.map((s) => s.status)).toEqual([
      'open',
      'closed',
      'connecting',
      'closed',
      'connecting',
      'open',
    ]);
    transport.dispose();
  });

  it('caps the backoff and stops for good on dispose', () => {
    vi.useFakeTimers();
    const transport = makeTransport();
    for (let i = 0; i < 6; i++) {
      last().drop();
      vi.advanceTimersByTime(800);
    }
    expect(FakeSocket.instances).toHaveLength(7); // every retry within the 800 ms cap
    const socket = last();
    socket.open();
    transport.dispose();
    expect(socket.closed?.code).toBe(1000);
    expect(transport.connection()).toMatchObject({ status: 'closed', reason: 'stopped' });
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.instances).toHaveLength(7);
    return expect(transport.call('getSnapshot', undefined)).rejects.toBeInstanceOf(ConsoleError);
  });

  it('times out a request nobody answers', async () => {
    vi.useFakeTimers();
    const transport = makeTransport();
    last().open();
    const call = transport.call('getSnapshot', undefined);
    const assertion = expect(call).rejects.toThrow(/no answer/);
    vi.advanceTimersByTime(5000);
    await assertion;
    transport.dispose();
  });
});

describe('bridge token handling', () => {
  it('takes the token from ?token=, stores it, and strips it from the address bar', () => {
    sessionStorage.clear();
    history.replaceState(null, '', '/console/?token=s3cr%20et&lang=en#/agents');
    const token = takeBridgeToken();
    expect(token).toBe('s3cr et');
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('s3cr et');
    expect(location.search).toBe('?lang=en');
    expect(location.hash).toBe('#/agents');
    expect(location.href).not.toContain('s3cr');
    // A reload (no token in the URL any more) still finds it.
    expect(takeBridgeToken()).toBe('s3cr et');
  });

  it('builds ws:// or wss:// URLs on the page host with the bridge path', () => {
    expect(bridgeUrl('a b', { protocol: 'http:', host: 'localhost:7070' } as Location)).toBe(
      'ws://localhost:7070/bridge?token=a%20b',
    );
    expect(bridgeUrl('x', { protocol: 'https:', host: 'hub.example' } as Location)).toBe(
      'wss://hub.example/bridge?token=x',
    );
  });
});
