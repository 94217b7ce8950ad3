/**
 * Metrics history per server, in two BucketRings of bounded size:
 *
 * - `1h`: full resolution, one bucket per metrics interval (clamped to 1–60 s), ceil(3600 s / step)
 *   slots; the average of the samples in each bucket (usually exactly one).
 * - `24h`: 288 five-minute buckets with the average and the maximum.
 *
 * Series: `cpu` %, `load1`, `mem` % used, `rx` / `tx` bytes/s and `disk:<mount>` % used. Both rings
 * are fed from every sample (the 24h tier is not derived from the 1h one, so its averages and maxima
 * cover every sample). Times are the hub's receive times (MetricsView.receivedAt): agent clocks may
 * be skewed.
 *
 * Memory is allocated per server on its first sample and per disk on its first report, then never
 * grows. A server keeps at most MAX_DISKS_PER_SERVER disk series: mounts beyond that are ignored
 * (logged once per server), so an agent that reports ever-new mount names cannot exhaust memory.
 */
import type { HistoryRange, MetricsHistory, MetricsView, Sparklines } from '../../../src-shared';
import type { Logger } from '../logger';
import { BucketRing } from './bucket-ring';

export const HOUR_SPAN_MS = 3_600_000;
export const DAY_STEP_MS = 300_000;
export const DAY_SLOTS = 288;
export const MAX_DISKS_PER_SERVER = 16;
export const SPARKLINE_STEP_MS = 60_000;
export const SPARKLINE_POINTS = 30;
export const CORE_SERIES = ['cpu', 'load1', 'mem', 'rx', 'tx'] as const;
const DEFAULT_INTERVAL_SEC = 5;

/** 1h bucket width: the metrics interval clamped to [1 s, 60 s] (5 s when not a usable number). */
export function hourStepMs(metricsIntervalSec: number | undefined): number {
  const sec =
    metricsIntervalSec !== undefined && Number.isFinite(metricsIntervalSec)
      ? metricsIntervalSec
      : DEFAULT_INTERVAL_SEC;
  return Math.round(Math.min(60, Math.max(1, sec)) * 1000);
}

export interface ServerRings {
  hour: BucketRing;
  day: BucketRing;
}

interface ServerRecord extends ServerRings {
  disks: number;
  /** The disk cap was hit and logged already (log once per server, not once per sample). */
  capLogged: boolean;
}

export interface MetricsHistoryOptions {
  /** The hub's metrics interval (settings.gateway.metricsIntervalSec); default 5 s. */
  metricsIntervalSec?: number;
  logger?: Logger;
  maxDisksPerServer?: number;
}

export class MetricsHistoryStore {
  readonly hourStepMs: number;
  readonly hourSlots: number;
  private readonly servers = new Map<string, ServerRecord>();
  private readonly maxDisks: number;
  private readonly logger: Logger | undefined;

  constructor(options: MetricsHistoryOptions = {}) {
    this.hourStepMs = hourStepMs(options.metricsIntervalSec);
    this.hourSlots = Math.ceil(HOUR_SPAN_MS / this.hourStepMs);
    this.maxDisks = options.maxDisksPerServer ?? MAX_DISKS_PER_SERVER;
    this.logger = options.logger;
  }

  get serverCount(): number {
    return this.servers.size;
  }

  record(serverId: string, m: MetricsView): void {
    const server = this.servers.get(serverId) ?? this.add(serverId);
    const values: [string, number][] = [
      ['cpu', m.cpuPercent],
      ['load1', m.load[0]],
      ['mem', percent(m.memoryUsedBytes, m.memoryTotalBytes)],
      ['rx', m.rxBytesPerSec],
      ['tx', m.txBytesPerSec],
    ];
    const seen = new Set<string>();
    for (const disk of m.disks) {
      const name = `disk:${disk.mount}`;
      const value = percent(disk.usedBytes, disk.totalBytes);
      // Only a value that will be stored may take one of the disk places (not a 0-byte pseudo
      // file system, not the same mount listed twice).
      if (!Number.isFinite(value)) continue;
      if (!server.hour.has(name) && !server.day.has(name) && !seen.has(name)) {
        if (server.disks >= this.maxDisks) {
          if (!server.capLogged) {
            server.capLogged = true;
            this.logger?.warn('metrics history: too many disks on one server, extra mounts not kept', {
              serverId,
              max: this.maxDisks,
              ignored: disk.mount,
            });
          }
          continue;
        }
        server.disks++;
      }
      seen.add(name);
      values.push([name, value]);
    }
    server.hour.record(m.receivedAt, values);
    server.day.record(m.receivedAt, values);
  }

  /** Every bucket of the range ending now, oldest first; null for a server never sampled. */
  /** Drop a server's history (its last agent was revoked with history purged); saved without it. */
  forget(serverId: string): boolean {
    return this.servers.delete(serverId);
  }

  history(serverId: string, range: HistoryRange, now: number): MetricsHistory | null {
    const server = this.servers.get(serverId);
    if (!server) return null;
    const ring = range === '1h' ? server.hour : server.day;
    const n = ring.slots;
    const first = ring.bucketAt(now) - n + 1;
    const t = Array.from({ length: n }, (_, i) => (first + i) * ring.stepMs);
    const series: Record<string, (number | null)[]> = {};
    const max: Record<string, (number | null)[]> = {};
    // The core series always (all null when empty), so a chart keeps its legend; a disk only while
    // it has data in the range, so one unmounted or renamed days ago stops being listed.
    const names = new Set<string>(CORE_SERIES);
    for (const name of ring.names()) if (ring.hasData(name, first, n)) names.add(name);
    for (const name of names) {
      series[name] = ring.read(name, first, n).map(tidy);
      if (ring.keepMax) max[name] = ring.read(name, first, n, 'max').map(tidy);
    }
    const out: MetricsHistory = { serverId, range, stepMs: ring.stepMs, t, series };
    if (ring.keepMax) out.max = max;
    return out;
  }

  /**
   * CPU of every server over the last 30 minutes (the current minute last), in 1-minute
   * sample-weighted averages of the 1h buckets. A bucket counts towards the minute its start falls
   * in (exact when the step divides a minute, as the default 5 s does). Servers with no sample in
   * those 30 minutes are left out.
   */
  sparklines(now: number): Sparklines {
    const end = (Math.floor(now / SPARKLINE_STEP_MS) + 1) * SPARKLINE_STEP_MS;
    const from = end - SPARKLINE_POINTS * SPARKLINE_STEP_MS;
    const step = this.hourStepMs;
    const cpu: Record<string, (number | null)[]> = {};
    for (const [serverId, server] of this.servers) {
      const points: (number | null)[] = [];
      let any = false;
      for (let i = 0; i < SPARKLINE_POINTS; i++) {
        const start = from + i * SPARKLINE_STEP_MS;
        const firstBucket = Math.ceil(start / step);
        const endBucket = Math.ceil((start + SPARKLINE_STEP_MS) / step);
        const value = server.hour.mean('cpu', firstBucket, endBucket - firstBucket);
        if (value !== null) any = true;
        points.push(value === null ? null : tidy(value));
      }
      if (any) cpu[serverId] = points;
    }
    return { stepMs: SPARKLINE_STEP_MS, from, cpu };
  }

  /** Bytes of typed arrays held for all servers. */
  byteSize(): number {
    let bytes = 0;
    for (const s of this.servers.values()) bytes += s.hour.byteSize() + s.day.byteSize();
    return bytes;
  }

  // ---- persistence (metrics-history-file.ts) ---------------------------------------------------

  /** Servers with at least one sample still inside the 24h range at `now` (the rest is all stale). */
  *live(now: number): Generator<[string, ServerRings]> {
    const oldestDayBucket = Math.floor(now / DAY_STEP_MS) - DAY_SLOTS + 1;
    for (const [id, server] of this.servers) {
      if (server.day.newestBucket() >= oldestDayBucket) yield [id, server];
    }
  }

  /** Empty rings for a server, to restore saved arrays into (replaces what was there). */
  restoreTarget(serverId: string): ServerRings {
    return this.add(serverId);
  }

  /** After a restore: count the disk series so the cap keeps holding. */
  restored(serverId: string): void {
    const server = this.servers.get(serverId);
    if (!server) return;
    const names = new Set([...server.hour.names(), ...server.day.names()]);
    server.disks = [...names].filter((n) => n.startsWith('disk:')).length;
  }

  newHourRing(): BucketRing {
    return new BucketRing({ stepMs: this.hourStepMs, slots: this.hourSlots, keepMax: false, countBits: 8 });
  }

  newDayRing(): BucketRing {
    return new BucketRing({ stepMs: DAY_STEP_MS, slots: DAY_SLOTS, keepMax: true, countBits: 16 });
  }

  private add(serverId: string): ServerRecord {
    const server: ServerRecord = {
      hour: this.newHourRing(),
      day: this.newDayRing(),
      disks: 0,
      capLogged: false,
    };
    this.servers.set(serverId, server);
    return server;
  }
}

function percent(used: number, total: number): number {
  // total 0 (a pseudo file system, a broken agent) gives NaN/Infinity: the ring skips non-finite values.
  return (used / total) * 100;
}

/**
 * Float32 values printed as doubles carry noise digits (42.3 → 42.29999923706055); 7 significant
 * digits is all a Float32 holds, and keeps the JSON short.
 */
function tidy(v: number | null): number | null {
  return v === null ? null : Number(v.toPrecision(7));
}
