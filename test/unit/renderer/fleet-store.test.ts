import { describe, expect, it } from 'vitest';
import { createFleetStore } from '../../../src-renderer/state/fleet-store';
import { agent, delta, server, snapshot, status } from './fixtures';

describe('fleet store', () => {
  it('applies a snapshot into maps keyed by id with derived counts', () => {
    const store = createFleetStore();
    store
      .getState()
      .applySnapshot(
        snapshot(
          10,
          [
            agent('a1'),
            agent('a2', { presence: 'offline', reason: 'ping_timeout' }),
            agent('a3', { presence: 'unknown' }),
          ],
          [server('s1'), server('s2', { presence: 'offline' })],
        ),
      );
    const s = store.getState();
    expect(s.loaded).toBe(true);
    expect(s.seq).toBe(10);
    expect(s.agents.get('a2')?.reason).toBe('ping_timeout');
    expect(s.servers.get('s2')?.presence).toBe('offline');
    expect(s.counts).toEqual({
      agentsTotal: 3,
      agentsOnline: 1,
      agentsOffline: 1,
      agentsUnknown: 1,
      serversTotal: 2,
      serversUp: 1,
      serversDown: 1,
      serversUnknown: 0,
    });
  });

  it('applies deltas: upserts, removals, status, counts kept in step', () => {
    const store = createFleetStore();
    store.getState().applySnapshot(snapshot(1, [agent('a1'), agent('a2')], [server('s1')]));
    const applied = store.getState().applyDelta(
      delta(2, {
        agents: [agent('a1', { presence: 'offline', reason: 'connection_lost' }), agent('a3')],
        removedAgents: ['a2', 'missing'],
        servers: [server('s2', { presence: 'offline' })],
        status: status({ connections: 7 }),
      }),
    );
    expect(applied).toBe(true);
    const s = store.getState();
    expect(s.seq).toBe(2);
    expect([...s.agents.keys()].sort()).toEqual(['a1', 'a3']);
    expect(s.agents.get('a1')?.presence).toBe('offline');
    expect(s.status?.gateway.connections).toBe(7);
    expect(s.counts.agentsTotal).toBe(2);
    expect(s.counts.agentsOnline).toBe(1);
    expect(s.counts.agentsOffline).toBe(1);
    expect(s.counts.serversTotal).toBe(2);
    expect(s.counts.serversDown).toBe(1);
    store.getState().applyDelta(delta(3, { removedServers: ['s2'] }));
    expect(store.getState().counts.serversDown).toBe(0);
    expect(store.getState().counts.serversTotal).toBe(1);
  });

  it('ignores batches with seq ≤ the current seq, without notifying', () => {
    const store = createFleetStore();
    store.getState().applySnapshot(snapshot(5, [agent('a1')]));
    let notifications = 0;
    store.subscribe(() => notifications++);
    expect(store.getState().applyDelta(delta(5, { agents: [agent('a1', { presence: 'offline' })] }))).toBe(
      false,
    );
    expect(store.getState().applyDelta(delta(3, { removedAgents: ['a1'] }))).toBe(false);
    expect(store.getState().agents.get('a1')?.presence).toBe('online');
    expect(store.getState().seq).toBe(5);
    expect(notifications).toBe(0);
  });

  it('ignores deltas before the first snapshot', () => {
    const store = createFleetStore();
    expect(store.getState().applyDelta(delta(1, { agents: [agent('a1')] }))).toBe(false);
    expect(store.getState().agents.size).toBe(0);
    expect(store.getState().loaded).toBe(false);
  });

  it('notifies subscribers exactly once per batch, however many entities it carries', () => {
    const store = createFleetStore();
    store.getState().applySnapshot(snapshot(0, []));
    let notifications = 0;
    store.subscribe(() => notifications++);
    const many = Array.from({ length: 500 }, (_, i) =>
      agent(`a${i}`, { presence: i % 3 === 0 ? 'offline' : 'online' }),
    );
    store.getState().applyDelta(delta(1, { agents: many, servers: [server('s1'), server('s2')] }));
    expect(notifications).toBe(1);
    expect(store.getState().agents.size).toBe(500);
    expect(store.getState().counts.agentsOffline).toBe(167);
    store.getState().applyDelta(delta(2, { removedAgents: many.slice(0, 100).map((a) => a.agentId) }));
    expect(notifications).toBe(2);
    expect(store.getState().counts.agentsTotal).toBe(400);
  });

  it('replaces a changed map and keeps untouched ones by identity', () => {
    const store = createFleetStore();
    store.getState().applySnapshot(snapshot(0, [agent('a1')], [server('s1')]));
    const before = store.getState();
    store.getState().applyDelta(delta(1, { agents: [agent('a1', { lastSeen: 123 })] }));
    const after = store.getState();
    expect(after.agents).not.toBe(before.agents);
    expect(after.servers).toBe(before.servers);
    // An untouched agent object keeps its identity too (detail views refetch on identity change).
    store.getState().applyDelta(delta(2, { servers: [server('s1', { onlineAgents: 2 })] }));
    expect(store.getState().agents.get('a1')).toBe(after.agents.get('a1'));
  });

  it('a whole-fleet batch: new view, every entry updated, counts right; the map behaves as a ReadonlyMap', () => {
    const store = createFleetStore();
    const ids = Array.from({ length: 1000 }, (_, i) => `a${i}`);
    store.getState().applySnapshot(
      snapshot(
        0,
        ids.map((id) => agent(id)),
        [],
      ),
    );
    const before = store.getState().agents;
    store.getState().applyDelta(delta(1, { agents: ids.map((id) => agent(id, { presence: 'offline' })) }));
    const after = store.getState();
    expect(after.agents).not.toBe(before);
    expect(after.agents.size).toBe(1000);
    expect([...after.agents.values()].every((a) => a.presence === 'offline')).toBe(true);
    expect(after.counts).toMatchObject({ agentsTotal: 1000, agentsOnline: 0, agentsOffline: 1000 });
    // Iteration, spread, Map copy and forEach as on a Map; forEach passes the view as its third argument.
    expect(new Map(after.agents).get('a7')?.presence).toBe('offline');
    expect([...after.agents].length).toBe(1000);
    let seen = 0;
    after.agents.forEach((a, id, map) => {
      expect(map).toBe(after.agents);
      expect(a.agentId).toBe(id);
      seen++;
    });
    expect(seen).toBe(1000);
    store.getState().applyDelta(delta(2, { removedAgents: ['a1', 'a2'] }));
    expect(store.getState().agents.has('a1')).toBe(false);
    expect(store.getState().counts.agentsTotal).toBe(998);
  });
});
