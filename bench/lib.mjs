/**
 * Shared pieces of the benchmarks: free ports, the hub in its own process (with its `stats` lines),
 * simulator processes, percentiles and a small table printer. Plain Node ESM against the built
 * `dist/` so what is measured is what ships.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOKEN = 'bench-agent-token-0123456789abcdef';
export const CONSOLE_TOKEN = 'bench-console-token-0123456789abcdef';

/** An agent hello frame (protocol 1) for the benchmarks' own WebSocket agents. */
export function helloFrame(agentId, hostname = `${agentId}-host`) {
  return JSON.stringify({
    type: 'hello',
    protocol: 1,
    agentId,
    name: agentId,
    hostname,
    platform: 'linux',
    arch: 'x64',
    agentVersion: 'bench',
    labels: {},
    configRevision: 0,
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
export const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Wait until `probe()` is truthy, checking every `everyMs`; throws after `timeoutMs`. */
export async function until(probe, timeoutMs, what, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * The headless hub in its own process, printing `stats {...}` lines every `statsMs`.
 * Returns the URLs and a live array of parsed stats.
 */
export async function startHub({ env = {}, statsMs = 1000, nodeArgs = [] } = {}) {
  const gatewayPort = await freePort();
  const consolePort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ac-bench-'));
  const stats = [];
  const memory = [];
  // --expose-gc: memory figures are taken after a full GC, on request (SIGUSR2, see process-stats.ts).
  // BENCH_HUB_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the hub of any scenario.
  const extraArgs = (process.env.BENCH_HUB_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(
    process.execPath,
    ['--expose-gc', ...extraArgs, ...nodeArgs, join(ROOT, 'dist/main/headless.js')],
    {
      cwd: dataDir, // no .env from the repo: the bench sets everything it needs
      env: {
        PATH: process.env.PATH,
        CENTRALIZER_DATA_DIR: dataDir,
        CENTRALIZER_GATEWAY_HOST: '127.0.0.1',
        // Plain ws: the benchmarks measure the gateway's ws path (TLS is covered by gateway-tls.test.ts).
        CENTRALIZER_GATEWAY_TLS: 'off',
        // The floods send far above the per-connection rate limit on purpose: measure, don't throttle.
        CENTRALIZER_AGENT_MSG_RATE: '100000',
        CENTRALIZER_AGENT_MSG_BURST: '100000',
        CENTRALIZER_GATEWAY_PORT: String(gatewayPort),
        CENTRALIZER_CONSOLE_PORT: String(consolePort),
        CENTRALIZER_CONSOLE_TOKEN: CONSOLE_TOKEN,
        CENTRALIZER_AGENT_TOKEN: TOKEN,
        CENTRALIZER_LOG_LEVEL: 'warn',
        CENTRALIZER_STATS_INTERVAL_MS: String(statsMs),
        CENTRALIZER_MAX_CONNECTIONS: '100000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let consoleUrl;
  let buffered = '';
  proc.stdout.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('stats ')) stats.push(JSON.parse(line.slice(6)));
      else if (line.startsWith('memory ')) memory.push(JSON.parse(line.slice(7)));
      else if (line.startsWith('console: ')) consoleUrl = line.slice(9).trim();
    }
  });
  let stderr = '';
  proc.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((r) => proc.once('exit', r));
  await until(() => consoleUrl || proc.exitCode !== null, 20_000, 'the hub to start');
  if (!consoleUrl) throw new Error(`hub exited: ${stderr}`);
  return {
    proc,
    stats,
    dataDir,
    gatewayUrl: `ws://127.0.0.1:${gatewayPort}`,
    consoleUrl,
    bridgeUrl: `ws://127.0.0.1:${consolePort}/bridge?token=${CONSOLE_TOKEN}`,
    latest: () => stats[stats.length - 1],
    /**
     * Subscribe a console through the bridge (as a browser would) and read its deltas, so the hub
     * pays for building and sending them like in real use. Returns a handle with the bytes received.
     */
    async attachConsole() {
      const { default: WebSocket } = await import('ws');
      const ws = new WebSocket(`ws://127.0.0.1:${consolePort}/bridge?token=${CONSOLE_TOKEN}`);
      await new Promise((ok, fail) => {
        ws.once('open', ok);
        ws.once('error', fail);
      });
      const handle = { bytes: 0, deltas: 0, close: () => ws.close() };
      ws.on('message', (data) => {
        handle.bytes += data.length;
        handle.deltas++;
      });
      ws.send(JSON.stringify({ id: 1, channel: 'getSnapshot' }));
      return handle;
    },
    /** process.memoryUsage() of the hub right after a full GC. */
    async gcMemory() {
      const before = memory.length;
      proc.kill('SIGUSR2');
      await until(() => memory.length > before, 30_000, 'the hub memory line');
      return memory[memory.length - 1];
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The bare `ws` baseline server (bench/bare-ws-server.mjs) in its own process; `args` e.g.
 * ['--protocol', '--ping-sec', '10'] for the transport floor. Resolves once it listens.
 */
export async function startBareServer(args = []) {
  const proc = spawn(process.execPath, [join(ROOT, 'bench/bare-ws-server.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stats = [];
  let port;
  let buffered = '';
  proc.stdout.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('listening ')) port = Number(line.slice(10));
      else if (line.startsWith('stats ')) stats.push(JSON.parse(line.slice(6)));
    }
  });
  await until(() => port, 10_000, 'the bare ws server');
  return {
    port,
    stats,
    latest: () => stats.at(-1),
    stop: () => proc.kill('SIGKILL'),
  };
}

/** One simulator process with `count` virtual agents. */
export function startSimulator({ url, count, prefix, rate = 1000, hosts, localAddress, extra = [] }) {
  const args = [
    join(ROOT, 'dist/main/simulator.js'),
    '--url',
    url,
    '--token',
    TOKEN,
    '--count',
    String(count),
    '--prefix',
    prefix,
    '--rate',
    String(rate),
    '--interval-jitter',
    ...(hosts ? ['--hosts', String(hosts)] : []),
    ...(localAddress ? ['--local-address', localAddress] : []),
    ...extra,
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((r) => proc.once('exit', r));
  return {
    proc,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

/** Print rows as an aligned text table. */
export function printTable(title, rows) {
  if (rows.length === 0) return;
  const headers = Object.keys(rows[0]);
  const cells = rows.map((row) => headers.map((h) => String(row[h] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => v.padStart(widths[i])).join('  ');
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}
