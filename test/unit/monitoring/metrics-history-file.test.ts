import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricsView } from '../../../src-shared';
import { MetricsHistoryStore } from '../../../src-main/hub/monitoring/metrics-history';
import {
  loadMetricsHistory,
  saveMetricsHistory,
} from '../../../src-main/hub/monitoring/metrics-history-file';
import { captureLogger, tempDir } from '../store/helpers';

const T0 = Math.floor(1_700_000_000_000 / 300_000) * 300_000;
const NOW = T0 + 2 * 3_600_000;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});
function newFile(): string {
  const t = tempDir('metrics-file-');
  cleanups.push(t.cleanup);
  return join(t.dir, 'monitoring', 'metrics-history.bin');
}

function view(at: number, cpu: number, disks: string[] = ['/']): MetricsView {
  return {
    receivedAt: at,
    cpuPercent: cpu,
    cores: 2,
    load: [cpu / 10, 0, 0],
    memoryUsedBytes: cpu,
    memoryTotalBytes: 100,
    disks: disks.map((mount) => ({ mount, usedBytes: cpu / 2, totalBytes: 100 })),
    rxBytesPerSec: cpu * 1000,
    txBytesPerSec: cpu * 7,
    uptimeSec: 1,
  };
}

/** Two servers with different disks over the last 2 h, and one silent for more than a day. */
function filled(intervalSec = 5): MetricsHistoryStore {
  const store = new MetricsHistoryStore({ metricsIntervalSec: intervalSec });
  for (let t = T0; t <= NOW; t += 5_000) {
    const cpu = ((t - T0) / 5_000) % 97;
    store.record('srv-a', view(t, cpu, ['/', '/data']));
    store.record('srv-b', view(t, 100 - cpu, ['C:']));
  }
  store.record('srv-gone', view(T0 - 2 * 86_400_000, 50));
  return store;
}

const flip = (buf: Buffer, at: number) => buf.writeUInt8(buf.readUInt8(at) ^ 0xff, at);

const everything = (store: MetricsHistoryStore, id: string) => ({
  hour: store.history(id, '1h', NOW),
  day: store.history(id, '24h', NOW),
});

describe('metrics history file', () => {
  it('round-trips both tiers of every live server', () => {
    const file = newFile();
    const store = filled();
    expect(saveMetricsHistory(file, store, NOW)).toBe(2);
    const restored = new MetricsHistoryStore({ metricsIntervalSec: 5 });
    const report = loadMetricsHistory(file, restored);
    expect(report).toEqual({ servers: 2, hourTierDropped: false });
    for (const id of ['srv-a', 'srv-b']) expect(everything(restored, id)).toEqual(everything(store, id));
    expect(restored.history('srv-gone', '24h', NOW)).toBeNull();
    expect(readdirSync(join(file, '..'))).toEqual(['metrics-history.bin']); // no temp file left
    // The restored rings keep recording, with their counts: the next sample averages in.
    const before = restored.history('srv-a', '24h', NOW)!;
    restored.record('srv-a', view(NOW, 1000, ['/', '/data']));
    expect(restored.history('srv-a', '24h', NOW)!.max!.cpu!.at(-1)).toBe(1000);
    expect(restored.history('srv-a', '24h', NOW)!.series.cpu!.at(-1)).not.toBe(before.series.cpu!.at(-1));
  });

  it('no file: nothing restored, nothing logged', () => {
    const logger = captureLogger();
    const store = new MetricsHistoryStore();
    expect(loadMetricsHistory(newFile(), store, logger)).toEqual({ servers: 0, hourTierDropped: false });
    expect(logger.lines).toEqual([]);
  });

  it('keeps only the 24h tier when the metrics interval changed', () => {
    const file = newFile();
    const store = filled(5);
    saveMetricsHistory(file, store, NOW);
    const restored = new MetricsHistoryStore({ metricsIntervalSec: 10 });
    const logger = captureLogger();
    expect(loadMetricsHistory(file, restored, logger)).toMatchObject({ servers: 2, hourTierDropped: true });
    expect(restored.history('srv-a', '24h', NOW)).toEqual(store.history('srv-a', '24h', NOW));
    const hour = restored.history('srv-a', '1h', NOW)!;
    expect(hour.stepMs).toBe(10_000);
    expect(hour.series.cpu!.every((v) => v === null)).toBe(true);
    expect(logger.lines.some((l) => l.level === 'info')).toBe(true);
  });

  it.each([
    ['a flipped byte in a record', (buf: Buffer) => flip(buf, buf.length >> 1)],
    ['a flipped byte in the header', (buf: Buffer) => flip(buf, 20)],
    ['garbage', (buf: Buffer) => buf.fill(0x41)],
  ])('a corrupt file (%s) is moved aside, logged and ignored', (_name, damage) => {
    const file = newFile();
    saveMetricsHistory(file, filled(), NOW);
    const buf = readFileSync(file);
    damage(buf);
    writeFileSync(file, buf);
    const logger = captureLogger();
    const store = new MetricsHistoryStore();
    const report = loadMetricsHistory(file, store, logger);
    expect(report.servers).toBe(0);
    expect(report.corruptFileMovedTo).toMatch(/metrics-history\.bin\.corrupt-\d+$/);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(report.corruptFileMovedTo!).equals(buf)).toBe(true);
    expect(store.serverCount).toBe(0);
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('a truncated file is corrupt too (all or nothing)', () => {
    const file = newFile();
    saveMetricsHistory(file, filled(), NOW);
    truncateSync(file, readFileSync(file).length - 100);
    const store = new MetricsHistoryStore();
    expect(loadMetricsHistory(file, store).corruptFileMovedTo).toBeDefined();
    expect(store.serverCount).toBe(0);
  });

  it('an empty history saves and loads as empty', () => {
    const file = newFile();
    expect(saveMetricsHistory(file, new MetricsHistoryStore(), NOW)).toBe(0);
    expect(loadMetricsHistory(file, new MetricsHistoryStore())).toEqual({
      servers: 0,
      hourTierDropped: false,
    });
  });
});
