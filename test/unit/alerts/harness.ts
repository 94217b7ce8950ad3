/**
 * Alerting under test: a real FleetState and the real createAlerting, driven by a manual clock (timers
 * fire only when the test advances time) and a temporary data dir. Console calls go through the real
 * console service, so inputs are validated exactly as a console's would be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HelloSchema,
  type AlertNotification,
  type AlertRuleInput,
  type AlertView,
  type ConsoleHandlers,
  type JobView,
  type Metrics,
  type RequestChannel,
  type RequestInput,
  type RequestOutput,
} from '../../../src-shared';
import { createAlerting, type Alerting } from '../../../src-main/hub/alerts/alerting';
import type { Clock } from '../../../src-main/hub/util/clock';
import type { FetchLike } from '../../../src-main/hub/alerts/webhook';
import { createConsoleService } from '../../../src-main/hub/console-service';
import { FleetState } from '../../../src-main/hub/fleet/fleet-state';
import type { Logger } from '../../../src-main/hub/logger';
import { hello, metrics } from '../../helpers/messages';

export const T0 = 1_700_000_000_000;

export function manualClock(start = T0) {
  let now = start;
  let seq = 0;
  let timers: { at: number; seq: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const timer = { at: now + Math.max(0, ms), seq: seq++, fn };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((t) => t !== handle);
    },
  };
  /** Move time forward, running due timers in order (including ones they schedule). */
  const advance = (ms: number) => {
    const target = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.fn();
    }
    now = target;
  };
  return { clock, advance, now: () => now, pendingTimers: () => timers.length };
}

export function capturingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const log =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, fields });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, lines, text: () => JSON.stringify(lines) };
}

export interface HarnessOptions {
  dataDir?: string;
  fetch?: FetchLike;
  webhook?: { retryBaseMs: number; maxAttempts: number; timeoutMs: number };
  /** Agents remembered from a previous run, registered before start (presence unknown). */
  known?: { agentId: string; hostname: string; labels?: Record<string, string> }[];
  /** Keep the default rules (otherwise they are deleted before the test adds its own). */
  keepDefaults?: boolean;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(options: HarnessOptions = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ac-alerts-'));
  const { clock, advance, now, pendingTimers } = manualClock();
  const log = capturingLogger();
  const changedAlerts: string[] = [];
  let statusChanges = 0;
  const alerting: Alerting = createAlerting({
    dataDir,
    logger: log.logger,
    fleet: () => fleet,
    changes: {
      alert: (id) => changedAlerts.push(id),
      status: () => statusChanges++,
    },
    user: 'tester',
    consoleName: 'test-console',
    webhook: options.webhook ?? { retryBaseMs: 100, maxAttempts: 3, timeoutMs: 1000 },
    startedAt: now(),
    clock,
    fetch: options.fetch,
    random: () => 0.5,
  });
  const fleet: FleetState = new FleetState({ agent() {}, server() {} }, undefined, [alerting.observer]);
  for (const k of options.known ?? []) {
    fleet.registerKnown(
      {
        agentId: k.agentId,
        name: k.agentId,
        hostname: k.hostname,
        platform: 'linux',
        agentVersion: '1.0.0',
        labels: k.labels ?? {},
        lastSeen: now() - 60_000,
        configRevision: 0,
      },
      now(),
    );
  }
  const notifications: AlertNotification[] = [];
  alerting.onNotification((n) => notifications.push(n));
  const service = createConsoleService(alerting.handlers as unknown as ConsoleHandlers, () => () => {});
  const request = <K extends RequestChannel>(channel: K, input: RequestInput<K>) =>
    service.request(channel, input) as Promise<RequestOutput<K>>;

  if (!options.keepDefaults) {
    for (const rule of (await request('getAlertSettings', undefined)).rules)
      await request('deleteAlertRule', { id: rule.id });
  }
  alerting.start();

  const alerts = async (state: 'firing' | 'resolved' | 'all' = 'all'): Promise<AlertView[]> =>
    request('listAlerts', { state, limit: 1000 });

  return {
    alerting,
    fleet,
    dataDir,
    advance,
    now,
    pendingTimers,
    log,
    changedAlerts,
    statusChanges: () => statusChanges,
    notifications,
    request,
    alerts,
    addRule: (rule: AlertRuleInput) => request('saveAlertRule', { channels: ['desktop'], ...rule }),
    online: (agentId: string, hostname = 'srv-01', labels: Record<string, string> = { env: 'test' }) =>
      fleet.agentOnline(
        HelloSchema.parse(hello({ agentId, name: `Agent ${agentId}`, hostname, labels })),
        '127.0.0.1',
        now(),
      ),
    offline: (agentId: string) => fleet.agentOffline(agentId, 'connection_lost', now()),
    sample: (agentId: string, overrides: Partial<Metrics>) =>
      fleet.agentMetrics(agentId, metrics(overrides), now()),
    cpu: (agentId: string, percent: number) =>
      fleet.agentMetrics(agentId, metrics({ cpu: { percent, cores: 4, load: [1, 1, 1] } }), now()),
    job: (job: Partial<JobView> & Pick<JobView, 'agentId' | 'name' | 'jobId' | 'state'>) =>
      alerting.job({
        key: `${job.agentId}/${job.jobId}`,
        startedAt: now() - 1000,
        updatedAt: now(),
        finishedAt: job.state === 'running' ? undefined : now(),
        ...job,
      }),
    async close(keepDataDir = false) {
      await alerting.stop();
      if (!keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Let promise continuations (fake fetch responses) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
