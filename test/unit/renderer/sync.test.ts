import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FleetSnapshot } from '../../../src-shared/fleet';
import { createFleetStore } from '../../../src-renderer/state/fleet-store';
import { startFleetSync } from '../../../src-renderer/state/sync';
import type { ConnectionState } from '../../../src-renderer/transport/types';
import { FakeConsoleApi, agent, deferred, delta, snapshot } from './fixtures';

const flush = () => new Promise((r) => setTimeout(r, 0));

function fakeConnection(initial: ConnectionState['status'] = 'open') {
  let state: ConnectionState = { status: initial, attempt: 0 };
  const listeners = new Set<(s: ConnectionState) => void>();
  return {
    connection: () => state,
    onConnection(l: (s: ConnectionState) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(status: ConnectionState['status']) {
      state = { status, attempt: status === 'open' ? 0 : 1 };
      for (const l of listeners) l(state);
    },
  };
}

afterEach(() => vi.useRealTimers());

describe('fleet sync (snapshot, then deltas)', () => {
  it('buffers deltas that arrive while the snapshot is in flight and applies only the newer ones, in order', async () => {
    const pending = deferred<FleetSnapshot>();
    const api = new FakeConsoleApi({ getSnapshot: () => pending.promise });
    const store = createFleetStore();
    let notifications = 0;
    store.subscribe(() => notifications++);
    startFleetSync(api, store);
    expect(api.listenerCount('delta')).toBe(1); // listening before asking

    // Arrive out of order while the snapshot (seq 5) is in flight.
    api.emit('delta', delta(7, { agents: [agent('a1', { presence: 'offline', reason: 'ping_timeout' })] }));
    api.emit('delta', delta(4, { removedAgents: ['a1'] })); // already in the snapshot
    api.emit('delta', delta(6, { agents: [agent('a2')] }));
    expect(store.getState().loaded).toBe(false);
    expect(notifications).toBe(0);

    pending.resolve(snapshot(5, [agent('a1')]));
    await flush();

    const s = store.getState();
    expect(s.seq).toBe(7);
    expect(s.agents.get('a1')?.presence).toBe('offline'); // seq 7 applied after seq 6
    expect(s.agents.has('a2')).toBe(true);
    expect(s.agents.has('a1')).toBe(true); // seq 4 removal was dropped
    expect(notifications).toBe(3); // snapshot + 2 deltas, one set() each

    // After the snapshot, deltas go straight to the store.
    api.emit('delta', delta(8, { removedAgents: ['a2'] }));
    expect(store.getState().agents.has('a2')).toBe(false);
    api.emit('delta', delta(8, { agents: [agent('a2')] })); // duplicate seq: ignored
    expect(store.getState().agents.has('a2')).toBe(false);
  });

  it('re-fetches the snapshot after the link comes back, buffering meanwhile', async () => {
    const connection = fakeConnection('open');
    let snap = snapshot(3, [agent('a1')]);
    let gate: ReturnType<typeof deferred<void>> | null = null;
    const api = new FakeConsoleApi({
      getSnapshot: async () => {
        if (gate) await gate.promise;
        return snap;
      },
    });
    const store = createFleetStore();
    startFleetSync(api, store, { connection });
    await flush();
    expect(store.getState().seq).toBe(3);

    connection.set('closed');
    snap = snapshot(20, [agent('a1', { presence: 'offline', reason: 'hub_shutdown' }), agent('b1')]);
    gate = deferred<void>();
    connection.set('connecting');
    connection.set('open');
    expect(api.calls.filter((c) => c.channel === 'getSnapshot')).toHaveLength(2);
    api.emit('delta', delta(21, { agents: [agent('b2')] }));
    expect(store.getState().agents.has('b2')).toBe(false); // buffered, not applied on stale state
    gate.resolve();
    await flush();
    const s = store.getState();
    expect(s.seq).toBe(21);
    expect(s.agents.get('a1')?.reason).toBe('hub_shutdown');
    expect(s.agents.has('b1')).toBe(true);
    expect(s.agents.has('b2')).toBe(true);
  });

  it('reports a failed snapshot and retries while the link is up', async () => {
    vi.useFakeTimers();
    let fail = true;
    const api = new FakeConsoleApi({
      getSnapshot: async () => {
        if (fail) throw new Error('hub busy');
        return snapshot(1, [agent('a1')]);
      },
    });
    const store = createFleetStore();
    const errors: unknown[] = [];
    startFleetSync(api, store, { onError: (e) => errors.push(e), retryMs: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    expect(store.getState().loaded).toBe(false);
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.getState().loaded).toBe(true);
    expect(store.getState().agents.has('a1')).toBe(true);
  });

  it('keeps only the latest of overlapping resyncs', async () => {
    const first = deferred<FleetSnapshot>();
    const second = deferred<FleetSnapshot>();
    const queue = [first, second];
    const api = new FakeConsoleApi({ getSnapshot: () => queue.shift()!.promise });
    const store = createFleetStore();
    const sync = startFleetSync(api, store);
    const again = sync.resync();
    second.resolve(snapshot(9, [agent('new')]));
    await again;
    first.resolve(snapshot(2, [agent('old')]));
    await flush();
    expect(store.getState().seq).toBe(9);
    expect(store.getState().agents.has('old')).toBe(false);
  });

  it('stops listening on stop()', async () => {
    const api = new FakeConsoleApi({ getSnapshot: async () => snapshot(1, []) });
    const store = createFleetStore();
    const sync = startFleetSync(api, store);
    await flush();
    sync.stop();
    expect(api.listenerCount('delta')).toBe(0);
  });
});
