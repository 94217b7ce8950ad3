/**
 * A private RabbitMQ node for fault tests, like test/helpers/broker.ts ownBroker() but with start and
 * restart timeouts that hold on a loaded machine (the first boot of a node took over 60 s with eight
 * engineers sharing two cores). FAULT_BROKER_START_MS overrides the timeout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface BrokerScript {
  startBroker(o: { dir: string; timeoutMs?: number; log?: (l: string) => void }): Promise<{
    url: string;
    startMs: number;
  }>;
  stopBroker(o: { dir: string; log?: (l: string) => void }): Promise<{ stopMs: number }>;
  killBroker(o: { dir: string }): Promise<void>;
  restartBroker(o: { dir: string; timeoutMs?: number; log?: (l: string) => void }): Promise<{
    url: string;
    startMs: number;
  }>;
}

const scriptUrl = new URL('../../scripts/rabbitmq.mjs', import.meta.url).href;
const START_TIMEOUT_MS = Number(process.env.FAULT_BROKER_START_MS ?? 240_000);
const log = (line: string): void => void process.stderr.write(`[fault-broker] ${line}\n`);

export interface FaultBroker {
  url: string;
  startMs: number;
  /** SIGKILL the node; its data stays. */
  kill(): Promise<void>;
  /** Start it again on the same port with the same data. */
  restart(): Promise<{ startMs: number }>;
  stop(): Promise<void>;
}

export async function startFaultBroker(): Promise<FaultBroker> {
  const script = (await import(/* @vite-ignore */ scriptUrl)) as BrokerScript;
  const dir = mkdtempSync(join(tmpdir(), 'ac-fault-rabbitmq-'));
  const started = await script.startBroker({ dir, timeoutMs: START_TIMEOUT_MS, log });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await script.stopBroker({ dir, log });
  };
  // Safety net when afterAll never runs: stop it synchronously (no async work is possible in 'exit').
  process.once('exit', () => {
    if (stopped) return;
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { stopBroker } from ${JSON.stringify(scriptUrl)}; await stopBroker({ dir: ${JSON.stringify(dir)} });`,
      ],
      { stdio: 'ignore', timeout: 30_000 },
    );
  });
  return {
    url: started.url,
    startMs: started.startMs,
    kill: () => script.killBroker({ dir }),
    restart: async () => ({
      startMs: (await script.restartBroker({ dir, timeoutMs: START_TIMEOUT_MS, log })).startMs,
    }),
    stop,
  };
}
