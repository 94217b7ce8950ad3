/**
 * The built headless hub (dist/main/headless.js) as a process that fault tests can SIGKILL and start
 * again on the same ports and data folder, its `stats` lines (CENTRALIZER_STATS_INTERVAL_MS), and a
 * console bridge client that times every call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { FleetDelta } from '../../src-shared';
import { ROOT } from '../helpers/processes';

export const FAULT_AGENT_TOKEN = 'fault-agent-token-0123456789abcdef';
export const FAULT_CONSOLE_TOKEN = 'fault-console-token-0123456789abcdef';

export interface HubStatsLine {
  at: number;
  cpuPercent: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  connections: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface HeadlessOptions {
  dataDir: string;
  gatewayPort: number;
  consolePort: number;
  statsMs?: number;
  env?: Record<string, string>;
}

export interface HeadlessHub {
  proc: ChildProcess;
  stats: HubStatsLine[];
  output(): string;
  /** Resolves when the console server listens (the hub is fully started). */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startHeadless(options: HeadlessOptions): HeadlessHub {
  if (!existsSync(join(ROOT, 'dist/main/headless.js')))
    throw new Error('build first: npx vite build (npm test does it)');
  const proc = spawn(process.execPath, [join(ROOT, 'dist/main/headless.js')], {
    cwd: options.dataDir, // no .env from the repository
    env: {
      PATH: process.env.PATH,
      CENTRALIZER_DATA_DIR: options.dataDir,
      CENTRALIZER_LOG_DIR: join(options.dataDir, 'logs'), // not the user's log folder
      CENTRALIZER_GATEWAY_HOST: '127.0.0.1',
      // Plain ws: the fault agents connect with ws:// (TLS is covered by gateway-tls.test.ts).
      CENTRALIZER_GATEWAY_TLS: 'off',
      CENTRALIZER_GATEWAY_PORT: String(options.gatewayPort),
      CENTRALIZER_CONSOLE_PORT: String(options.consolePort),
      CENTRALIZER_CONSOLE_TOKEN: FAULT_CONSOLE_TOKEN,
      CENTRALIZER_AGENT_TOKEN: FAULT_AGENT_TOKEN,
      CENTRALIZER_LOG_LEVEL: 'warn',
      CENTRALIZER_MAX_CONNECTIONS: '100000',
      ...(options.statsMs ? { CENTRALIZER_STATS_INTERVAL_MS: String(options.statsMs) } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stats: HubStatsLine[] = [];
  let out = '';
  let buffered = '';
  let consoleSeen = false;
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('stats ')) stats.push(JSON.parse(line.slice(6)) as HubStatsLine);
      else {
        out = (out + line + '\n').slice(-20_000);
        if (line.startsWith('console: ')) consoleSeen = true;
      }
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out = (out + chunk).slice(-20_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = (async () => {
    const deadline = Date.now() + 60_000;
    while (!consoleSeen) {
      if (proc.exitCode !== null || proc.signalCode !== null)
        throw new Error(`headless hub exited (${proc.exitCode ?? proc.signalCode}):\n${out}`);
      if (Date.now() > deadline) throw new Error(`headless hub did not start within 60 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  ready.catch(() => undefined);
  return {
    proc,
    stats,
    output: () => out,
    ready,
    exited,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** One console over the bridge: request/response with round-trip times, and the deltas it receives. */
export interface BridgeClient {
  request<T = unknown>(channel: string, input?: unknown, timeoutMs?: number): Promise<T>;
  /** Round-trip times of answered requests, ms. */
  readonly roundTrips: number[];
  readonly deltas: FleetDelta[];
  readonly closed: Promise<void>;
  close(): void;
}

export async function connectBridge(consolePort: number): Promise<BridgeClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${consolePort}/bridge?token=${FAULT_CONSOLE_TOKEN}`);
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; at: number; timer: NodeJS.Timeout }
  >();
  const roundTrips: number[] = [];
  const deltas: FleetDelta[] = [];
  let nextId = 1;
  const closed = new Promise<void>((resolve) =>
    ws.once('close', () => {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('bridge closed'));
      }
      pending.clear();
      resolve();
    }),
  );
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as {
      kind: string;
      id?: number;
      ok?: boolean;
      value?: unknown;
      error?: { message: string };
      event?: string;
      payload?: unknown;
    };
    if (msg.kind === 'event') {
      if (msg.event === 'delta') deltas.push(msg.payload as FleetDelta);
      return;
    }
    const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id!);
    clearTimeout(p.timer);
    roundTrips.push(performance.now() - p.at);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(msg.error?.message ?? 'bridge call failed'));
  });
  return {
    roundTrips,
    deltas,
    closed,
    close: () => ws.close(),
    request<T>(channel: string, input?: unknown, timeoutMs = 30_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`bridge call ${channel} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, at: performance.now(), timer });
        ws.send(JSON.stringify({ id, channel, ...(input === undefined ? {} : { input }) }));
      });
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
