/**
 * Monitoring data of the hub: metrics history per server (ring buffers, metrics-history.ts) and
 * presence history per agent and server (presence-history.ts, bands in presence-bands.ts). Fed by
 * the fleet state as a FleetObserver; read by the console API. Both survive a restart: files in
 * `<dataDir>/monitoring/` (docs/monitoring.md).
 */
import { join } from 'node:path';
import type { ConsoleHandlers, PresenceHistory } from '../../../src-shared';
import type { FleetObserver, FleetState } from '../fleet/fleet-state';
import type { Logger } from '../logger';
import { MetricsHistoryStore } from './metrics-history';
import { loadMetricsHistory, saveMetricsHistory } from './metrics-history-file';
import { presenceBands } from './presence-bands';
import { PresenceHistoryStore } from './presence-history';

export interface MonitoringOptions {
  dataDir: string;
  logger: Logger;
  fleet: () => FleetState;
  /** When the hub started: before it, presence is unknown (the hub was not watching). */
  startedAt: number;
  /** The metrics interval agents are told to use (settings.gateway.metricsIntervalSec; default 5 s). */
  metricsIntervalSec?: number;
  now?: () => number;
}

export type MonitoringHandlers = Pick<
  ConsoleHandlers,
  'getMetricsHistory' | 'getSparklines' | 'getPresenceHistory'
>;

export interface Monitoring {
  readonly observer: FleetObserver;
  readonly handlers: MonitoringHandlers;
  /** Drop a subject's presence history (revoked agent, history purged). */
  forget(kind: 'agent' | 'server', id: string): void;
  /** Persist what should survive a restart. Final. */
  close(): void;
}

const RANGE_MS = { '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;

export const monitoringFiles = (dataDir: string) => ({
  metrics: join(dataDir, 'monitoring', 'metrics-history.bin'),
  presence: join(dataDir, 'monitoring', 'presence-history.jsonl'),
});

export function createMonitoring(options: MonitoringOptions): Monitoring {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const files = monitoringFiles(options.dataDir);

  const metrics = new MetricsHistoryStore({ metricsIntervalSec: options.metricsIntervalSec, logger });
  const loaded = loadMetricsHistory(files.metrics, metrics, logger);
  if (loaded.servers > 0) logger.info('metrics history restored', { servers: loaded.servers });

  const presence = new PresenceHistoryStore({
    file: files.presence,
    startedAt: options.startedAt,
    logger,
    now,
  });

  const isKnown = (kind: 'agent' | 'server', id: string): boolean =>
    kind === 'agent'
      ? options.fleet().presenceOf(id) !== undefined
      : options.fleet().serverView(id) !== undefined;

  let closed = false;
  return {
    // Observers run inside the fleet state's mutations: a bug here must not break presence itself.
    observer: {
      presence(kind, id, transition) {
        try {
          presence.record(kind, id, transition);
        } catch (error) {
          logger.error('presence history: could not record a transition', { kind, id, error: String(error) });
        }
      },
      metrics(serverId, view) {
        try {
          metrics.record(serverId, view);
        } catch (error) {
          logger.error('metrics history: could not record a sample', { serverId, error: String(error) });
        }
      },
    },
    handlers: {
      getMetricsHistory: async ({ serverId, range }) => metrics.history(serverId, range, now()),
      getSparklines: async () => metrics.sparklines(now()),
      getPresenceHistory: async ({ kind, id, range }): Promise<PresenceHistory | null> => {
        const transitions = presence.transitionsOf(kind, id);
        if (!transitions && !isKnown(kind, id)) return null;
        const to = now();
        const from = to - RANGE_MS[range];
        const result = presenceBands(transitions ?? [], presence.hubEvents(), from, to);
        return { kind, id, range, from, to, ...result };
      },
    },
    forget(kind, id) {
      try {
        if (kind === 'server') metrics.forget(id);
        presence.forget(kind, id);
      } catch (error) {
        logger.error('presence history: could not forget a subject', { kind, id, error: String(error) });
      }
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        saveMetricsHistory(files.metrics, metrics, now());
      } catch (error) {
        logger.error('metrics history: could not save it', { file: files.metrics, error: String(error) });
      }
      presence.close();
    },
  };
}
