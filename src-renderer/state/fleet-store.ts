/**
 * Fleet state of the console: the latest snapshot with deltas applied, keyed by id, plus counts
 * derived incrementally (so the overview does not rescan 10,000 agents per batch).
 *
 * Every batch is applied with exactly one `set()`: React renders once per batch, not per entity.
 * Agents and servers (10,000s of entries, batches touching all of them) are updated in place behind a
 * new `MapView` per batch (see map-view.ts for why); the small maps (jobs, bulks, alerts) are
 * replaced (copy-on-write) when they change. Either way, a changed map has a new identity.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BulkView, ConfigStatus } from '../../src-shared/config-management';
import type {
  AgentView,
  FleetDelta,
  FleetSnapshot,
  HubStatus,
  JobView,
  PresenceState,
  ServerView,
} from '../../src-shared/fleet';
import type { AlertView } from '../../src-shared/monitoring';
import { MapView } from './map-view';

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

/**
 * Job figures derived from the jobs map, kept in step incrementally (a batch touches a few jobs, not
 * the whole retained history). `runningByAgent` only holds agents with at least one running job.
 */
export interface JobStats {
  running: number;
  failed: number;
  runningByAgent: ReadonlyMap<string, number>;
}

/** Agents per configuration status (kept in step like the presence counts). */
export type ConfigCounts = Record<ConfigStatus, number>;

export const EMPTY_CONFIG_COUNTS: ConfigCounts = { none: 0, in_sync: 0, pending: 0, failed: 0, drift: 0 };

export function countConfigs(agents: Iterable<AgentView>): ConfigCounts {
  const counts = { ...EMPTY_CONFIG_COUNTS };
  for (const a of agents) counts[a.configStatus ?? 'none'] += 1;
  return counts;
}

export interface FleetState {
  /** False until the first snapshot arrived. */
  loaded: boolean;
  /** Seq of the last snapshot/delta applied; -1 before the first snapshot. */
  seq: number;
  status: HubStatus | null;
  /** Read-only views; a new view object per batch that changed them (see map-view.ts). */
  agents: MapView<string, AgentView>;
  servers: MapView<string, ServerView>;
  counts: FleetCounts;
  /**
   * Running jobs and the retained history, keyed by `JobView.key`. The hub bounds the history and
   * says what it dropped (`removedJobs`), so this map never grows past what the hub retains.
   */
  jobs: ReadonlyMap<string, JobView>;
  jobStats: JobStats;
  /** Agents per configuration status. */
  configCounts: ConfigCounts;
  /** Recent bulk configuration changes with their progress, keyed by bulkId. */
  bulks: ReadonlyMap<string, BulkView>;
  /** Firing alerts and the recent resolved ones the hub retains, keyed by alert id. */
  alerts: ReadonlyMap<string, AlertView>;
  /** Last failure to fetch a snapshot (shown while nothing is loaded); cleared by the next snapshot. */
  syncError: string | null;
  setSyncError(message: string | null): void;
  applySnapshot(snapshot: FleetSnapshot): void;
  /** Returns false (and changes nothing) for a stale batch or before the first snapshot. */
  applyDelta(delta: FleetDelta): boolean;
}

export type FleetStore = StoreApi<FleetState>;

/**
 * Time the last applyDelta spent building the new maps and counts, before `set()` ran the
 * subscribers (React's selector checks): lets the delta timings tell the two apart.
 */
let lastDeltaBuildMs = 0;
export const lastDeltaBuildTime = (): number => lastDeltaBuildMs;

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

// Two functions with fixed property names rather than one building `${kind}Total`: a whole-fleet
// batch calls them 20,000 times, mostly as cold code (such batches are rare), where a computed key
// costs a string and a dictionary lookup each time.
function bumpAgent(counts: FleetCounts, presence: PresenceState, by: 1 | -1): void {
  counts.agentsTotal += by;
  if (presence === 'online') counts.agentsOnline += by;
  else if (presence === 'offline') counts.agentsOffline += by;
  else counts.agentsUnknown += by;
}

function bumpServer(counts: FleetCounts, presence: PresenceState, by: 1 | -1): void {
  counts.serversTotal += by;
  if (presence === 'online') counts.serversUp += by;
  else if (presence === 'offline') counts.serversDown += by;
  else counts.serversUnknown += by;
}

const EMPTY_JOB_STATS: JobStats = { running: 0, failed: 0, runningByAgent: new Map() };

/** Mutable accumulator for one batch: copies `runningByAgent` on first write only. */
class JobStatsDraft {
  running: number;
  failed: number;
  private byAgent: ReadonlyMap<string, number>;
  private copied = false;
  constructor(from: JobStats) {
    this.running = from.running;
    this.failed = from.failed;
    this.byAgent = from.runningByAgent;
  }
  add(job: JobView, by: 1 | -1): void {
    if (job.state === 'failed') this.failed += by;
    if (job.state !== 'running') return;
    this.running += by;
    if (!this.copied) {
      this.byAgent = new Map(this.byAgent);
      this.copied = true;
    }
    const map = this.byAgent as Map<string, number>;
    const next = (map.get(job.agentId) ?? 0) + by;
    if (next > 0) map.set(job.agentId, next);
    else map.delete(job.agentId);
  }
  done(previous: JobStats): JobStats {
    if (!this.copied && this.running === previous.running && this.failed === previous.failed) {
      return previous;
    }
    return { running: this.running, failed: this.failed, runningByAgent: this.byAgent };
  }
}

export function countJobs(jobs: Iterable<JobView>): JobStats {
  const draft = new JobStatsDraft(EMPTY_JOB_STATS);
  for (const j of jobs) draft.add(j, 1);
  return draft.done(EMPTY_JOB_STATS);
}

export function countFleet(agents: Iterable<AgentView>, servers: Iterable<ServerView>): FleetCounts {
  const counts = { ...EMPTY_COUNTS };
  for (const a of agents) bumpAgent(counts, a.presence, 1);
  for (const s of servers) bumpServer(counts, s.presence, 1);
  return counts;
}

export function createFleetStore(): FleetStore {
  return createStore<FleetState>()((set, get) => ({
    loaded: false,
    seq: -1,
    status: null,
    agents: new MapView<string, AgentView>(),
    servers: new MapView<string, ServerView>(),
    counts: EMPTY_COUNTS,
    jobs: new Map(),
    jobStats: EMPTY_JOB_STATS,
    configCounts: EMPTY_CONFIG_COUNTS,
    bulks: new Map(),
    alerts: new Map(),
    syncError: null,

    setSyncError(message) {
      if (get().syncError !== message) set({ syncError: message });
    },

    applySnapshot(snapshot) {
      const agents = new MapView(new Map(snapshot.agents.map((a) => [a.agentId, a])));
      const servers = new MapView(new Map(snapshot.servers.map((s) => [s.serverId, s])));
      // `?? []`: a hub older than the jobs contract sends no jobs field.
      const jobs = new Map((snapshot.jobs ?? []).map((j) => [j.key, j]));
      const bulks = new Map((snapshot.bulks ?? []).map((b) => [b.bulkId, b]));
      const alerts = new Map((snapshot.alerts ?? []).map((a) => [a.id, a]));
      set({
        loaded: true,
        seq: snapshot.seq,
        status: snapshot.status,
        agents,
        servers,
        counts: countFleet(agents.values(), servers.values()),
        jobs,
        jobStats: countJobs(jobs.values()),
        configCounts: countConfigs(agents.values()),
        bulks,
        alerts,
        syncError: null,
      });
    },

    applyDelta(delta) {
      const started = performance.now();
      const state = get();
      if (!state.loaded || delta.seq <= state.seq) return false;
      const counts = { ...state.counts };
      let agents = state.agents;
      let servers = state.servers;
      let configCounts = state.configCounts;

      if (delta.agents.length > 0 || delta.removedAgents.length > 0) {
        const map = MapView.writable(agents);
        const cc = { ...configCounts };
        for (const a of delta.agents) {
          const old = map.get(a.agentId);
          if (old) {
            bumpAgent(counts, old.presence, -1);
            cc[old.configStatus ?? 'none'] -= 1;
          }
          bumpAgent(counts, a.presence, 1);
          cc[a.configStatus ?? 'none'] += 1;
          map.set(a.agentId, a);
        }
        for (const id of delta.removedAgents) {
          const old = map.get(id);
          if (!old) continue;
          bumpAgent(counts, old.presence, -1);
          cc[old.configStatus ?? 'none'] -= 1;
          map.delete(id);
        }
        agents = agents.next();
        configCounts = cc;
      }
      let bulks = state.bulks as Map<string, BulkView>;
      const changedBulks = delta.bulks ?? [];
      if (changedBulks.length > 0) {
        bulks = new Map(bulks);
        for (const b of changedBulks) bulks.set(b.bulkId, b);
      }
      if (delta.servers.length > 0 || delta.removedServers.length > 0) {
        const map = MapView.writable(servers);
        for (const s of delta.servers) {
          const old = map.get(s.serverId);
          if (old) bumpServer(counts, old.presence, -1);
          bumpServer(counts, s.presence, 1);
          map.set(s.serverId, s);
        }
        for (const id of delta.removedServers) {
          const old = map.get(id);
          if (!old) continue;
          bumpServer(counts, old.presence, -1);
          map.delete(id);
        }
        servers = servers.next();
      }
      let alerts = state.alerts as Map<string, AlertView>;
      const changedAlerts = delta.alerts ?? [];
      const removedAlerts = delta.removedAlerts ?? [];
      if (changedAlerts.length > 0 || removedAlerts.length > 0) {
        alerts = new Map(alerts);
        for (const a of changedAlerts) alerts.set(a.id, a);
        for (const id of removedAlerts) alerts.delete(id);
      }
      let jobs = state.jobs as Map<string, JobView>;
      let jobStats = state.jobStats;
      const changedJobs = delta.jobs ?? [];
      const removedJobs = delta.removedJobs ?? [];
      if (changedJobs.length > 0 || removedJobs.length > 0) {
        jobs = new Map(jobs);
        const draft = new JobStatsDraft(jobStats);
        for (const j of changedJobs) {
          const old = jobs.get(j.key);
          // Progress updates of a running job are the common case: they change no count.
          if (!old || old.state !== j.state || old.agentId !== j.agentId) {
            if (old) draft.add(old, -1);
            draft.add(j, 1);
          }
          jobs.set(j.key, j);
        }
        for (const key of removedJobs) {
          const old = jobs.get(key);
          if (!old) continue;
          draft.add(old, -1);
          jobs.delete(key);
        }
        jobStats = draft.done(jobStats);
      }
      lastDeltaBuildMs = performance.now() - started;
      // One set() for the whole batch: agents, servers, jobs, bulks and status render together.
      set({
        seq: delta.seq,
        agents,
        servers,
        counts,
        jobs,
        jobStats,
        configCounts,
        bulks,
        alerts,
        status: delta.status ?? state.status,
      });
      return true;
    },
  }));
}
