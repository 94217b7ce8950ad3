/**
 * Fleet state: agents and the servers they run on, their presence and the latest metrics per server.
 * A server is the host an agent reports (normalized hostname); several agents may share one.
 *
 * Pure in-memory state with no I/O and no timers, so it is cheap to test and to drive from any
 * transport. Every mutation tells `changes` which entities changed; the delta coalescer turns those
 * into batched console updates.
 */
import type {
  AgentConfigSummary,
  AgentDetail,
  AgentView,
  Hello,
  Metrics,
  MetricsView,
  PresenceReason,
  PresenceState,
  PresenceTransition,
  ServerDetail,
  ServerView,
} from '../../../src-shared';
import { Presence } from './presence';

export interface ChangeSink {
  agent(agentId: string): void;
  server(serverId: string): void;
}

/**
 * Told of presence transitions and metrics samples as they happen (metrics history, presence
 * history and alerts). Called synchronously; observers must be cheap and must not throw.
 */
export interface FleetObserver {
  presence(kind: 'agent' | 'server', id: string, transition: PresenceTransition): void;
  metrics(serverId: string, metrics: MetricsView): void;
}

interface AgentRecord {
  agentId: string;
  name: string;
  serverId: string;
  hostname: string;
  platform: string;
  arch?: string;
  agentVersion: string;
  labels: Record<string, string>;
  presence: Presence;
  lastSeen: number;
  /** lastSeen as last pushed to consoles; refreshed at most every LAST_SEEN_PUSH_MS. */
  pushedLastSeen: number;
  remoteAddress?: string;
  configRevision: number;
  violations: number;
  configSchema?: Record<string, unknown>;
}

/**
 * "Last seen" changes with every message, but while an agent is online consoles show "now" (it
 * answers pings); the value matters once it is offline, and the offline transition pushes it. Pushing
 * it more often costs one agent view per metrics message: 3,000 a second at 15,000 agents.
 */
export const LAST_SEEN_PUSH_MS = 60_000;

interface ServerRecord {
  serverId: string;
  hostname: string;
  platform: string;
  presence: Presence;
  agentIds: Set<string>;
  onlineAgents: number;
  metrics?: MetricsView;
  /** receivedAt of the metrics last pushed to consoles. */
  pushedMetricsAt: number;
}

export const serverIdOf = (hostname: string): string => hostname.trim().toLowerCase();

/** What the registry remembers of an agent across restarts. */
export interface KnownAgent {
  agentId: string;
  name: string;
  hostname: string;
  platform: string;
  arch?: string;
  agentVersion: string;
  labels: Record<string, string>;
  lastSeen: number;
  configRevision: number;
  configSchema?: Record<string, unknown>;
}

const NO_CONFIG: AgentConfigSummary = { status: 'none', desiredRevision: 0, reportedRevision: 0 };

export class FleetState {
  private readonly agents = new Map<string, AgentRecord>();
  private readonly servers = new Map<string, ServerRecord>();

  constructor(
    private readonly changes: ChangeSink,
    /** Where each agent's configuration stands (from the config service). */
    private readonly configSummary: (agentId: string) => AgentConfigSummary = () => NO_CONFIG,
    private readonly observers: FleetObserver[] = [],
    /**
     * A server's metrics reach consoles at most this often (its agents report the same host, each
     * once per metrics interval: without this, 5 agents on a host make 5 server views per interval).
     * History and alerts still get every sample. 0 = every sample.
     */
    private readonly serverMetricsPushMs = 0,
  ) {}

  private presence(kind: 'agent' | 'server', id: string, now: number): Presence {
    if (this.observers.length === 0) return new Presence(now);
    return new Presence(now, (t) => {
      for (const o of this.observers) o.presence(kind, id, t);
    });
  }

  /** An agent remembered from a previous run: listed, presence unknown until it connects. */
  registerKnown(known: KnownAgent, now: number): void {
    if (this.agents.has(known.agentId)) return;
    const agent: AgentRecord = {
      ...known,
      serverId: serverIdOf(known.hostname),
      presence: this.presence('agent', known.agentId, now),
      pushedLastSeen: known.lastSeen,
      violations: 0,
    };
    this.agents.set(agent.agentId, agent);
    this.attach(agent, now);
    this.changes.agent(agent.agentId);
  }

  /** Presence of an agent without building its view (the view needs the config summary). */
  presenceOf(agentId: string): PresenceState | undefined {
    return this.agents.get(agentId)?.presence.state;
  }

  /** The registry record of an agent (persisted by the hub). */
  known(agentId: string): KnownAgent | undefined {
    const a = this.agents.get(agentId);
    if (!a) return undefined;
    return {
      agentId: a.agentId,
      name: a.name,
      hostname: a.hostname,
      platform: a.platform,
      arch: a.arch,
      agentVersion: a.agentVersion,
      labels: a.labels,
      lastSeen: a.lastSeen,
      configRevision: a.configRevision,
      configSchema: a.configSchema,
    };
  }

  /** An agent completed its hello. `reason` is 'replaced' when it took over a live connection. */
  agentOnline(
    hello: Hello,
    remoteAddress: string | undefined,
    now: number,
    reason: PresenceReason = 'connected',
  ): void {
    const serverId = serverIdOf(hello.hostname);
    let agent = this.agents.get(hello.agentId);
    const moved = agent !== undefined && agent.serverId !== serverId;
    if (agent && moved) {
      // The agent moved to another host (or its hostname changed): detach it from the old server.
      this.detach(agent, now);
    }
    if (!agent) {
      agent = {
        agentId: hello.agentId,
        name: hello.name,
        serverId,
        hostname: hello.hostname,
        platform: hello.platform,
        agentVersion: hello.agentVersion,
        labels: hello.labels,
        presence: this.presence('agent', hello.agentId, now),
        lastSeen: now,
        pushedLastSeen: now,
        configRevision: hello.configRevision,
        violations: 0,
      };
      this.agents.set(agent.agentId, agent);
    }
    Object.assign(agent, {
      name: hello.name,
      serverId,
      hostname: hello.hostname,
      platform: hello.platform,
      arch: hello.arch,
      agentVersion: hello.agentVersion,
      labels: hello.labels,
      configRevision: hello.configRevision,
      configSchema: hello.configSchema,
      lastSeen: now,
      remoteAddress,
    });
    // Counted online on this server already? Not if it just moved here from another one.
    const countedHere = agent.presence.state === 'online' && !moved;
    agent.presence.transition('online', reason, now);
    const server = this.attach(agent, now);
    if (!countedHere) this.adjustOnline(server, +1, now);
    this.changes.agent(agent.agentId);
  }

  agentOffline(agentId: string, reason: PresenceReason, now: number): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.presence.state !== 'online') return;
    agent.presence.transition('offline', reason, now);
    const server = this.servers.get(agent.serverId);
    if (server) this.adjustOnline(server, -1, now);
    this.changes.agent(agentId);
  }

  /** Any sign of life. Pushed to consoles when the revision changes, else at most every 5 s. */
  agentSeen(agentId: string, now: number, configRevision?: number): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    agent.lastSeen = now;
    const revisionChanged = configRevision !== undefined && configRevision !== agent.configRevision;
    if (revisionChanged) agent.configRevision = configRevision;
    if (revisionChanged || now - agent.pushedLastSeen >= LAST_SEEN_PUSH_MS) {
      agent.pushedLastSeen = now;
      this.changes.agent(agentId);
    }
  }

  agentMetrics(agentId: string, metrics: Metrics, now: number): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    this.agentSeen(agentId, now, metrics.configRevision);
    const server = this.servers.get(agent.serverId);
    if (!server) return;
    server.metrics = {
      receivedAt: now,
      cpuPercent: metrics.cpu.percent,
      cores: metrics.cpu.cores,
      load: metrics.cpu.load,
      memoryUsedBytes: metrics.memory.usedBytes,
      memoryTotalBytes: metrics.memory.totalBytes,
      disks: metrics.disks,
      rxBytesPerSec: metrics.network.rxBytesPerSec,
      txBytesPerSec: metrics.network.txBytesPerSec,
      uptimeSec: metrics.uptimeSec,
    };
    for (const o of this.observers) o.metrics(server.serverId, server.metrics);
    if (now - server.pushedMetricsAt >= this.serverMetricsPushMs) {
      server.pushedMetricsAt = now;
      this.changes.server(server.serverId);
    }
  }

  /**
   * Forget an agent (revoked / decommissioned): it leaves its server, and consoles get it as
   * removed. A server left with no agent is removed too. Undefined when it was not known.
   */
  removeAgent(agentId: string, now: number): { serverId: string; serverRemoved: boolean } | undefined {
    const agent = this.agents.get(agentId);
    if (!agent) return undefined;
    this.detach(agent, now);
    this.agents.delete(agentId);
    const server = this.servers.get(agent.serverId);
    const serverRemoved = server !== undefined && server.agentIds.size === 0;
    if (serverRemoved) this.servers.delete(agent.serverId);
    this.changes.agent(agentId);
    return { serverId: agent.serverId, serverRemoved };
  }

  countViolation(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    agent.violations++;
    this.changes.agent(agentId);
  }

  // ---- views -----------------------------------------------------------------------------------

  agentView(agentId: string): AgentView | undefined {
    const a = this.agents.get(agentId);
    if (!a) return undefined;
    const config = this.configSummary(agentId);
    return {
      agentId: a.agentId,
      name: a.name,
      serverId: a.serverId,
      hostname: a.hostname,
      platform: a.platform,
      arch: a.arch,
      agentVersion: a.agentVersion,
      labels: a.labels,
      presence: a.presence.state,
      since: a.presence.since,
      reason: a.presence.reason,
      lastSeen: a.lastSeen,
      remoteAddress: a.remoteAddress,
      configRevision: a.configRevision,
      desiredRevision: config.desiredRevision,
      configStatus: config.status,
      hasConfigSchema: a.configSchema !== undefined,
      violations: a.violations,
    };
  }

  serverView(serverId: string): ServerView | undefined {
    const s = this.servers.get(serverId);
    if (!s) return undefined;
    return {
      serverId: s.serverId,
      hostname: s.hostname,
      platform: s.platform,
      presence: s.presence.state,
      since: s.presence.since,
      reason: s.presence.reason,
      agentIds: [...s.agentIds],
      onlineAgents: s.onlineAgents,
      metrics: s.metrics,
    };
  }

  agentViews(): AgentView[] {
    return [...this.agents.keys()].map((id) => this.agentView(id) as AgentView);
  }

  serverViews(): ServerView[] {
    return [...this.servers.keys()].map((id) => this.serverView(id) as ServerView);
  }

  agentDetail(agentId: string): AgentDetail | null {
    const agent = this.agentView(agentId);
    if (!agent) return null;
    return {
      agent,
      presenceLog: this.agents.get(agentId)?.presence.history() ?? [],
      server: this.serverView(agent.serverId),
    };
  }

  serverDetail(serverId: string): ServerDetail | null {
    const server = this.serverView(serverId);
    if (!server) return null;
    return {
      server,
      presenceLog: this.servers.get(serverId)?.presence.history() ?? [],
      agents: server.agentIds.map((id) => this.agentView(id)).filter((a): a is AgentView => a !== undefined),
    };
  }

  agentIds(): IterableIterator<string> {
    return this.agents.keys();
  }

  get agentCount(): number {
    return this.agents.size;
  }

  // ---- servers ---------------------------------------------------------------------------------

  private attach(agent: AgentRecord, now: number): ServerRecord {
    let server = this.servers.get(agent.serverId);
    if (!server) {
      server = {
        serverId: agent.serverId,
        hostname: agent.hostname,
        platform: agent.platform,
        presence: this.presence('server', agent.serverId, now),
        agentIds: new Set(),
        onlineAgents: 0,
        pushedMetricsAt: -Infinity,
      };
      this.servers.set(server.serverId, server);
    }
    server.hostname = agent.hostname;
    server.platform = agent.platform;
    if (!server.agentIds.has(agent.agentId)) {
      server.agentIds.add(agent.agentId);
      this.changes.server(server.serverId);
    }
    return server;
  }

  private detach(agent: AgentRecord, now: number): void {
    const server = this.servers.get(agent.serverId);
    if (!server) return;
    server.agentIds.delete(agent.agentId);
    if (agent.presence.state === 'online') this.adjustOnline(server, -1, now);
    this.changes.server(server.serverId);
  }

  private adjustOnline(server: ServerRecord, delta: 1 | -1, now: number): void {
    server.onlineAgents = Math.max(0, server.onlineAgents + delta);
    if (server.onlineAgents > 0) server.presence.transition('online', 'agent_online', now);
    else server.presence.transition('offline', 'all_agents_offline', now);
    this.changes.server(server.serverId);
  }
}
