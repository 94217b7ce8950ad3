/** Fleet fixtures and a fake ConsoleApi for the renderer tests. */
import type {
  ConsoleApi,
  ConsoleEvents,
  EventChannel,
  RequestChannel,
  RequestInput,
  RequestOutput,
} from '../../../src-shared/console-api';
import type { BrokerStatus } from '../../../src-shared/broker-protocol';
import type {
  AgentView,
  FleetDelta,
  FleetSnapshot,
  HubStatus,
  JobView,
  MetricsView,
  ServerView,
} from '../../../src-shared/fleet';

export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export function status(overrides: Partial<HubStatus['gateway']> = {}): HubStatus {
  return {
    startedAt: T0 - 3_600_000,
    mode: 'headless',
    gateway: {
      state: 'listening',
      host: '0.0.0.0',
      port: 8080,
      urls: ['ws://10.0.0.5:8080/agent/v1'],
      connections: 3,
      violations: 0,
      refusedAuth: 0,
      messages: 0,
      pingIntervalSec: 15,
      metricsIntervalSec: 5,
      ...overrides,
    },
    broker: {
      state: 'not_configured',
      reason: 'not_configured',
      reasonText: 'No broker is configured.',
      detail: null,
      since: T0 - 3_600_000,
      url: null,
      attempts: 0,
      nextRetryAt: null,
    },
    jobs: { running: 0, failed: 0, eventsProcessed: 0, duplicates: 0, deadLettered: 0 },
    configOutbox: 0,
    alerts: { active: 0, critical: 0, failedDeliveries: 0 },
  };
}

export function metrics(cpuPercent: number, memPercent = 50): MetricsView {
  const total = 16 * 1024 ** 3;
  return {
    receivedAt: T0,
    cpuPercent,
    cores: 8,
    load: [0.5, 0.4, 0.3],
    memoryUsedBytes: Math.round((total * memPercent) / 100),
    memoryTotalBytes: total,
    disks: [
      { mount: '/', fs: 'ext4', usedBytes: 40e9, totalBytes: 100e9 },
      { mount: '/data', fs: 'xfs', usedBytes: 91e9, totalBytes: 100e9 },
    ],
    rxBytesPerSec: 125_000,
    txBytesPerSec: 2_500,
    uptimeSec: 93_780,
  };
}

export function agent(id: string, overrides: Partial<AgentView> = {}): AgentView {
  return {
    agentId: id,
    name: id,
    serverId: `host-${id}`,
    hostname: `host-${id}`,
    platform: 'linux',
    arch: 'x64',
    agentVersion: '1.0.0',
    labels: {},
    presence: 'online',
    since: T0 - 60_000,
    reason: 'connected',
    lastSeen: T0 - 1_000,
    configRevision: 0,
    desiredRevision: 0,
    configStatus: 'none',
    hasConfigSchema: false,
    violations: 0,
    ...overrides,
  };
}

export function server(id: string, overrides: Partial<ServerView> = {}): ServerView {
  return {
    serverId: id,
    hostname: id,
    platform: 'linux',
    presence: 'online',
    since: T0 - 60_000,
    reason: 'agent_online',
    agentIds: [],
    onlineAgents: 1,
    ...overrides,
  };
}

export function job(agentId: string, jobId: string, overrides: Partial<JobView> = {}): JobView {
  return {
    key: `${agentId}/${jobId}`,
    jobId,
    agentId,
    name: jobId,
    state: 'running',
    startedAt: T0 - 30_000,
    updatedAt: T0 - 1_000,
    ...overrides,
  };
}

export function brokerStatus(overrides: Partial<BrokerStatus> = {}): BrokerStatus {
  return {
    state: 'connected',
    reason: null,
    reasonText: null,
    detail: null,
    since: T0 - 600_000,
    url: 'amqp://hub:***@mq.example:5672/%2F',
    attempts: 0,
    nextRetryAt: null,
    ...overrides,
  };
}

export function snapshot(seq: number, agents: AgentView[], servers: ServerView[] = []): FleetSnapshot {
  return { seq, status: status(), agents, servers, jobs: [], bulks: [], alerts: [] };
}

export function delta(seq: number, parts: Partial<Omit<FleetDelta, 'seq'>> = {}): FleetDelta {
  return {
    seq,
    agents: [],
    servers: [],
    jobs: [],
    bulks: [],
    removedAgents: [],
    removedServers: [],
    removedJobs: [],
    alerts: [],
    removedAlerts: [],
    ...parts,
  };
}

type Handlers = { [K in RequestChannel]?: (input: RequestInput<K>) => Promise<RequestOutput<K>> };

/** A ConsoleApi with scripted handlers and an `emit` to push events. */
export class FakeConsoleApi implements ConsoleApi {
  readonly calls: { channel: RequestChannel; input: unknown }[] = [];
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  constructor(public handlers: Handlers = {}) {}

  call<K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>> {
    this.calls.push({ channel, input });
    const handler = this.handlers[channel] as
      ((input: RequestInput<K>) => Promise<RequestOutput<K>>) | undefined;
    if (!handler) return Promise.reject(new Error(`no handler for ${channel}`));
    return handler(input);
  }

  on<E extends EventChannel>(event: E, listener: (payload: ConsoleEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<E extends EventChannel>(event: E, payload: ConsoleEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: ConsoleEvents[E]) => void)(payload);
  }

  listenerCount(event: EventChannel): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
