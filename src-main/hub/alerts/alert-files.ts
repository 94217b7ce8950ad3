/**
 * Alerting state on disk, in the hub's data directory, through the crash-safe JSON helpers:
 *  - alert-settings.json: rules, channels (webhook header values in clear, file mode 0600) and mutes;
 *    written at once on every operator change (rare);
 *  - alerts.json: firing and recently resolved alerts; written at most once a second (an outage of
 *    2,000 agents is 2,000 changes, not 2,000 fsyncs) and on stop.
 * A file that cannot be parsed or validated is kept aside and reported by readJsonFile; the caller
 * starts from defaults. An unreadable file (permissions) is reported too and never stops the hub.
 */
import { join } from 'node:path';
import { z } from 'zod';
import {
  AlertKindSchema,
  AlertRuleSchema,
  ChannelSchema,
  MuteTargetSchema,
  SeveritySchema,
  type AlertRule,
  type AlertView,
  type Channel,
  type Mute,
} from '../../../src-shared';
import type { Logger } from '../logger';
import { readJsonFile, writeJsonFileAtomic } from '../store/json-file';
import type { Clock } from '../util/clock';

export const SETTINGS_FILE = 'alert-settings.json';
export const ALERTS_FILE = 'alerts.json';

export interface StoredSettings {
  rules: AlertRule[];
  channels: Channel[];
  mutes: Mute[];
}

/** An alert as kept by the hub: the console view plus what the engine needs to continue after a restart. */
export interface AlertRecord {
  view: AlertView;
  /** Condition key (rule + subject): at most one firing alert per key. */
  key: string;
  /** The agent behind an agent or job subject (mutes, listAlerts by agent). */
  agentId?: string;
  /** Channels notified when it fired; its resolution goes to the same ones. Empty when muted. */
  channels: string[];
}

const StoredRuleSchema = AlertRuleSchema.required({ id: true });
const StoredChannelSchema = ChannelSchema.refine((c) => typeof c.id === 'string', 'channel id missing');
const StoredMuteSchema = z.object({
  id: z.string().min(1),
  target: MuteTargetSchema,
  until: z.number(),
  reason: z.string(),
  createdAt: z.number(),
  createdBy: z.string(),
});

const SettingsFileSchema = z.object({
  version: z.literal(1),
  rules: z.array(StoredRuleSchema),
  channels: z.array(StoredChannelSchema),
  mutes: z.array(StoredMuteSchema),
});

const TimelineEntrySchema = z.object({
  at: z.number(),
  type: z.enum(['pending', 'fired', 'resolved', 'cancelled', 'muted', 'notified', 'notify_failed']),
  detail: z.string().optional(),
});

const AlertViewSchema = z.object({
  id: z.string().min(1),
  ruleId: z.string(),
  ruleName: z.string(),
  kind: AlertKindSchema,
  severity: SeveritySchema,
  subject: z.object({ kind: z.enum(['agent', 'server', 'job']), id: z.string(), name: z.string() }),
  state: z.enum(['firing', 'resolved']),
  startedAt: z.number(),
  firedAt: z.number(),
  resolvedAt: z.number().optional(),
  value: z.number().optional(),
  message: z.string(),
  muted: z.boolean(),
  timeline: z.array(TimelineEntrySchema),
});

const AlertsFileSchema = z.object({
  version: z.literal(1),
  alerts: z.array(
    z.object({
      view: AlertViewSchema,
      key: z.string().min(1),
      agentId: z.string().optional(),
      channels: z.array(z.string()),
    }),
  ),
});

/** Reads a store file; any failure (even an unreadable file) falls back and is logged, never thrown. */
function safeRead<T>(file: string, schema: z.ZodType<T>, fallback: () => T, logger: Logger): T {
  try {
    return readJsonFile(file, schema, fallback, logger);
  } catch (error) {
    logger.error('alerting file could not be read; using defaults', { file, error: String(error) });
    return fallback();
  }
}

function safeWrite(file: string, value: unknown, logger: Logger): void {
  try {
    writeJsonFileAtomic(file, value);
  } catch (error) {
    // Alerting keeps working in memory; the operator sees the error in the log.
    logger.error('alerting file could not be written', { file, error: String(error) });
  }
}

/** `null` when there was no usable file (first start, or corrupt and kept aside): use the defaults. */
export function loadSettings(dataDir: string, logger: Logger): StoredSettings | null {
  const file = safeRead(join(dataDir, SETTINGS_FILE), SettingsFileSchema, () => null, logger);
  if (!file) return null;
  return {
    rules: file.rules as AlertRule[],
    channels: file.channels as Channel[],
    mutes: file.mutes,
  };
}

export function saveSettings(dataDir: string, settings: StoredSettings, logger: Logger): void {
  safeWrite(join(dataDir, SETTINGS_FILE), { version: 1, ...settings }, logger);
}

export function loadAlerts(dataDir: string, logger: Logger): AlertRecord[] {
  const file = safeRead(join(dataDir, ALERTS_FILE), AlertsFileSchema, () => null, logger);
  return (file?.alerts ?? []) as AlertRecord[];
}

/** Coalesces alert writes: at most one per `delayMs`, and a final one on flush(). */
export class AlertsWriter {
  private timer: unknown;

  constructor(
    private readonly dataDir: string,
    private readonly records: () => AlertRecord[],
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly delayMs = 1000,
  ) {}

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, this.delayMs);
  }

  flush(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.write();
  }

  private write(): void {
    safeWrite(join(this.dataDir, ALERTS_FILE), { version: 1, alerts: this.records() }, this.logger);
  }
}
