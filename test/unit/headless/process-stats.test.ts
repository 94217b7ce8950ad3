import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HubStatus } from '../../../src-shared';
import { startStatsReporter, type ProcessStats } from '../../../src-main/headless/process-stats';

const statusWith = (messages: number, connections: number, eventsProcessed = 0): HubStatus =>
  ({
    gateway: { messages, connections },
    jobs: { eventsProcessed, duplicates: 1, deadLettered: 2 },
  }) as unknown as HubStatus;

describe('process stats lines', () => {
  afterEach(() => vi.useRealTimers());

  it('prints one JSON line per interval with rates derived from the hub counters', async () => {
    let messages = 0;
    const lines: string[] = [];
    const stop = startStatsReporter(
      () => statusWith(messages, 3, 10),
      100,
      (line) => lines.push(line),
    );
    messages = 50;
    await new Promise((r) => setTimeout(r, 260));
    stop();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const [first, second] = lines.map((l) => {
      expect(l.startsWith('stats ')).toBe(true);
      return JSON.parse(l.slice(6)) as ProcessStats;
    }) as [ProcessStats, ProcessStats];
    expect(first.connections).toBe(3);
    expect(first.messages).toBe(50);
    expect(first.messagesPerSec).toBeGreaterThan(0);
    // Nothing new arrived during the second interval.
    expect(second.messagesPerSec).toBe(0);
    expect(first.brokerEvents).toBe(13);
    expect(first.rssBytes).toBeGreaterThan(0);
    expect(first.eventLoopDelayMs.p99).toBeGreaterThanOrEqual(first.eventLoopDelayMs.p50);
  });

  it('answers SIGUSR2 with a memory line and stops listening when stopped', async () => {
    const lines: string[] = [];
    const stop = startStatsReporter(
      () => statusWith(0, 7),
      60_000,
      (line) => lines.push(line),
    );
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    const memory = JSON.parse(line.slice(7)) as { heapUsed: number; connections: number };
    expect(line.startsWith('memory ')).toBe(true);
    expect(memory.connections).toBe(7);
    expect(memory.heapUsed).toBeGreaterThan(0);
    stop();
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });
});
