/**
 * A RabbitMQ broker for integration tests.
 *
 * `ensureBroker()` returns an AMQP URL: `RABBITMQ_URL` when it answers (CI starts one node with
 * `node scripts/rabbitmq.mjs start --dir …` and shares it between test files), otherwise a throwaway
 * node started for this test file. `ownBroker()` always starts a private node, for tests that kill and
 * restart it. `stopBroker()` stops whatever this process started (call it in afterAll).
 */
import { mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import type { BrokerConnection, BrokerStatus } from '../../src-main/hub/broker/connection-manager';

interface StartResult {
  url: string;
  pid: number;
  nodename: string;
  port: number;
  startMs: number;
  dir: string;
}
interface BrokerScript {
  startBroker(options: {
    dir: string;
    timeoutMs?: number;
    log?: (line: string) => void;
  }): Promise<StartResult>;
  stopBroker(options: { dir: string; log?: (line: string) => void }): Promise<{ stopMs: number }>;
  killBroker(options: { dir: string }): Promise<void>;
  restartBroker(options: {
    dir: string;
    timeoutMs?: number;
    log?: (line: string) => void;
  }): Promise<{ url: string; pid: number; startMs: number }>;
  brokerInfo(options: { dir: string }): {
    nodename: string;
    pid: number;
    epmdPort: number;
    wrapperPid: number;
    env: Record<string, string>;
  } | null;
}

// The script is plain ESM JavaScript (usable by CI without a build); load it with a typed facade.
const scriptUrl = new URL('../../scripts/rabbitmq.mjs', import.meta.url).href;
const loadScript = async (): Promise<BrokerScript> =>
  (await import(/* @vite-ignore */ scriptUrl)) as BrokerScript;

const log = (line: string) => process.stderr.write(`[broker] ${line}\n`);

/** A private node this process started; kill/restart simulate outages. */
export interface OwnedBroker {
  url: string;
  port: number;
  dir: string;
  startMs: number;
  /** SIGKILL the node (crash). Data dir and epmd stay. */
  kill(): Promise<void>;
  /** Start it again on the same port with the same data; resolves when AMQP accepts connections. */
  restart(): Promise<{ startMs: number }>;
  stop(): Promise<{ stopMs: number }>;
  /** Run rabbitmqctl against this node (e.g. set_vm_memory_high_watermark to trigger an alarm). */
  ctl(...args: string[]): { status: number | null; stdout: string; stderr: string };
}

const owned = new Set<OwnedBroker>();
let shared: Promise<string> | null = null;

/** True when an AMQP connection to `url` opens within `timeoutMs`. */
export async function isReachable(url: string, timeoutMs = 3_000): Promise<boolean> {
  try {
    const conn = await amqp.connect(url, { timeout: timeoutMs });
    conn.on('error', () => {});
    await conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Start a private throwaway node (about 5–7 s; more when several start at once on a small machine). */
export async function ownBroker(): Promise<OwnedBroker> {
  const script = await loadScript();
  const dir = mkdtempSync(join(tmpdir(), 'ac-rabbitmq-'));
  const started = await script.startBroker({ dir, log });
  const broker: OwnedBroker = {
    url: started.url,
    port: started.port,
    dir,
    startMs: started.startMs,
    kill: () => script.killBroker({ dir }),
    restart: async () => ({ startMs: (await script.restartBroker({ dir, log })).startMs }),
    ctl: (...args) => {
      const info = script.brokerInfo({ dir });
      if (!info) throw new Error(`no broker in ${dir}`);
      const res = spawnSync('/usr/lib/rabbitmq/bin/rabbitmqctl', ['-n', info.nodename, ...args], {
        env: { ...process.env, ...info.env, LC_ALL: 'C.UTF-8' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { status: res.status, stdout: res.stdout, stderr: res.stderr };
    },
    stop: async () => {
      owned.delete(broker);
      return script.stopBroker({ dir, log });
    },
  };
  owned.add(broker);
  return broker;
}

/** URL of a usable broker: `RABBITMQ_URL` if it answers, else a throwaway node (started once per process). */
export function ensureBroker(): Promise<string> {
  shared ??= (async () => {
    const fromEnv = process.env.RABBITMQ_URL;
    if (fromEnv && (await isReachable(fromEnv))) return fromEnv;
    if (fromEnv) log('RABBITMQ_URL is set but does not answer; starting a throwaway node');
    return (await ownBroker()).url;
  })();
  return shared;
}

/** Stop every node this process started. */
export async function stopBroker(): Promise<void> {
  shared = null;
  await Promise.all([...owned].map((b) => b.stop()));
}

// Safety net: if the test process exits without afterAll (crash, Ctrl-C), kill what we started,
// synchronously (no async work is possible in 'exit').
process.once('exit', () => {
  for (const broker of owned) {
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { stopBroker } from ${JSON.stringify(scriptUrl)}; await stopBroker({ dir: ${JSON.stringify(broker.dir)} });`,
      ],
      { stdio: 'ignore', timeout: 30_000 },
    );
  }
});

/** Resolve with the first status (current or future) that matches; reject after `timeoutMs`. */
export function waitForStatus(
  conn: BrokerConnection,
  match: (status: BrokerStatus) => boolean,
  timeoutMs = 15_000,
): Promise<BrokerStatus> {
  return new Promise((resolve, reject) => {
    if (match(conn.getStatus())) return resolve(conn.getStatus());
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(`status did not match within ${timeoutMs} ms; last: ${JSON.stringify(conn.getStatus())}`),
      );
    }, timeoutMs);
    const off = conn.onStatus((status) => {
      if (!match(status)) return;
      clearTimeout(timer);
      off();
      resolve(status);
    });
  });
}
