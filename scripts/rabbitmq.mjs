#!/usr/bin/env node
/**
 * Throwaway RabbitMQ node for tests and CI (Debian's rabbitmq-server, run as the current user).
 *
 *   node scripts/rabbitmq.mjs start --dir DIR    → starts a private node, prints its AMQP URL as the last stdout line
 *   node scripts/rabbitmq.mjs stop  --dir DIR    → stops it, kills its private epmd, removes DIR
 *   node scripts/rabbitmq.mjs kill  --dir DIR    → SIGKILL the node (outage tests; keeps DIR and epmd)
 *   node scripts/rabbitmq.mjs restart --dir DIR  → start the node again with the same name, ports and data
 *
 * Everything is private to DIR: HOME (Erlang cookie), node name, AMQP / distribution / epmd ports,
 * config, data and logs, so several nodes can run side by side (parallel CI jobs, test files).
 * The `/usr/sbin` wrappers switch to the rabbitmq user and read its cookie, so we call the scripts
 * in /usr/lib/rabbitmq/bin directly. Progress goes to stderr, so `URL=$(node scripts/rabbitmq.mjs start
 * --dir X)` captures just the URL. The same functions are exported for tests (see test/helpers/broker.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';

const RABBIT_BIN = process.env.RABBITMQ_BIN_DIR ?? '/usr/lib/rabbitmq/bin';
const STATE_FILE = 'broker.json';

/** @param {string} _line */
const silent = (_line) => {};

/** Reserve `count` distinct free loopback ports (held together so they differ, then released). */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise((ok, fail) => {
        server.once('error', fail);
        server.listen(0, '127.0.0.1', ok);
      });
      servers.push(server);
    }
    return servers.map((s) => /** @type {import('node:net').AddressInfo} */ (s.address()).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  }
}

function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Environment for the server and the CLI tools: the caller's, minus any RabbitMQ/Erlang settings, plus ours. */
function childEnv(env) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(RABBITMQ_|ERL_|CONF_ENV_FILE$)/.test(k)),
  );
  return { ...base, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', ...env };
}

function readState(dir) {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8'));
}

function writeState(dir, state) {
  writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

function logTail(dir, lines = 30) {
  const out = [];
  for (const name of ['startup.log', `${readState(dir)?.nodename ?? ''}.log`]) {
    const file = join(dir, 'log', name);
    if (existsSync(file)) {
      out.push(`--- ${file}`, ...readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines));
    }
  }
  return out.join('\n');
}

/** Resolves once an AMQP connection succeeds; rejects if the node process dies or the time runs out. */
async function waitForAmqp({ url, isRunning, timeoutMs, log }) {
  const started = Date.now();
  let lastReport = started;
  let lastError = '';
  for (;;) {
    try {
      const conn = await amqp.connect(url, { timeout: 2000 });
      conn.on('error', () => {});
      await conn.close();
      return Date.now() - started;
    } catch (err) {
      lastError = err?.code ?? err?.message ?? String(err);
    }
    if (!isRunning()) throw new Error(`RabbitMQ exited during start (last AMQP error: ${lastError})`);
    if (Date.now() - started > timeoutMs) {
      throw new Error(`RabbitMQ did not accept AMQP within ${timeoutMs} ms (last error: ${lastError})`);
    }
    if (Date.now() - lastReport >= 2000) {
      lastReport = Date.now();
      log(`  … waiting for AMQP (${((Date.now() - started) / 1000).toFixed(0)} s, ${lastError})`);
    }
    await sleep(200);
  }
}

/** Spawn the node described by `state` (detached) and wait until it accepts AMQP. Returns the beam pid. */
async function launch(dir, state, { timeoutMs, log }) {
  const logFd = openSync(join(dir, 'log', 'startup.log'), 'a');
  const child = spawn(join(RABBIT_BIN, 'rabbitmq-server'), [], {
    env: childEnv(state.env),
    cwd: dir,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  child.unref();
  state.wrapperPid = child.pid;
  writeState(dir, state);
  try {
    const waitedMs = await waitForAmqp({ url: state.url, isRunning: () => !exited, timeoutMs, log });
    const pidFile = state.env.RABBITMQ_PID_FILE;
    state.pid = Number(readFileSync(pidFile, 'utf8').trim());
    writeState(dir, state);
    return waitedMs;
  } catch (err) {
    // Leave nothing behind: kill whatever started.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    throw new Error(`${err.message}\n${logTail(dir)}`, { cause: err });
  }
}

/**
 * Start a throwaway node under `dir` (created if needed; must not hold a running node).
 * @param {{dir: string, timeoutMs?: number, log?: (line: string) => void}} options
 * @returns {Promise<{url: string, pid: number, nodename: string, port: number, startMs: number, dir: string}>}
 */
export async function startBroker({ dir, timeoutMs = 60_000, log = silent }) {
  dir = resolve(dir);
  const previous = readState(dir);
  if (previous && isAlive(previous.pid)) throw new Error(`a broker is already running in ${dir}`);
  const t0 = Date.now();
  for (const sub of ['home', 'mnesia', 'log', 'etc']) mkdirSync(join(dir, sub), { recursive: true });
  const [port, distPort, epmdPort] = await freePorts(3);
  const nodename = `ac-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}@localhost`;
  const conf = join(dir, 'etc', 'rabbitmq.conf');
  writeFileSync(
    conf,
    [
      `listeners.tcp.default = 127.0.0.1:${port}`,
      'log.console = false',
      'log.file.level = info',
      // A throwaway node on a build machine: don't trip the disk alarm on small CI disks.
      'disk_free_limit.absolute = 10MB',
      '',
    ].join('\n'),
  );
  const plugins = join(dir, 'etc', 'enabled_plugins');
  writeFileSync(plugins, '[].\n');
  const confEnv = join(dir, 'etc', 'rabbitmq-env.conf');
  writeFileSync(confEnv, '# intentionally empty: everything is set through the environment\n');
  const env = {
    HOME: join(dir, 'home'),
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_BASE: dir,
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    RABBITMQ_CONF_ENV_FILE: confEnv,
    RABBITMQ_CONFIG_FILE: conf,
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'etc', 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: plugins,
    // Distribution listens on loopback only.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  const state = { url, nodename, port, distPort, epmdPort, dir, env, pid: 0, wrapperPid: 0 };
  writeState(dir, state);
  log(`starting RabbitMQ node ${nodename} (amqp ${port}, dist ${distPort}, epmd ${epmdPort}) in ${dir}`);
  try {
    await launch(dir, state, { timeoutMs, log });
  } catch (err) {
    killEpmd(state); // the node is gone (launch killed it); don't leave its epmd behind
    throw err;
  }
  const startMs = Date.now() - t0;
  state.startMs = startMs;
  writeState(dir, state);
  log(`RabbitMQ ready in ${(startMs / 1000).toFixed(1)} s (pid ${state.pid})`);
  return { url, pid: state.pid, nodename, port, startMs, dir };
}

function rabbitmqctl(state, args, timeoutMs = 30_000) {
  return spawnSync(join(RABBIT_BIN, 'rabbitmqctl'), ['-n', state.nodename, ...args], {
    env: childEnv(state.env),
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}

function killEpmd(state) {
  spawnSync('epmd', ['-kill'], { env: childEnv(state.env), encoding: 'utf8', timeout: 10_000 });
}

function killGroup(pid) {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Stop the node gracefully (rabbitmqctl stop, then SIGTERM / SIGKILL as fallbacks). Keeps DIR. */
async function stopNode(state, log) {
  if (isAlive(state.pid)) {
    const res = rabbitmqctl(state, ['stop']);
    if (res.status !== 0) log(`rabbitmqctl stop failed (${res.status}): ${(res.stderr || '').trim()}`);
    if (!(await waitForExit(state.pid, 15_000))) {
      log('node still running; sending SIGTERM');
      process.kill(state.pid, 'SIGTERM');
      if (!(await waitForExit(state.pid, 10_000))) process.kill(state.pid, 'SIGKILL');
      await waitForExit(state.pid, 5_000);
    }
  }
  // The sh wrapper exits with the node; make sure nothing from its process group survives.
  await waitForExit(state.wrapperPid, 2_000);
  killGroup(state.wrapperPid);
}

/**
 * Stop the node in `dir`, kill its private epmd and remove `dir`. Safe if already stopped or never started.
 * @param {{dir: string, log?: (line: string) => void, keepDir?: boolean}} options
 * @returns {Promise<{stopMs: number}>}
 */
export async function stopBroker({ dir, log = silent, keepDir = false }) {
  dir = resolve(dir);
  const t0 = Date.now();
  const state = readState(dir);
  if (state) {
    await stopNode(state, log);
    killEpmd(state);
  }
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
  const stopMs = Date.now() - t0;
  log(`RabbitMQ stopped in ${(stopMs / 1000).toFixed(1)} s`);
  return { stopMs };
}

/**
 * SIGKILL the node (simulated crash / outage). DIR, data and the private epmd stay for `restartBroker`.
 * @param {{dir: string}} options
 */
export async function killBroker({ dir }) {
  const state = readState(resolve(dir));
  if (!state) throw new Error(`no broker state in ${dir}`);
  if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  await waitForExit(state.pid, 5_000);
  await waitForExit(state.wrapperPid, 2_000);
  killGroup(state.wrapperPid);
}

/**
 * Start the node in `dir` again, with the same name, ports and data (stopping it first if it runs).
 * @param {{dir: string, timeoutMs?: number, log?: (line: string) => void}} options
 * @returns {Promise<{url: string, pid: number, startMs: number}>}
 */
export async function restartBroker({ dir, timeoutMs = 60_000, log = silent }) {
  dir = resolve(dir);
  const state = readState(dir);
  if (!state) throw new Error(`no broker state in ${dir}`);
  if (isAlive(state.pid)) await stopNode(state, log);
  const t0 = Date.now();
  await launch(dir, state, { timeoutMs, log });
  const startMs = Date.now() - t0;
  log(`RabbitMQ restarted in ${(startMs / 1000).toFixed(1)} s (pid ${state.pid})`);
  return { url: state.url, pid: state.pid, startMs };
}

/** Read DIR/broker.json (url, pid, nodename, ports, env for rabbitmqctl), or null. */
export function brokerInfo({ dir }) {
  return readState(resolve(dir));
}

// ---- CLI -----------------------------------------------------------------------------------------

async function main(argv) {
  const [command, ...rest] = argv;
  const dirIndex = rest.indexOf('--dir');
  const dir = dirIndex >= 0 ? rest[dirIndex + 1] : undefined;
  const usage = 'usage: node scripts/rabbitmq.mjs start|stop|kill|restart --dir DIR';
  if (!command || !dir) {
    console.error(usage);
    return 2;
  }
  const log = (line) => process.stderr.write(`[rabbitmq] ${line}\n`);
  switch (command) {
    case 'start': {
      try {
        const { url } = await startBroker({ dir, log });
        process.stdout.write(`${url}\n`);
        return 0;
      } catch (err) {
        log(err.message);
        await stopBroker({ dir, log });
        return 1;
      }
    }
    case 'stop':
      await stopBroker({ dir, log });
      return 0;
    case 'kill':
      await killBroker({ dir });
      return 0;
    case 'restart': {
      const { url } = await restartBroker({ dir, log });
      process.stdout.write(`${url}\n`);
      return 0;
    }
    default:
      console.error(usage);
      return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
