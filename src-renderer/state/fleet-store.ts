/**
 * Fleet state of the console: the latest snapshot with deltas applied, keyed by id, plus counts
 * derived incrementally (so the overview does not rescan 10,000 agents per batch).
 *
 * Every batch is applied with exactly one `set()`: React renders once per batch, not per entity.
 * Maps are replaced (copy-on-write) when they change so selectors see a new identity.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AgentView,
  FleetDelta,
  FleetSnapshot,
  HubStatus,
  PresenceState,
  ServerView,
} from '../../src-shared/fleet';

export interface FleetCounts {
  agentsTotal: number;
  agentsOnline: number;
  agentsOffline: number;
  agentsUnknown: number;
  serversTotal: number;
  serversUp: number;
  serversDown: number;
  serversUnknown: number;
}

export interface FleetState {
  /** False until the first snapshot arrived. */
  loaded: boolean;
  /** Seq of the last snapshot/delta applied; -1 before the first snapshot. */
  seq: number;
  status: HubStatus | null;
  agents: ReadonlyMap<string, AgentView>;
  servers: ReadonlyMap<string, ServerView>;
  counts: FleetCounts;
  /** Last failure to fetch a snapshot (shown while nothing is loaded); cleared by the next snapshot. */
  syncError: string | null;
  setSyncError(message: string | null): void;
  applySnapshot(snapshot: FleetSnapshot): void;
  /** Returns false (and changes nothing) for a stale batch or before the first snapshot. */
  applyDelta(delta: FleetDelta): boolean;
}

export type FleetStore = StoreApi<FleetState>;

const EMPTY_COUNTS: FleetCounts = {
  agentsTotal: 0,
  agentsOnline: 0,
  agentsOffline: 0,
  agentsUnknown: 0,
  serversTotal: 0,
  serversUp: 0,
  serversDown: 0,
  serversUnknown: 0,
};

function bump(counts: FleetCounts, kind: 'agents' | 'servers', presence: PresenceState, by: 1 | -1): void {
  counts[`${kind}Total`] += by;
  if (kind === 'agents') {
    if (presence === 'online') counts.agentsOnline += by;
    else if (presence === 'offline') counts.agentsOffline += by;
    else counts.agentsUnknown += by;
  } else {
    if (presence === 'online') counts.serversUp += by;
    else if (presence === 'offline') counts.serversDown += by;
    else counts.serversUnknown += by;
  }
}

export function countFleet(agents: Iterable<AgentView>, servers: Iterable<ServerView>): FleetCounts {
  const counts = { ...EMPTY_COUNTS };
  for (const a of agents) bump(counts, 'agents', a.presence, 1);
  for (const s of servers) bump(counts, 'servers', s.presence, 1);
  return counts;
}

export function createFleetStore(): FleetStore {
  return createStore<FleetState>()((set, get) => ({
    loaded: false,
    seq: -1,
    status: null,
    agents: new Map(),
    servers: new Map(),
    counts: EMPTY_COUNTS,
    syncError: null,

    setSyncError(message) {
      if (get().syncError !== message) set({ syncError: message });
    },

    applySnapshot(snapshot) {
      const agents = new Map(snapshot.agents.map((a) => [a.agentId, a]));
      const servers = new Map(snapshot.servers.map((s) => [s.serverId, s]));
      set({
        loaded: true,
        seq: snapshot.seq,
        status: snapshot.status,
        agents,
        servers,
        counts: countFleet(agents.values(), servers.values()),
        syncError: null,
      });
    },

    applyDelta(delta) {
      const state = get();
      if (!state.loaded || delta.seq <= state.seq) return false;
      const counts = { ...state.counts };
      let agents = state.agents as Map<string, AgentView>;
      let servers = state.servers as Map<string, ServerView>;

      if (delta.agents.length > 0 || delta.removedAgents.length > 0) {
        agents = new Map(agents);
        for (const a of delta.agents) {
          const old = agents.get(a.agentId);
          if (old) bump(counts, 'agents', old.presence, -1);
          bump(counts, 'agents', a.presence, 1);
          agents.set(a.agentId, a);
        }
        for (const id of delta.removedAgents) {
          const old = agents.get(id);
          if (!old) continue;
          bump(counts, 'agents', old.presence, -1);
          agents.delete(id);
        }
      }
      if (delta.servers.length > 0 || delta.removedServers.length > 0) {
        servers = new Map(servers);
        for (const s of delta.servers) {
          const old = servers.get(s.serverId);
          if (old) bump(counts, 'servers', old.presence, -1);
          bump(counts, 'servers', s.presence, 1);
          servers.set(s.serverId, s);
        }
        for (const id of delta.removedServers) {
          const old = servers.get(id);
          if (!old) continue;
          bump(counts, 'servers', old.presence, -1);
          servers.delete(id);
        }
      }
      set({ seq: delta.seq, agents, servers, counts, status: delta.status ?? state.status });
      return true;
    },
  }));
}
