/**
 * Fleet simulator: N virtual agents in one process, for demos, load tests and benchmarks.
 *
 *   node dist/main/simulator.js --url ws://127.0.0.1:8765 --token XYZ --count 1000 [--prefix sim]
 *                               [--hosts H] [--interval-jitter] [--rate 200]
 *                               [--schema] [--reject N]
 *                               [--amqp-url amqp://… [--jobs] [--job-interval SEC] [--consume-config]]
 *
 * Configuration: every virtual agent applies `config` frames sent over the WebSocket (the hub's path
 * without a broker) with the reference agent's apply logic, kept in memory, and answers
 * `config.report`; `--schema` declares the reference agent's configuration schema in hello, and
 * `--reject N` makes the first N agents refuse every configuration.
 *
 * With a broker: `--jobs` makes every virtual agent run a fake job now and then (started → progress
 * 25/50/75 → finished, about 10 % failed with exit code 1), published as JobEvents; `--consume-config`
 * consumes each agent's configuration queue with the reference agent's apply logic (kept in memory,
 * same reject rule) and reports back. The whole fleet shares one AMQP connection: one confirm channel
 * for every publish and one channel for every config consumer.
 *
 * Each virtual agent is a real AgentClient (same protocol code as the reference agent) fed by a fake
 * but plausible metrics generator. Agents are spread over H host names, several agents per server,
 * and agents on the same host report the same host metrics. Connects are staggered (`rate` per
 * second) so a thousand agents do not stampede the hub; reconnects are spread by the client's
 * jittered backoff. `startSimulator()` is exported for in-process use by tests and benchmarks.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { version as AGENT_VERSION } from '../package.json';
import { AGENT_WS_PATH, type Disk, type Metrics } from '../src-shared/agent-protocol';
import { BrokerLink, agentTopologyNames, checkAmqpUrl } from './broker-link';
import { AgentClient, normalizeHubUrl, redactUrl, type BackoffOptions } from './client';
import { ConfigApplier, MemoryConfigStore, type ConfigValidator } from './config-apply';
import { hubTrust, parseLabels } from './cli-args';
import { ConfigConsumer } from './config-consumer';
import { fileCredentials } from './credential-file';
import { REFERENCE_CONFIG_SCHEMA, agentConfigValidator, type JsonSchema } from './config-schema';
import { EventPublisher, jobEvent } from './event-publisher';

export interface SimulatorOptions {
  url: string;
  token: string;
  /** wss:// hubs: pin the certificate fingerprint (sha256:AB:CD:…) or trust this CA (PEM). */
  fingerprint?: string;
  ca?: string;
  /** Connect from this local address (e.g. 127.0.0.2): see AgentClientOptions.localAddress. */
  localAddress?: string;
  count: number;
  /** Agent ids are `${prefix}-00001`…, host names `${prefix}-host-001`…. Default "sim". */
  prefix?: string;
  /** Number of distinct host names. Default: one per 5 agents. */
  hosts?: number;
  /** Spread each agent's metrics sends randomly within the interval (±10 %). */
  intervalJitter?: boolean;
  /** Agents started per second. Default 200. */
  connectRatePerSec?: number;
  /** Summary line period in seconds; 0 turns it off. Default 5. */
  summaryEverySec?: number;
  /** Where log lines go. Default: stderr. */
  log?: (line: string) => void;
  backoff?: BackoffOptions;
  /** Extra labels on every virtual agent. */
  labels?: Record<string, string>;
  /** RabbitMQ side (fake jobs, configuration consumers). Omitted: WebSocket only. */
  broker?: SimulatorBrokerOptions;
  /**
   * Declare a configuration schema in every hello (true: the reference agent's) and refuse
   * configurations that do not match it. Default: none.
   */
  configSchema?: boolean | JsonSchema;
  /** The first N agents (by index) refuse every configuration (`--reject N`). Default 0. */
  rejectFirst?: number;
  /**
   * Keep each virtual agent's credential (issued at enrollment) in this directory, one 0600 file per
   * agent id, so a restarted simulator is still the same enrolled agents. Default: memory only.
   */
  credentialsDir?: string;
}

export interface SimulatedJobOptions {
  /** Mean time between two jobs of one agent, seconds (each wait varies ±50 %). Default 60. */
  intervalSec?: number;
  /** Time between two events of a job (started, 25, 50, 75, end). Default 2 000 ms. */
  stepMs?: number;
  /** Share of jobs that fail (exit code 1). Default 0.1. */
  failureRate?: number;
  /** Start each agent's first job at once instead of at a random point of the first interval. */
  startImmediately?: boolean;
}

export interface SimulatorBrokerOptions {
  url: string;
  /** Topology prefix instead of "centralizer" (tests sharing a broker). */
  topologyPrefix?: string;
  /** Run fake jobs (true = defaults). */
  jobs?: boolean | SimulatedJobOptions;
  /** Consume and apply configurations for every virtual agent (in memory). */
  consumeConfig?: boolean;
  /** Replaces the default validator ("reject": true / "rejectReason" / the declared schema). */
  validateConfig?: ConfigValidator;
  backoff?: { initialMs?: number; maxMs?: number };
}

export interface SimulatorStats {
  total: number;
  started: number;
  online: number;
  connecting: number;
  backoff: number;
  stopped: number;
  welcomes: number;
  disconnects: number;
  metricsSent: number;
  jobsStarted: number;
  jobsFinished: number;
  jobsFailed: number;
  /** Job events and config reports confirmed by the broker / still waiting. */
  eventsConfirmed: number;
  eventsPending: number;
  configsApplied: number;
  configsRejected: number;
}

export interface SimulatorHandle {
  readonly clients: readonly AgentClient[];
  /** The shared broker connection, when `broker` was given. */
  readonly brokerLink?: BrokerLink;
  /**
   * One per virtual agent (revision in force: `.revision`), used for configurations over the WebSocket
   * and, with `broker.consumeConfig`, from RabbitMQ.
   */
  readonly configAppliers: readonly ConfigApplier[];
  stats(): SimulatorStats;
  /** Resolves once every agent has been started (connect attempts issued, not necessarily online). */
  readonly allStarted: Promise<void>;
  /** Resolves when `online` reaches `n` (default: all), or rejects after `timeoutMs`. */
  waitForOnline(n?: number, timeoutMs?: number): Promise<void>;
  /** Close every agent with 1000 and resolve when all sockets are closed. */
  stop(): Promise<void>;
}

// ---- fake host metrics -------------------------------------------------------------------------

/** Small deterministic PRNG (mulberry32), seeded per host so a host looks the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const GiB = 1024 ** 3;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * One simulated server. `sample()` advances random walks with mean reversion, scaled by the time
 * since the previous sample; calls within the same second return the same figures, so every agent
 * on the host reports the same host.
 */
export class FakeHost {
  private readonly rnd: () => number;
  private readonly cores: number;
  private readonly memTotal: number;
  private readonly disks: { mount: string; fs: string; total: number; used: number }[];
  private readonly bootAt: number;
  private cpuBase: number;
  private cpu: number;
  private load: [number, number, number];
  private memUsed: number;
  private rx: number;
  private tx: number;
  private lastAt: number;
  private cached?: { second: number; metrics: Metrics };

  constructor(
    readonly hostname: string,
    private readonly now: () => number = Date.now,
  ) {
    this.rnd = mulberry32(hashString(hostname));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(this.rnd() * items.length)] as T;
    this.cores = pick([2, 4, 8, 16, 32] as const);
    this.memTotal = pick([4, 8, 16, 32, 64] as const) * GiB;
    const rootTotal = Math.round((50 + this.rnd() * 450) * GiB);
    const dataTotal = Math.round((1 + this.rnd() * 3) * 1024 * GiB);
    this.disks = [
      { mount: '/', fs: 'ext4', total: rootTotal, used: rootTotal * (0.2 + this.rnd() * 0.5) },
      { mount: '/data', fs: 'xfs', total: dataTotal, used: dataTotal * (0.1 + this.rnd() * 0.7) },
    ];
    this.bootAt = this.now() - Math.round(this.rnd() * 90 * 86400 * 1000);
    this.cpuBase = 5 + this.rnd() * 50;
    this.cpu = this.cpuBase;
    this.load = [0, 0, 0].map(() => (this.cpu / 100) * this.cores) as [number, number, number];
    this.memUsed = this.memTotal * (0.3 + this.rnd() * 0.4);
    this.rx = this.rnd() * 5e6;
    this.tx = this.rnd() * 2e6;
    this.lastAt = this.now();
  }

  sample(): Metrics {
    const t = this.now();
    const second = Math.floor(t / 1000);
    if (this.cached && this.cached.second === second) return { ...this.cached.metrics, ts: t };
    const dt = clamp((t - this.lastAt) / 1000, 0, 300);
    this.lastAt = t;
    const noise = (): number => this.rnd() * 2 - 1;
    const step = Math.sqrt(Math.max(dt, 0.1));

    // CPU: mean-reverting walk with the occasional spike; the base itself drifts slowly.
    this.cpuBase = clamp(this.cpuBase + noise() * 0.5 * step, 2, 85);
    this.cpu = clamp(this.cpu + (this.cpuBase - this.cpu) * 0.2 + noise() * 6 * step, 0, 100);
    if (this.rnd() < 0.01) this.cpu = clamp(this.cpu + 40, 0, 100);
    const running = (this.cpu / 100) * this.cores;
    const decay = [1 / 60, 1 / 300, 1 / 900].map((k) => 1 - Math.exp(-dt * k));
    this.load = this.load.map((l, i) => l + (running - l) * (decay[i] ?? 0)) as [number, number, number];

    this.memUsed = clamp(
      this.memUsed + noise() * 0.01 * this.memTotal * step,
      0.1 * this.memTotal,
      0.97 * this.memTotal,
    );
    for (const d of this.disks) {
      // Disks mostly fill up, sometimes get cleaned.
      d.used = clamp(d.used + (this.rnd() - 0.45) * 1e-5 * d.total * dt, 0.05 * d.total, 0.99 * d.total);
    }
    this.rx = clamp(this.rx * Math.exp(noise() * 0.3 * step), 1e3, 1.2e8);
    this.tx = clamp(this.tx * Math.exp(noise() * 0.3 * step), 1e3, 1.2e8);

    const metrics: Metrics = {
      type: 'metrics',
      ts: t,
      cpu: {
        percent: round1(this.cpu),
        cores: this.cores,
        load: this.load.map(round2) as [number, number, number],
      },
      memory: { usedBytes: Math.round(this.memUsed), totalBytes: this.memTotal },
      disks: this.disks.map((d): Disk => ({
        mount: d.mount,
        fs: d.fs,
        usedBytes: Math.round(d.used),
        totalBytes: d.total,
      })),
      network: { rxBytesPerSec: Math.round(this.rx), txBytesPerSec: Math.round(this.tx) },
      uptimeSec: Math.max(0, Math.round((t - this.bootAt) / 1000)),
    };
    this.cached = { second, metrics };
    return metrics;
  }
}

const JOB_NAMES = ['backup', 'log-rotate', 'deploy', 'db-vacuum', 'cert-renew', 'report', 'cache-warmup'];
const FAILURE_MESSAGES = [
  'disk full: no space left on device',
  'connection refused by db:5432',
  'timeout after 300 s',
  'checksum mismatch in archive',
  'permission denied: /var/backups',
];

const round1 = (v: number): number => Math.round(v * 10) / 10;
const round2 = (v: number): number => Math.round(v * 100) / 100;

// ---- simulator -----------------------------------------------------------------------------------

export function startSimulator(options: SimulatorOptions): SimulatorHandle {
  const count = Math.floor(options.count);
  if (!(count >= 1)) throw new RangeError('count must be at least 1');
  const prefix = options.prefix ?? 'sim';
  const hostCount = clamp(Math.floor(options.hosts ?? Math.ceil(count / 5)), 1, count);
  const rate = Math.max(1, options.connectRatePerSec ?? 200);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const url = normalizeHubUrl(options.url, AGENT_WS_PATH);
  const idWidth = Math.max(5, String(count).length);
  const hostWidth = Math.max(3, String(hostCount).length);

  const hosts = Array.from(
    { length: hostCount },
    (_, i) => new FakeHost(`${prefix}-host-${String(i + 1).padStart(hostWidth, '0')}`),
  );
  let disconnects = 0;
  const schema = options.configSchema === true ? REFERENCE_CONFIG_SCHEMA : options.configSchema || undefined;
  // Built once (the schema's compiled validator is shared by the whole fleet).
  const validate = options.broker?.validateConfig ?? agentConfigValidator(schema);
  const rejectFirst = Math.max(0, Math.floor(options.rejectFirst ?? 0));
  const wsConfigs = { applied: 0, rejected: 0 };
  const appliers: ConfigApplier[] = [];
  const clients = Array.from({ length: count }, (_, i) => {
    const host = hosts[i % hostCount] as FakeHost;
    const agentId = `${prefix}-${String(i + 1).padStart(idWidth, '0')}`;
    const refusal = `simulated agent ${agentId} refuses configurations (--reject)`;
    const applier = new ConfigApplier({
      agentId,
      store: new MemoryConfigStore(),
      validate: i < rejectFirst ? () => refusal : validate,
      // Called only after a configuration was applied, long after `client` exists.
      onApplied: (state) => client.configApplied(state.revision),
    });
    appliers.push(applier);
    const client = new AgentClient({
      url,
      token: options.token,
      ...(options.credentialsDir
        ? { credentials: fileCredentials(join(options.credentialsDir, agentId)) }
        : {}),
      ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      identity: {
        agentId,
        name: agentId,
        hostname: host.hostname,
        platform: 'linux',
        arch: 'x64',
        agentVersion: `${AGENT_VERSION}-sim`,
        labels: { simulated: 'true', ...options.labels },
        configRevision: 0,
        ...(schema ? { configSchema: schema } : {}),
      },
      metrics: () => host.sample(),
      metricsJitter: options.intervalJitter ? 0.1 : 0,
      backoff: options.backoff,
      configApplier: applier,
    });
    client.on('disconnected', () => disconnects++);
    client.on('config', (r) => {
      if (r.outcome === 'applied') wsConfigs.applied++;
      else if (r.outcome === 'rejected') wsConfigs.rejected++;
    });
    // Errors are counted by state; a listener keeps them from being thrown.
    client.on('error', () => undefined);
    return client;
  });

  // ---- broker side: one connection for the whole fleet ----
  const stamp = (line: string): void => log(`${new Date().toISOString()} simulator: ${line}`);
  const jobCounters = { started: 0, finished: 0, failed: 0 };
  const jobTimers = new Set<NodeJS.Timeout>();
  const runningJobs = new Map<string, { agentId: string; jobId: string; name: string; startedAt: number }>();
  let link: BrokerLink | undefined;
  let publisher: EventPublisher | undefined;
  let consumer: ConfigConsumer | undefined;
  const brokerOptions = options.broker;
  const jobOptions: SimulatedJobOptions | undefined =
    brokerOptions?.jobs === true ? {} : brokerOptions?.jobs || undefined;
  if (brokerOptions) {
    const names = agentTopologyNames(brokerOptions.topologyPrefix);
    link = new BrokerLink({
      url: brokerOptions.url,
      name: `simulator ${prefix}`,
      connections: 1,
      backoff: brokerOptions.backoff,
      log: stamp,
    });
    publisher = new EventPublisher(link, { names, log: stamp, maxQueued: Math.max(10_000, count * 20) });
    publisher.start();
    if (brokerOptions.consumeConfig) {
      // The same appliers as the WebSocket path. No line per configuration: a bulk change to a thousand agents would flood the log.
      consumer = new ConfigConsumer(link, publisher, appliers, { names });
      consumer.start();
    }
    link.start();
  }

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      jobTimers.delete(timer);
      if (!stopping) fn();
    }, ms);
    jobTimers.add(timer);
  };

  /** started → progress 25/50/75 → finished, or failed (exit code 1) at a random step. */
  const runFakeJob = (client: AgentClient, done: () => void): void => {
    const pub = publisher as EventPublisher;
    const stepMs = jobOptions?.stepMs ?? 2_000;
    const failAt = Math.random() < (jobOptions?.failureRate ?? 0.1) ? 1 + Math.floor(Math.random() * 4) : -1;
    const name = JOB_NAMES[Math.floor(Math.random() * JOB_NAMES.length)] as string;
    const startedAt = Date.now();
    const base = { agentId: client.agentId, jobId: randomUUID(), name, startedAt };
    runningJobs.set(base.jobId, base);
    jobCounters.started++;
    void pub.publish(jobEvent({ ...base, event: 'started', ts: startedAt }));
    const step = (i: number): void => {
      if (i === failAt) {
        runningJobs.delete(base.jobId);
        jobCounters.failed++;
        const message = FAILURE_MESSAGES[Math.floor(Math.random() * FAILURE_MESSAGES.length)] as string;
        void pub.publish(
          jobEvent({ ...base, event: 'failed', progress: (i - 1) * 25, message, exitCode: 1 }),
        );
        return done();
      }
      if (i === 4) {
        runningJobs.delete(base.jobId);
        jobCounters.finished++;
        void pub.publish(jobEvent({ ...base, event: 'finished', progress: 100, exitCode: 0 }));
        return done();
      }
      void pub.publish(jobEvent({ ...base, event: 'progress', progress: i * 25 }));
      later(stepMs, () => step(i + 1));
    };
    later(stepMs, () => step(1));
  };

  const scheduleJobs = (client: AgentClient, first: boolean): void => {
    if (!jobOptions || stopping) return;
    const intervalMs = Math.max(100, (jobOptions.intervalSec ?? 60) * 1000);
    const delay = first
      ? jobOptions.startImmediately
        ? 0
        : Math.random() * intervalMs
      : intervalMs * (0.5 + Math.random());
    later(delay, () => runFakeJob(client, () => scheduleJobs(client, false)));
  };

  let started = 0;
  let stopping = false;
  let startTimer: NodeJS.Timeout | undefined;
  let resolveAllStarted!: () => void;
  const allStarted = new Promise<void>((resolve) => (resolveAllStarted = resolve));
  const tickMs = 50;
  const startedAt = Date.now();
  const startBatch = (): void => {
    // Catch up with the wall clock, so timer drift does not slow the ramp below `rate`.
    const due = Math.min(count, Math.max(1, Math.floor(((Date.now() - startedAt + tickMs) * rate) / 1000)));
    while (started < due && !stopping) {
      const client = clients[started++];
      client?.start();
      if (client) scheduleJobs(client, true);
    }
    if (started < count && !stopping) startTimer = setTimeout(startBatch, tickMs);
    else resolveAllStarted();
  };
  startBatch();

  const stats = (): SimulatorStats => {
    const s: SimulatorStats = {
      total: count,
      started,
      online: 0,
      connecting: 0,
      backoff: 0,
      stopped: 0,
      welcomes: 0,
      disconnects,
      metricsSent: 0,
      jobsStarted: jobCounters.started,
      jobsFinished: jobCounters.finished,
      jobsFailed: jobCounters.failed,
      eventsConfirmed: publisher?.counters.confirmed ?? 0,
      eventsPending: publisher?.pending ?? 0,
      configsApplied: (consumer?.counters.applied ?? 0) + wsConfigs.applied,
      configsRejected: (consumer?.counters.rejected ?? 0) + wsConfigs.rejected,
    };
    for (const client of clients) {
      const c = client.stats();
      if (c.state === 'online') s.online++;
      else if (c.state === 'connecting' || c.state === 'handshaking') s.connecting++;
      else if (c.state === 'backoff') s.backoff++;
      else if (c.state === 'stopped') s.stopped++;
      s.welcomes += c.welcomes;
      s.metricsSent += c.metricsSent;
    }
    return s;
  };

  const summaryMs = (options.summaryEverySec ?? 5) * 1000;
  const summaryTimer =
    summaryMs > 0
      ? setInterval(() => {
          const s = stats();
          log(
            `${new Date().toISOString()} simulator: connected ${s.online}/${s.total} ` +
              `(connecting ${s.connecting}, retrying ${s.backoff}, stopped ${s.stopped}, not started ${s.total - s.started}); ` +
              `metrics sent ${s.metricsSent}, disconnects ${s.disconnects}` +
              (!link && s.configsApplied + s.configsRejected > 0
                ? `; configs applied ${s.configsApplied}, rejected ${s.configsRejected}`
                : '') +
              (link
                ? `; broker ${link.state}, jobs ${s.jobsStarted} (finished ${s.jobsFinished}, failed ${s.jobsFailed}), ` +
                  `events confirmed ${s.eventsConfirmed} (pending ${s.eventsPending}), ` +
                  `configs applied ${s.configsApplied}, rejected ${s.configsRejected}`
                : ''),
          );
        }, summaryMs)
      : undefined;

  log(
    `${new Date().toISOString()} simulator: ${count} agents on ${hostCount} hosts → ${redactUrl(url)} ` +
      `(starting ${rate}/s${options.intervalJitter ? ', interval jitter on' : ''}` +
      `${schema ? ', config schema declared' : ''}` +
      `${rejectFirst ? `, the first ${Math.min(rejectFirst, count)} refuse configurations` : ''})`,
  );

  let stopPromise: Promise<void> | undefined;
  return {
    clients,
    brokerLink: link,
    configAppliers: appliers,
    stats,
    allStarted,
    waitForOnline(n = count, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const check = (): void => {
          if (stats().online >= n) return resolve();
          if (Date.now() - started > timeoutMs) {
            return reject(new Error(`only ${stats().online}/${n} agents online after ${timeoutMs} ms`));
          }
          setTimeout(check, 25);
        };
        check();
      });
    },
    stop() {
      if (stopPromise) return stopPromise;
      stopping = true;
      if (startTimer) clearTimeout(startTimer);
      if (summaryTimer) clearInterval(summaryTimer);
      resolveAllStarted();
      for (const timer of jobTimers) clearTimeout(timer);
      jobTimers.clear();
      consumer?.stop();
      // Jobs cut short are reported as failed, so the console does not show them running forever.
      for (const job of runningJobs.values()) {
        void publisher?.publish(
          jobEvent({ ...job, event: 'failed', message: 'simulator stopped', exitCode: 143 }),
        );
      }
      runningJobs.clear();
      stopPromise = (async () => {
        await Promise.all(clients.map((c) => c.stop('simulator stopping')));
        if (publisher && link) {
          if (!(await publisher.waitIdle(5_000))) stamp(`${publisher.pending} events not confirmed; dropped`);
          publisher.stop();
          await link.stop();
        }
      })();
      return stopPromise;
    },
  };
}

// ---- command line --------------------------------------------------------------------------------

export const SIMULATOR_USAGE = `Usage: node dist/main/simulator.js --url URL --token TOKEN --count N [options]

Runs N virtual agents in one process against an Agent Centralizer hub.

  --url URL           hub gateway, e.g. wss://127.0.0.1:8765 [CENTRALIZER_URL]
  --token TOKEN       the hub's enrollment token [CENTRALIZER_TOKEN, CENTRALIZER_AGENT_TOKEN]
  --credentials-dir D keep each agent's credential in D (one 0600 file per agent), so a restarted
                      simulator stays enrolled; default: memory only [SIM_CREDENTIALS_DIR]
  --fingerprint FP    wss:// hub with a self-signed certificate: pin its sha256:AB:CD:… fingerprint
                      (shown in the console) [CENTRALIZER_HUB_FINGERPRINT]
  --ca FILE           wss:// without --fingerprint: trust the CA certificate(s) in FILE [CENTRALIZER_HUB_CA]
  --local-address A   connect from this local IP (e.g. 127.0.0.2; not with --fingerprint): one
                      loopback address per process gives each its own ~28,000 ephemeral ports
  --count N           number of virtual agents (1–100000)
  --prefix P          agent id / host name prefix (default "sim")
  --label K=V         label on every virtual agent, repeatable
  --hosts H           number of distinct host names (default: N/5, several agents per server)
  --interval-jitter   spread each agent's metrics sends (±10 % of the hub's interval)
  --rate R            agents started per second (default 200)
  --schema            declare the reference agent's configuration schema in hello (and refuse
                      configurations that do not match it) [SIM_SCHEMA=1]
  --reject N          the first N agents (by index) refuse every configuration [SIM_REJECT]
  --amqp-url URL      RabbitMQ for --jobs / --consume-config [AGENT_AMQP_URL, else RABBITMQ_URL]
  --jobs              every agent runs a fake job now and then (started, progress 25/50/75, finished;
                      about 10 % fail with exit code 1), published as job events [SIM_JOBS=1]
  --job-interval SEC  mean time between two jobs of one agent (default 60) [SIM_JOB_INTERVAL]
  --job-step-ms MS    time between two events of a job (default 2000) [SIM_JOB_STEP_MS]
  --consume-config    apply configurations from each agent's queue (in memory; a config with
                      "reject": true or a string "rejectReason" is refused) [SIM_CONSUME_CONFIG=1]

Configurations sent over the WebSocket (a hub without a broker) are always applied the same way (in
memory) and answered with config.report.
  --topology-prefix P broker names P.* instead of centralizer.* [CENTRALIZER_TOPOLOGY_PREFIX]
  -h, --help          print this help
`;

function runCli(argv: string[]): void {
  const fail = (message: string): never => {
    process.stderr.write(`simulator: ${message}\nRun with --help for usage.\n`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        fingerprint: { type: 'string' },
        ca: { type: 'string' },
        'local-address': { type: 'string' },
        count: { type: 'string' },
        prefix: { type: 'string' },
        label: { type: 'string', multiple: true },
        hosts: { type: 'string' },
        'interval-jitter': { type: 'boolean' },
        rate: { type: 'string' },
        schema: { type: 'boolean' },
        reject: { type: 'string' },
        'credentials-dir': { type: 'string' },
        'amqp-url': { type: 'string' },
        jobs: { type: 'boolean' },
        'job-interval': { type: 'string' },
        'job-step-ms': { type: 'string' },
        'consume-config': { type: 'boolean' },
        'topology-prefix': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(SIMULATOR_USAGE);
    return;
  }
  const int = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      fail(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const url = values.url ?? process.env.CENTRALIZER_URL;
  const token = values.token ?? (process.env.CENTRALIZER_TOKEN || process.env.CENTRALIZER_AGENT_TOKEN);
  if (!url) fail('missing --url (or CENTRALIZER_URL)');
  if (!token) fail('missing --token (or CENTRALIZER_TOKEN)');
  const count = int('count', values.count, 1, 100_000);
  if (count === undefined) return fail('missing --count');
  const prefix = values.prefix ?? 'sim';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(prefix)) fail('--prefix may contain letters, digits, ".", "_" and "-"');
  let trust: { fingerprint?: string; ca?: string } = {};
  try {
    const normalized = normalizeHubUrl(url as string, AGENT_WS_PATH);
    try {
      trust = hubTrust(normalized, values.fingerprint, values.ca, process.env);
    } catch (error) {
      fail((error as Error).message);
    }
  } catch (error) {
    fail(`--url: ${(error as Error).message}`);
  }

  const env = process.env;
  const envFlag = (name: string): boolean => /^(1|true|yes|on)$/i.test(env[name]?.trim() ?? '');
  const nonEmpty = (v: string | undefined): string | undefined =>
    v && v.trim() !== '' ? v.trim() : undefined;
  const jobs = values.jobs ?? envFlag('SIM_JOBS');
  const consumeConfig = values['consume-config'] ?? envFlag('SIM_CONSUME_CONFIG');
  const declareSchema = values.schema ?? envFlag('SIM_SCHEMA');
  const rejectFirst = int('reject', values.reject ?? nonEmpty(env.SIM_REJECT), 0, count);
  const credentialsDir = nonEmpty(values['credentials-dir']) ?? nonEmpty(env.SIM_CREDENTIALS_DIR);
  const amqpUrl = nonEmpty(values['amqp-url']) ?? nonEmpty(env.AGENT_AMQP_URL) ?? nonEmpty(env.RABBITMQ_URL);
  const topologyPrefix = nonEmpty(values['topology-prefix']) ?? nonEmpty(env.CENTRALIZER_TOPOLOGY_PREFIX);
  const jobIntervalRaw = values['job-interval'] ?? nonEmpty(env.SIM_JOB_INTERVAL);
  const jobInterval = jobIntervalRaw === undefined ? undefined : Number(jobIntervalRaw);
  if (
    jobInterval !== undefined &&
    !(Number.isFinite(jobInterval) && jobInterval >= 0.1 && jobInterval <= 86_400)
  ) {
    fail('--job-interval must be a number of seconds from 0.1 to 86400');
  }
  const jobStepMs = int('job-step-ms', values['job-step-ms'] ?? nonEmpty(env.SIM_JOB_STEP_MS), 10, 3_600_000);
  if ((jobs || consumeConfig) && !amqpUrl) {
    fail('--jobs and --consume-config need --amqp-url (or AGENT_AMQP_URL / RABBITMQ_URL)');
  }
  if (amqpUrl) {
    try {
      checkAmqpUrl(amqpUrl);
    } catch (error) {
      fail(`--amqp-url: ${(error as Error).message}`);
    }
  }
  if (topologyPrefix !== undefined && !/^[A-Za-z0-9._-]{1,100}$/.test(topologyPrefix)) {
    fail('--topology-prefix may contain letters, digits, ".", "_" and "-"');
  }

  const localAddress = values['local-address'];
  if (localAddress !== undefined) {
    if (isIP(localAddress) === 0) fail('--local-address must be an IP address, e.g. 127.0.0.2');
    if (trust.fingerprint) fail('--local-address cannot be combined with --fingerprint');
  }
  let labels: Record<string, string>;
  try {
    labels = parseLabels(values.label ?? []);
  } catch (error) {
    return fail((error as Error).message);
  }

  const sim = startSimulator({
    url: url as string,
    token: token as string,
    ...trust,
    ...(localAddress ? { localAddress } : {}),
    count,
    prefix,
    labels,
    hosts: int('hosts', values.hosts, 1, count),
    intervalJitter: values['interval-jitter'] ?? false,
    connectRatePerSec: int('rate', values.rate, 1, 100_000),
    configSchema: declareSchema,
    rejectFirst,
    ...(credentialsDir ? { credentialsDir } : {}),
    ...((jobs || consumeConfig) && amqpUrl
      ? {
          broker: {
            url: amqpUrl,
            topologyPrefix,
            jobs: jobs ? { intervalSec: jobInterval, stepMs: jobStepMs } : false,
            consumeConfig,
          },
        }
      : {}),
  });
  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) process.exit(1);
    shuttingDown = true;
    process.stderr.write(`${new Date().toISOString()} simulator: ${signal}: closing ${count} connections\n`);
    void sim.stop().then(() => {
      const s = sim.stats();
      process.stderr.write(
        `${new Date().toISOString()} simulator: stopped; ${s.metricsSent} metrics sent, ${s.welcomes} welcomes` +
          `, configs applied ${s.configsApplied}, rejected ${s.configsRejected}` +
          (sim.brokerLink ? `, ${s.jobsStarted} jobs, ${s.eventsConfirmed} events confirmed\n` : '\n'),
      );
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) runCli(process.argv.slice(2));
