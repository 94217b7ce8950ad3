/**
 * Alerting: rules evaluated on presence transitions, metrics samples and job outcomes, with grace
 * periods, hysteresis and maintenance mutes; notification channels (desktop, webhook with retries).
 *
 * PLACEHOLDER: the real implementation replaces the bodies below (issue 5).
 */
import type {
  AlertCounters,
  AlertNotification,
  AlertView,
  ConsoleHandlers,
  JobView,
} from '../../../src-shared';
import type { FleetObserver, FleetState } from '../fleet/fleet-state';
import type { Logger } from '../logger';

export interface AlertingOptions {
  dataDir: string;
  logger: Logger;
  fleet: () => FleetState;
  /** Where alert changes go (the delta coalescer). */
  changes: { alert(alertId: string): void; status(): void };
  /** Name recorded on mutes and rule changes. */
  user: string;
  /** Host name sent in webhook bodies. */
  consoleName: string;
  webhook: { retryBaseMs: number; maxAttempts: number; timeoutMs: number };
  startedAt: number;
  now?: () => number;
}

export type AlertingHandlers = Pick<
  ConsoleHandlers,
  | 'getAlertSettings'
  | 'saveAlertRule'
  | 'deleteAlertRule'
  | 'saveChannel'
  | 'deleteChannel'
  | 'testChannel'
  | 'addMute'
  | 'deleteMute'
  | 'listAlerts'
  | 'listDeliveries'
>;

export interface Alerting {
  readonly observer: FleetObserver;
  readonly handlers: AlertingHandlers;
  /** A job changed (JobStore onChange). */
  job(job: JobView): void;
  counters(): AlertCounters;
  /** For the coalescer: undefined once dropped from the retained list. */
  alertView(alertId: string): AlertView | undefined;
  /** For snapshots: firing alerts and the most recent resolved ones. */
  retained(): AlertView[];
  /** Desktop notifications and toasts. Returns an unsubscribe function. */
  onNotification(listener: (notification: AlertNotification) => void): () => void;
  start(): void;
  /** Stop timers and retries, persist. Final. */
  stop(): Promise<void>;
}

export function createAlerting(_options: AlertingOptions): Alerting {
  return {
    observer: { presence: () => {}, metrics: () => {} },
    handlers: {
      getAlertSettings: async () => ({ rules: [], channels: [], mutes: [] }),
      saveAlertRule: async () => {
        throw new Error('not implemented');
      },
      deleteAlertRule: async () => ({ deleted: false }),
      saveChannel: async () => {
        throw new Error('not implemented');
      },
      deleteChannel: async () => ({ deleted: false }),
      testChannel: async () => {
        throw new Error('not implemented');
      },
      addMute: async () => {
        throw new Error('not implemented');
      },
      deleteMute: async () => ({ deleted: false }),
      listAlerts: async () => [],
      listDeliveries: async () => [],
    },
    job: () => {},
    counters: () => ({ active: 0, critical: 0, failedDeliveries: 0 }),
    alertView: () => undefined,
    retained: () => [],
    onNotification: () => () => {},
    start: () => {},
    stop: async () => {},
  };
}
