/**
 * Alerting: rules evaluated on presence transitions, metrics samples and job outcomes, with grace
 * periods, hysteresis and maintenance mutes; notification channels (desktop, webhook with retries).
 * docs/alerts.md describes the semantics for operators.
 *
 * This module only composes the parts:
 *   rule-book / channels / mutes   what the operator configured (alert-settings.json)
 *   engine (+ threshold-tracker)   conditions → alerts
 *   alert-book                     firing + recent resolved alerts (alerts.json), coalescer changes
 *   notifier (+ webhook)           desktop notifications and webhook deliveries
 *   handlers                       the console API
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
import { AlertBook } from './alert-book';
import { AlertsWriter, loadAlerts, loadSettings, saveSettings } from './alert-files';
import { Channels } from './channels';
import { realClock, type Clock } from '../util/clock';
import { defaultChannels, defaultRules } from './defaults';
import { AlertEngine } from './engine';
import { createHandlers } from './handlers';
import { Mutes } from './mutes';
import { Notifier } from './notifier';
import { RuleBook } from './rule-book';
import { Subjects } from './subjects';
import type { FetchLike } from './webhook';

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
  /** Tests: a manual clock for grace periods, durations and retries (default: wall clock, unref'd timers). */
  clock?: Clock;
  /** Tests: replaces global fetch for webhooks. */
  fetch?: FetchLike;
  /** Tests: jitter source in [0, 1). */
  random?: () => number;
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

export function createAlerting(options: AlertingOptions): Alerting {
  const { dataDir, logger } = options;
  const clock = options.clock ?? (options.now ? { ...realClock, now: options.now } : realClock);

  const loaded = loadSettings(dataDir, logger);
  const initial = loaded ?? { rules: defaultRules(), channels: defaultChannels(), mutes: [] };
  const persistSettings = (): void =>
    saveSettings(dataDir, { rules: [...rules.all()], channels: channels.all(), mutes: mutes.all() }, logger);
  const rules: RuleBook = new RuleBook(initial.rules, persistSettings);
  const channels: Channels = new Channels(initial.channels, persistSettings);
  const mutes: Mutes = new Mutes(initial.mutes, clock.now, persistSettings);
  // First start (or a corrupt file kept aside): write the defaults so later deletions stick.
  if (!loaded) persistSettings();

  const writer: AlertsWriter = new AlertsWriter(dataDir, () => book.records(), logger, clock);
  const book = new AlertBook(loadAlerts(dataDir, logger), options.changes, () => writer.schedule());
  const notifier = new Notifier({
    clock,
    channel: (id) => channels.get(id),
    book,
    consoleName: options.consoleName,
    webhook: options.webhook,
    fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    random: options.random ?? Math.random,
    logger,
    onFailed: () => options.changes.status(),
  });
  const engine = new AlertEngine({
    clock,
    subjects: new Subjects(options.fleet),
    book,
    mutes,
    rules: () => rules.all(),
    startedAt: options.startedAt,
    notify: (event, alertId, channelIds) => notifier.alert(event, alertId, channelIds),
    logger,
  });

  /** Fleet observers and job changes must never throw into the fleet state or the job store. */
  const guarded =
    <A extends unknown[]>(what: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch (error) {
        logger.error('alerting failed to evaluate an event', { what, error: String(error) });
      }
    };

  let stopped = false;
  return {
    observer: {
      presence: guarded('presence', (kind, id, transition) => engine.presence(kind, id, transition)),
      metrics: guarded('metrics', (serverId, metrics) => engine.metrics(serverId, metrics)),
    },
    handlers: createHandlers({ rules, channels, mutes, book, notifier, engine, user: options.user, logger }),
    job: guarded('job', (job: JobView) => engine.job(job)),
    counters: () => ({ ...book.counts(), failedDeliveries: notifier.failedDeliveries }),
    alertView: (id) => book.view(id),
    retained: () => book.retained(),
    onNotification: (listener) => notifier.onNotification(listener),
    start: guarded('start', () => engine.start()),
    async stop() {
      if (stopped) return;
      stopped = true;
      engine.stop();
      notifier.stop();
      writer.flush();
    },
  };
}
