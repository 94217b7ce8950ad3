/**
 * Periodic process figures for benchmarks and operators' scripts: CPU % of one core, event-loop delay
 * percentiles, memory, and the gateway's counters, as one JSON line on stdout per interval
 * (`stats {...}`). Enabled with CENTRALIZER_STATS_INTERVAL_MS; off by default.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { HubStatus } from '../../src-shared';

export interface ProcessStats {
  at: number;
  /** Wall time covered by this line, ms. */
  intervalMs: number;
  /** User + system CPU over the interval, % of one core. */
  cpuPercent: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  connections: number;
  /** Agent frames received since start. */
  messages: number;
  /** Frames per second over the interval. */
  messagesPerSec: number;
  /** RabbitMQ events handled since start (processed, duplicates and dead-lettered). */
  brokerEvents: number;
}

export function startStatsReporter(
  status: () => HubStatus,
  intervalMs: number,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): () => void {
  // 1 ms resolution: finer makes the histogram itself a measurable load.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let lastMessages = status().gateway.messages;
  const timer = setInterval(() => {
    const nowAt = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const elapsed = nowAt - lastAt;
    const memory = process.memoryUsage();
    const hub = status();
    const gateway = hub.gateway;
    const stats: ProcessStats = {
      at: Date.now(),
      intervalMs: Math.round(elapsed),
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / elapsed) * 100),
      eventLoopDelayMs: {
        p50: round(delay.percentile(50) / 1e6),
        p99: round(delay.percentile(99) / 1e6),
        max: round(delay.max / 1e6),
      },
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      arrayBuffersBytes: memory.arrayBuffers,
      connections: gateway.connections,
      messages: gateway.messages,
      messagesPerSec: round(((gateway.messages - lastMessages) * 1000) / elapsed),
      brokerEvents: hub.jobs.eventsProcessed + hub.jobs.duplicates + hub.jobs.deadLettered,
    };
    write(`stats ${JSON.stringify(stats)}`);
    delay.reset();
    lastCpu = process.cpuUsage();
    lastAt = nowAt;
    lastMessages = gateway.messages;
  }, intervalMs);
  timer.unref();
  // Benchmarks measure memory after a full GC (hub started with --expose-gc), on demand: a GC on
  // every line would itself show up as event-loop delay.
  const onGcRequest = (): void => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const memory = process.memoryUsage();
    write(
      `memory ${JSON.stringify({ at: Date.now(), gc: gc !== undefined, ...memory, connections: status().gateway.connections })}`,
    );
  };
  process.on('SIGUSR2', onGcRequest);
  return () => {
    clearInterval(timer);
    delay.disable();
    process.off('SIGUSR2', onGcRequest);
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;
