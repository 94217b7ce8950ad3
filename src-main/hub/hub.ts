/**
 * The hub: gateway (agents over WebSocket) + fleet state + console API, composed into one object
 * with no Electron import. The Electron main process and the headless CLI both create exactly this.
 */
import type { AgentConnectionInfo, ConsoleHandlers, HubStatus } from '../../src-shared';
import { createConsoleService, type ConsoleService } from './console-service';
import { DeltaCoalescer } from './fleet/delta-coalescer';
import { FleetState } from './fleet/fleet-state';
import { Gateway } from './gateway/gateway';
import { createLogger, type Logger } from './logger';
import { resolveSettings, type HubSettings } from './settings';

export interface HubOptions {
  mode: HubStatus['mode'];
  /** Where the hub keeps settings and generated secrets (Electron: app.getPath('userData')). */
  dataDir: string;
  /** process.env merged with .env (see src-main/hub/settings.ts and .env.example for the keys). */
  env: Record<string, string | undefined>;
  logger?: Logger;
  /** Console delta flush interval; 100 ms = at most 10 batches a second. */
  deltaIntervalMs?: number;
}

export interface Hub {
  readonly console: ConsoleService;
  readonly settings: HubSettings;
  /** Start listening for agents. Never throws for a busy port: the error shows in status(). */
  start(): Promise<void>;
  /** Close agent connections with GOING_AWAY, flush the last deltas and stop timers. */
  stop(): Promise<void>;
  status(): HubStatus;
}

/** Throws SettingsError for invalid settings (with the key name), before anything is started. */
export function createHub(options: HubOptions): Hub {
  const settings = resolveSettings(options.env, options.dataDir);
  const logger = options.logger ?? createLogger({ level: settings.logLevel, name: 'hub' });
  const startedAt = Date.now();

  const status = (): HubStatus => ({ startedAt, mode: options.mode, gateway: gateway.status() });
  // The coalescer reads views lazily at flush time, so it can be the fleet's change sink.
  const coalescer: DeltaCoalescer = new DeltaCoalescer(
    { agentView: (id) => fleet.agentView(id), serverView: (id) => fleet.serverView(id), status },
    options.deltaIntervalMs ?? 100,
  );
  const fleet: FleetState = new FleetState(coalescer);
  const gateway: Gateway = new Gateway({
    ...settings.gateway,
    fleet,
    logger,
    onStatusChange: () => coalescer.status(),
  });

  const connectionInfo = (): AgentConnectionInfo => {
    const urls = gateway.urls();
    return {
      urls,
      token: settings.gateway.token,
      tokenSource: settings.gateway.tokenSource,
      exampleCommand: `npm run agent -- --url ${urls[0] ?? 'ws://HOST:PORT/agent/v1'} --token <token>`,
    };
  };

  const handlers: ConsoleHandlers = {
    getSnapshot: async () => ({
      seq: coalescer.seq,
      status: status(),
      agents: fleet.agentViews(),
      servers: fleet.serverViews(),
    }),
    getAgentDetail: async ({ agentId }) => fleet.agentDetail(agentId),
    getServerDetail: async ({ serverId }) => fleet.serverDetail(serverId),
    getAgentConnectionInfo: async () => connectionInfo(),
  };

  const consoleService = createConsoleService(handlers, (listener) =>
    coalescer.subscribe((delta) => listener('delta', delta)),
  );

  return {
    console: consoleService,
    settings,
    start: () => gateway.start(),
    async stop() {
      await gateway.stop();
      coalescer.flush();
      coalescer.dispose();
    },
    status,
  };
}
