/** Spawn the built hub and agents as real processes, and wait for lines they print. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

function withoutBroker(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^(RABBITMQ_|AGENT_AMQP_URL$)/.test(key)));
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startNode(script: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [resolve(ROOT, script), ...args], {
    cwd: ROOT,
    // The test runner's broker (RABBITMQ_URL, set by npm test) is not inherited: a process gets a
    // broker only when the test passes one, so hubs and agents never share queues by accident.
    env: { ...withoutBroker(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    async waitForLine(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = out.match(pattern);
        if (match) return match;
        if (child.exitCode !== null)
          throw new Error(`${script} exited (${child.exitCode}) before ${pattern}:\n${out}`);
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${pattern} from ${script}:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * The built headless hub for browser tests: gateway on loopback with plain ws (their agents connect
 * with ws://; TLS is covered by gateway-tls.test.ts), gateway and console on free ports. `env` adds
 * the rest (data folder, token, intervals). Wait for its URLs with `waitForLine`.
 */
export function startHeadlessHub(env: Record<string, string>): Proc {
  return startNode('dist/main/headless.js', [], {
    CENTRALIZER_GATEWAY_HOST: '127.0.0.1',
    CENTRALIZER_GATEWAY_TLS: 'off',
    CENTRALIZER_GATEWAY_PORT: '0',
    CENTRALIZER_CONSOLE_PORT: '0',
    ...env,
  });
}
