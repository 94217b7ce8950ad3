/**
 * The hub: gateway (agents over WebSocket) + broker client (RabbitMQ) + fleet state + jobs + config
 * outbox + console API, composed into one object with no Electron import. The Electron main process
 * and the headless CLI both create exactly this.
 */
import type { AgentConnectionInfo, AgentEvent, ConsoleHandlers, HubStatus } from '../../src-shared';
import { CloseCode, ConsoleError } from '../../src-shared';
import { ConfigPublisher } from './broker/config-publisher';
import { BrokerConnection, testConnection } from './broker/connection-manager';
import { attachJobEventsConsumer } from './broker/job-events-consumer';
import { SavedBrokerSettings } from './broker/saved-broker-settings';
import { topologyNames } from './broker/topology';
import { ConfigOutbox } from './configs/config-outbox';
import { ConfigError, ConfigService, type AgentFacts } from './configs/config-service';
import { exportAudit } from './configs/audit-export';
import { createConsoleService, type ConsoleService } from './console-service';
import { DeltaCoalescer } from './fleet/delta-coalescer';
import { FleetState } from './fleet/fleet-state';
import { Gateway } from './gateway/gateway';
import { JobStore } from './jobs/job-state';
import { createLogger, type Logger } from './logger';
import { noSecretStore, type SecretStore } from './secret-store';
import { resolveSettings, type HubSettings } from './settings';
import type { EnvLayers } from './env-files';
import { describeHubSettingSources } from './setting-sources';
import { openRegistry, type RegistryOpenReport } from './store/registry';
import { hostname, userInfo } from 'node:os';
import { createAlerting, type Alerting } from './alerts/alerting';
import { createMonitoring } from './monitoring/monitoring';
import { Enrollment, EnrollmentError } from './enrollment/enrollment';
import { createRevocation } from './enrollment/revocation';

export interface HubOptions {
  mode: HubStatus['mode'];
  /** Where the hub keeps settings, secrets it generated and durable state (Electron: userData). */
  dataDir: string;
  /** process.env merged with .env (see src-main/hub/settings.ts and .env.example for the keys). */
  env: Record<string, string | undefined>;
  logger?: Logger;
  /** Where passwords typed in the console are kept; the headless hub has none. */
  secrets?: SecretStore;
  /** Console delta flush interval; 100 ms = at most 10 batches a second. */
  deltaIntervalMs?: number;
  /** The environment and `.env` files `env` was merged from, for Settings → sources (default: all environment). */
  envLayers?: EnvLayers;
  /** The rotating log file being written, shown in Settings. */
  logFile?: string | null;
}

export interface Hub {
  readonly console: ConsoleService;
  readonly settings: HubSettings;
  /** Start the gateway and the broker client. Never throws for a busy port or a missing broker. */
  start(): Promise<void>;
  /** Close agent connections with GOING_AWAY, close the broker and the registry, flush the last deltas. Final. */
  stop(): Promise<void>;
  status(): HubStatus;
  /** What loading the registry found (records, repaired or corrupt files), for the console and logs. */
  readonly registryReport: RegistryOpenReport;
}

/** Throws SettingsError for invalid settings (with the key name), before anything is started. */
export function createHub(options: HubOptions): Hub {
  const settings = resolveSettings(options.env, options.dataDir);
  const logger = options.logger ?? createLogger({ level: settings.logLevel, name: 'hub' });
  for (const { message, ...fields } of settings.startupProblems ?? []) logger.error(message, fields);
  const startedAt = Date.now();

  const status = (): HubStatus => ({
    startedAt,
    mode: options.mode,
    gateway: gateway.status(),
    broker: broker.getStatus(),
    jobs: jobs.stats(),
    configOutbox: outbox.size,
    alerts: alerting.counters(),
    enrollment: enrollment.counters(),
  });
  // The coalescer reads views lazily at flush time, so it can be every store's change sink.
  const coalescer: DeltaCoalescer = new DeltaCoalescer(
    {
      agentView: (id) => fleet.agentView(id),
      serverView: (id) => fleet.serverView(id),
      jobView: (key) => jobs.get(key),
      // One bulk's progress per dirty bulk, not every bulk's (flushes run 10 times a second).
      bulkView: (id) => configs.findBulkView(id),
      alertView: (id) => alerting.alertView(id),
      status,
    },
    options.deltaIntervalMs ?? 100,
  );
  const monitoring = createMonitoring({
    dataDir: options.dataDir,
    logger,
    fleet: () => fleet,
    startedAt,
    metricsIntervalSec: settings.gateway.metricsIntervalSec,
  });
  const alerting: Alerting = createAlerting({
    dataDir: options.dataDir,
    logger,
    fleet: () => fleet,
    changes: coalescer,
    user: currentUser(),
    consoleName: hostname(),
    webhook: settings.webhook,
    startedAt,
  });
  const fleet: FleetState = new FleetState(
    coalescer,
    (agentId) => configs.summary(agentId),
    [monitoring.observer, alerting.observer],
    // At most one push per server per metrics interval, with room for the agents' ±10 % jitter.
    settings.gateway.metricsIntervalSec * 900,
  );
  const registry = openRegistry(options.dataDir, logger);
  for (const known of registry.knownAgents()) fleet.registerKnown(known, startedAt);
  // Not from agentView(): the view itself asks the config service for its summary.
  const facts = (agentId: string): AgentFacts | undefined => {
    const known = fleet.known(agentId);
    if (!known) return undefined;
    return {
      agentId,
      name: known.name,
      hostname: known.hostname,
      labels: known.labels,
      presence: fleet.presenceOf(agentId) ?? 'unknown',
      reportedRevision: known.configRevision,
      schema: known.configSchema,
    };
  };
  const jobs: JobStore = new JobStore({
    maxJobs: settings.jobs.maxHistory,
    retentionMs: settings.jobs.retentionHours * 3_600_000,
    onChange: (key) => {
      coalescer.job(key);
      coalescer.status();
      const job = jobs.get(key);
      if (job) alerting.job(job);
    },
  });
  const outbox: ConfigOutbox = new ConfigOutbox(options.dataDir, logger);
  const configs: ConfigService = new ConfigService({
    persistence: registry.persistence,
    delivery: {
      viaBroker: () => broker.getStatus().state !== 'not_configured',
      enqueueBroker: (agentId, revision, config) => void outbox.enqueue(agentId, revision, config),
      sendWebSocket: (agentId, revision, issuedAt, config) =>
        gateway.sendToAgent(agentId, { type: 'config', revision, issuedAt, config }),
    },
    facts,
    allAgents: function* () {
      for (const id of fleet.agentIds()) {
        const f = facts(id);
        if (f) yield f;
      }
    },
    onAgentChanged: (agentId) => coalescer.agent(agentId),
    onBulkChanged: (bulkId) => coalescer.bulk(bulkId),
    user: currentUser(),
    logger,
  });
  const savedBroker = new SavedBrokerSettings(
    options.dataDir,
    options.secrets ?? noSecretStore,
    options.env,
    logger,
  );
  const broker: BrokerConnection = new BrokerConnection(savedBroker.active(), {
    logger,
    clientName: 'agent-centralizer-hub',
  });
  const names = topologyNames(settings.topologyPrefix);
  const knownAgents = (): string[] => [...new Set([...fleet.agentIds(), ...outbox.knownAgents()])];
  outbox.onConfirmed((entry) => configs.delivered(entry.agentId, entry.revision));
  const publisher = new ConfigPublisher(broker, outbox, { names, logger, knownAgents });

  const enrollment: Enrollment = new Enrollment({
    dataDir: options.dataDir,
    token: settings.gateway.token,
    tokenSource: settings.gateway.tokenSource,
    logger,
    onChange: () => coalescer.status(),
  });
  const gateway: Gateway = new Gateway({
    ...settings.gateway,
    dataDir: options.dataDir,
    auth: enrollment,
    fleet,
    logger,
    onStatusChange: () => coalescer.status(),
    onAgentRegistered: (agentId) => {
      // Declare the agent's durable queue as soon as we know it, so configs wait for it there.
      publisher
        .registerAgent(agentId)
        .catch((error: unknown) =>
          logger.warn('could not declare agent queue yet', { agentId, error: String(error) }),
        );
      const known = fleet.known(agentId);
      if (known) registry.rememberAgent(known);
      // Over the WebSocket path, an agent that runs an older revision gets the newest one now.
      configs.agentConnected(agentId);
    },
    onConfigReport: (agentId, report) =>
      configs.report(agentId, report.revision, report.status, report.error),
  });

  const revocation = createRevocation({
    store: enrollment.store,
    deleteCredential: (agentId) => enrollment.revoke(agentId),
    disconnect: (agentId) =>
      gateway.disconnectAgent(agentId, CloseCode.REVOKED, 'agent revoked by the operator'),
    broker,
    names,
    forget: (agentId) => {
      const removed = fleet.removeAgent(agentId, Date.now());
      registry.forgetAgent(agentId);
      // Configurations still waiting for the broker would declare its queue again.
      for (const entry of outbox.pending()) if (entry.agentId === agentId) outbox.remove(entry.messageId);
      publisher.forgetAgent(agentId);
      return removed?.serverRemoved ? removed.serverId : undefined;
    },
    purgeHistory: (agentId, serverGone) => {
      jobs.removeAgent(agentId);
      monitoring.forget('agent', agentId);
      if (serverGone) monitoring.forget('server', serverGone);
    },
    // Audit entry; with a purge, its configuration and ledger go too.
    recorded: (agentId, purge) => configs.agentRevoked(agentId, purge),
    logger,
  });

  /** Enrollment refusals (not pending, pinned token…) come back as a clear bad_request. */
  const enrollmentCall = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof EnrollmentError) throw new ConsoleError('bad_request', error.message);
      throw error;
    }
  };

  const handleAgentEvent = (event: AgentEvent): void => {
    if (event.type === 'job') {
      jobs.apply(event);
      return;
    }
    if (event.status === 'applied') fleet.agentSeen(event.agentId, Date.now(), event.revision);
    else
      logger.warn('agent rejected a configuration', {
        agentId: event.agentId,
        revision: event.revision,
        error: event.error,
      });
    configs.report(event.agentId, event.revision, event.status, event.error);
  };

  /** Operator mistakes (invalid config, unknown profile…) come back as a clear bad_request. */
  const configCall = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ConfigError) throw new ConsoleError('bad_request', error.message);
      throw error;
    }
  };

  const connectionInfo = (): AgentConnectionInfo => {
    const urls = gateway.urls();
    const fingerprint = gateway.status().tls?.fingerprint;
    return {
      urls,
      token: enrollment.enrollmentToken,
      tokenSource: settings.gateway.tokenSource,
      fingerprint,
      exampleCommand: agentCommandExample(urls[0], fingerprint),
    };
  };

  const handlers: ConsoleHandlers = {
    getSnapshot: async () => ({
      seq: coalescer.seq,
      status: status(),
      agents: fleet.agentViews(),
      servers: fleet.serverViews(),
      jobs: jobs.all().map((job) => ({ ...job })),
      bulks: configs.bulkViews(),
      alerts: alerting.retained(),
    }),
    getAgentDetail: async ({ agentId }) => fleet.agentDetail(agentId),
    getServerDetail: async ({ serverId }) => fleet.serverDetail(serverId),
    getAgentConnectionInfo: async () => connectionInfo(),
    regenerateGatewayCertificate: async () => {
      try {
        return { fingerprint: gateway.regenerateCertificate() };
      } catch (error) {
        throw new ConsoleError('bad_request', (error as Error).message);
      }
    },
    getBrokerSettings: async () => savedBroker.view(),
    getSettingSources: async () =>
      describeHubSettingSources({
        layers: options.envLayers ?? { files: [], processEnv: options.env, merged: options.env },
        broker: savedBroker.view(),
        dataDir: options.dataDir,
        logFile: options.logFile ?? null,
      }),
    testBrokerConnection: async (input) => testConnection(savedBroker.fromInput(input)),
    saveBrokerSettings: async (input) => {
      try {
        savedBroker.save(input);
      } catch (error) {
        throw new ConsoleError('bad_request', (error as Error).message);
      }
      logger.info('broker settings saved from the console', {
        host: input.host,
        port: input.port,
        vhost: input.vhost,
      });
      await broker.reconfigure(savedBroker.active());
      broker.start();
      return broker.getStatus();
    },
    sendConfig: async ({ agentId, config }) => configCall(() => configs.setOverride(agentId, config)),
    getAgentConfig: async ({ agentId }) => configs.detail(agentId),
    validateConfig: async ({ agentId, config }) => configs.validateOverride(agentId, config),
    resendConfig: async ({ agentId }) => configCall(() => configs.resend(agentId)),
    listProfiles: async () => configs.listProfiles(),
    saveProfile: async (profile) => configCall(() => configs.saveProfile(profile)),
    deleteProfile: async ({ name }) => configCall(() => configs.deleteProfile(name)),
    bulkApply: async ({ target, action }) => configCall(() => configs.bulk(target, action)),
    retryBulk: async ({ bulkId }) => configCall(() => configs.retryBulk(bulkId)),
    queryAudit: async (query) => configs.queryAudit(query),
    exportAudit: async ({ format, query }) => exportAudit(configs.queryAudit(query), format),
    ...monitoring.handlers,
    ...alerting.handlers,
    getEnrollment: async () => enrollment.view(),
    revealEnrollmentToken: async () => ({ token: enrollment.enrollmentToken }),
    rotateEnrollmentToken: async () => enrollmentCall(() => (enrollment.rotateToken(), enrollment.view())),
    setApprovalMode: async ({ enabled }) => (enrollment.setApprovalMode(enabled), enrollment.view()),
    acceptAgent: async ({ agentId }) => enrollmentCall(() => (enrollment.accept(agentId), enrollment.view())),
    rejectAgent: async ({ agentId }) => enrollmentCall(() => (enrollment.reject(agentId), enrollment.view())),
    revokeAgent: async ({ agentId, purgeHistory }) => {
      if (!enrollment.store.has(agentId) && !fleet.known(agentId))
        throw new ConsoleError('bad_request', `unknown agent ${agentId}`);
      return revocation.revoke(agentId, purgeHistory);
    },
  };

  const consoleService = createConsoleService(handlers, (listener) => {
    const offDelta = coalescer.subscribe((delta) => listener('delta', delta));
    const offNotification = alerting.onNotification((notification) => listener('notification', notification));
    return () => {
      offDelta();
      offNotification();
    };
  });

  let detachConsumer: (() => void) | undefined;
  let unsubscribers: (() => void)[] = [];
  let pruneTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  return {
    console: consoleService,
    settings,
    async start() {
      unsubscribers = [
        broker.onStatus(() => coalescer.status()),
        outbox.onChange(() => coalescer.status()),
        revocation.start(),
      ];
      detachConsumer = attachJobEventsConsumer(broker, {
        handle: handleAgentEvent,
        names,
        logger,
        onDeadLetter: () => {
          jobs.countDeadLetter();
          coalescer.status();
        },
      }).detach;
      publisher.start();
      broker.start();
      alerting.start();
      pruneTimer = setInterval(() => jobs.prune(Date.now()), 60_000);
      pruneTimer.unref();
      await gateway.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(pruneTimer);
      await gateway.stop();
      await alerting.stop();
      publisher.stop();
      outbox.flush();
      detachConsumer?.();
      await broker.stop();
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      for (const id of fleet.agentIds()) {
        const known = fleet.known(id);
        if (known) registry.rememberAgent(known);
      }
      registry.close();
      enrollment.close();
      monitoring.close();
      coalescer.flush();
      coalescer.dispose();
    },
    status,
    registryReport: registry.report,
  };
}

/**
 * A ready-to-paste agent command line. With TLS the fingerprint is part of it, since pinning it is
 * what makes a self-signed certificate safe to trust.
 */
function agentCommandExample(url: string | undefined, fingerprint: string | undefined): string {
  const pin = fingerprint ? ` --fingerprint ${fingerprint}` : '';
  return `npm run agent -- --url ${url ?? 'wss://HOST:PORT/agent/v1'}${pin} --token <token>`;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No user entry (some containers): keep the generic name.
    return 'operator';
  }
}
