/**
 * Monitoring data of the hub: metrics history per server (ring buffers) and presence history per
 * agent and server. Fed by the fleet state as a FleetObserver; read by the console API.
 *
 * PLACEHOLDER: the real implementation replaces the bodies below (issue 5).
 */
import type { ConsoleHandlers } from '../../../src-shared';
import type { FleetObserver, FleetState } from '../fleet/fleet-state';
import type { Logger } from '../logger';

export interface MonitoringOptions {
  dataDir: string;
  logger: Logger;
  fleet: () => FleetState;
  /** When the hub started: before it, presence is unknown (the hub was not watching). */
  startedAt: number;
  now?: () => number;
}

export type MonitoringHandlers = Pick<
  ConsoleHandlers,
  'getMetricsHistory' | 'getSparklines' | 'getPresenceHistory'
>;

export interface Monitoring {
  readonly observer: FleetObserver;
  readonly handlers: MonitoringHandlers;
  /** Persist what should survive a restart. Final. */
  close(): void;
}

export function createMonitoring(options: MonitoringOptions): Monitoring {
  const now = options.now ?? Date.now;
  return {
    observer: { presence: () => {}, metrics: () => {} },
    handlers: {
      getMetricsHistory: async () => null,
      getSparklines: async () => ({ stepMs: 60_000, from: now() - 30 * 60_000, cpu: {} }),
      getPresenceHistory: async () => null,
    },
    close: () => {},
  };
}
