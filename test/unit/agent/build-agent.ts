/**
 * Builds only the agent entries (src-agent/cli.ts → agent.js, src-agent/simulator.ts → simulator.js)
 * with the project's own vite.config.ts (same `main` environment: ESM, node20, deps external), into
 * a private folder under .tmp/ so tests neither depend on nor clobber dist/ (the `main` environment
 * empties its outDir, and other engineers' entries may not build at the moment).
 * The folder sits inside the repository so the external `ws` and `zod` resolve from node_modules.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBuilder } from 'vite';

const root = resolve(import.meta.dirname, '../../..');

export async function buildAgentEntries(): Promise<{ dir: string; cleanup: () => void }> {
  const dir = join(root, '.tmp', `agent-build-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const builder = await createBuilder({
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    plugins: [
      {
        name: 'agent-entries-only',
        configEnvironment(name, config) {
          if (name !== 'main' || !config.build) return;
          config.build.outDir = dir;
          config.build.rollupOptions = {
            ...config.build.rollupOptions,
            input: {
              agent: join(root, 'src-agent/cli.ts'),
              simulator: join(root, 'src-agent/simulator.ts'),
            },
          };
        },
      },
    ],
  });
  await builder.build(builder.environments.main!);
  const cleanup = (): void => {
    rmSync(dir, { recursive: true, force: true });
    try {
      rmdirSync(join(root, '.tmp')); // only when empty
    } catch {
      // other builds or files still there
    }
  };
  return { dir, cleanup };
}

export interface BuiltRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Run a built entry with a clean environment (nothing from the developer's shell leaks into the
 * agent's options; HOME is the test's state dir) and collect its output. The child is pushed to
 * `children` so the test can kill leftovers.
 */
export function runBuilt(
  dir: string,
  script: 'agent.js' | 'simulator.js',
  args: string[],
  options: { home: string; env?: NodeJS.ProcessEnv; children: ChildProcess[] },
): BuiltRun {
  const child = spawn(process.execPath, [join(dir, script), ...args], {
    env: { PATH: process.env.PATH, HOME: options.home, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}
