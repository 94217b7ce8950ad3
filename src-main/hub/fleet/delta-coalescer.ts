/**
 * Coalesces fleet changes into console deltas: entities are marked dirty as they change, and at most
 * one batch per `intervalMs` carries the latest view of each dirty entity. An idle hub flushes the
 * first change at once (low latency for a single disconnect); a busy one flushes ~10 times a second
 * however many messages arrive (GitHub Desktop's emitUpdate, Uptime Kuma's batched pushes).
 */
import type {
  AgentView,
  AlertView,
  BulkView,
  FleetDelta,
  HubStatus,
  JobView,
  ServerView,
} from '../../../src-shared';
import { realClock, type Clock } from '../util/clock';
import type { ChangeSink } from './fleet-state';

export interface DeltaSource {
  agentView(agentId: string): AgentView | undefined;
  serverView(serverId: string): ServerView | undefined;
  jobView(key: string): JobView | undefined;
  bulkView(bulkId: string): BulkView | undefined;
  /** undefined = dropped from the retained alerts (sent as removed). */
  alertView(alertId: string): AlertView | undefined;
  status(): HubStatus;
}

export class DeltaCoalescer implements ChangeSink {
  private dirtyAgents = new Set<string>();
  private dirtyServers = new Set<string>();
  private dirtyJobs = new Set<string>();
  private dirtyBulks = new Set<string>();
  private dirtyAlerts = new Set<string>();
  private statusDirty = false;
  private timer: unknown;
  private lastFlush = -Infinity;
  private seqValue = 0;
  private readonly listeners = new Set<(delta: FleetDelta) => void>();

  constructor(
    private readonly source: DeltaSource,
    private readonly intervalMs = 100,
    private readonly clock: Clock = realClock,
  ) {}

  /** Sequence number of the last emitted batch; a snapshot taken now is at this seq. */
  get seq(): number {
    return this.seqValue;
  }

  agent(agentId: string): void {
    this.dirtyAgents.add(agentId);
    this.schedule();
  }

  server(serverId: string): void {
    this.dirtyServers.add(serverId);
    this.schedule();
  }

  job(key: string): void {
    this.dirtyJobs.add(key);
    this.schedule();
  }

  bulk(bulkId: string): void {
    this.dirtyBulks.add(bulkId);
    this.schedule();
  }

  alert(alertId: string): void {
    this.dirtyAlerts.add(alertId);
    this.schedule();
  }

  status(): void {
    this.statusDirty = true;
    this.schedule();
  }

  subscribe(listener: (delta: FleetDelta) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Emit what is pending now (also used on shutdown so the last transitions reach consoles). */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (
      !this.dirtyAgents.size &&
      !this.dirtyServers.size &&
      !this.dirtyJobs.size &&
      !this.dirtyBulks.size &&
      !this.dirtyAlerts.size &&
      !this.statusDirty
    )
      return;
    if (this.listeners.size === 0) {
      // Nobody to tell (a headless hub with no browser open): a console that connects later takes a
      // snapshot first, so building views nobody reads would only burn CPU.
      this.clearDirty();
      return;
    }
    const delta: FleetDelta = {
      seq: ++this.seqValue,
      agents: [],
      servers: [],
      jobs: [],
      bulks: [],
      removedAgents: [],
      removedServers: [],
      removedJobs: [],
      alerts: [],
      removedAlerts: [],
    };
    for (const id of this.dirtyAgents) {
      const view = this.source.agentView(id);
      if (view) delta.agents.push(view);
      else delta.removedAgents.push(id);
    }
    for (const id of this.dirtyServers) {
      const view = this.source.serverView(id);
      if (view) delta.servers.push(view);
      else delta.removedServers.push(id);
    }
    for (const key of this.dirtyJobs) {
      const view = this.source.jobView(key);
      if (view) delta.jobs.push({ ...view });
      else delta.removedJobs.push(key);
    }
    for (const id of this.dirtyBulks) {
      const view = this.source.bulkView(id);
      if (view) delta.bulks.push(view);
    }
    for (const id of this.dirtyAlerts) {
      const view = this.source.alertView(id);
      if (view) delta.alerts.push(view);
      else delta.removedAlerts.push(id);
    }
    if (this.statusDirty) delta.status = this.source.status();
    this.clearDirty();
    this.lastFlush = this.clock.now();
    for (const listener of this.listeners) {
      try {
        listener(delta);
      } catch {
        // A failing console must not stop the others from getting the batch.
      }
    }
  }

  private clearDirty(): void {
    this.dirtyAgents = new Set();
    this.dirtyServers = new Set();
    this.dirtyJobs = new Set();
    this.dirtyBulks = new Set();
    this.dirtyAlerts = new Set();
    this.statusDirty = false;
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }
}
