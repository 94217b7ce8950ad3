#!/usr/bin/env node
/**
 * Longer runs of the fault tests (test/fault/*.test.ts): the same test files with bigger parameters,
 * passed as FAULT_* variables, and a time limit to match. The figures are printed by the tests.
 *
 *   node scripts/fault-long.mjs broker-kill [--kills 20] [--agents 50] [--step-ms 15] [--up-ms 3000]
 *   node scripts/fault-long.mjs hub-kill    [--rounds 20]
 *   node scripts/fault-long.mjs reconnect   [--agents 5000] [--bound-ms 120000]
 *   node scripts/fault-long.mjs corrupt
 *
 * Needs the built app (`npx vite build`) for hub-kill, reconnect and corrupt; broker-kill starts its
 * own throwaway RabbitMQ node (Debian's rabbitmq-server, see scripts/rabbitmq.mjs).
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const scenarios = {
  'broker-kill': {
    file: 'test/fault/broker-kill-loop.test.ts',
    options: {
      kills: ['FAULT_BROKER_KILLS', '20'],
      agents: ['FAULT_AGENTS', '50'],
      'step-ms': ['FAULT_STEP_MS', '15'],
      'up-ms': ['FAULT_UP_MS', '3000'],
    },
    // Each kill costs a broker restart (5–25 s on a loaded 2-core machine).
    timeoutMs: (v) => 120_000 + Number(v.kills) * 45_000,
  },
  'hub-kill': {
    file: 'test/fault/hub-kill-writes.test.ts',
    options: { rounds: ['FAULT_ROUNDS', '20'] },
    timeoutMs: (v) => 120_000 + Number(v.rounds) * 30_000,
  },
  reconnect: {
    file: 'test/fault/reconnect-2000.test.ts',
    options: { agents: ['FAULT_AGENTS', '5000'], 'bound-ms': ['FAULT_RECONNECT_BOUND_MS', '120000'] },
    timeoutMs: (v) => 300_000 + Number(v['bound-ms']),
  },
  corrupt: { file: 'test/fault/corrupt-files.test.ts', options: {}, timeoutMs: () => 120_000 },
};

const [name, ...rest] = process.argv.slice(2);
const scenario = scenarios[name];
if (!scenario) {
  console.error(`usage: node scripts/fault-long.mjs <${Object.keys(scenarios).join('|')}> [--option value…]`);
  process.exit(2);
}
const { values } = parseArgs({
  args: rest,
  strict: true,
  options: Object.fromEntries(
    Object.entries(scenario.options).map(([k, [, def]]) => [k, { type: 'string', default: def }]),
  ),
});
const env = { ...process.env };
for (const [k, [variable]] of Object.entries(scenario.options)) {
  if (!/^\d+$/.test(values[k])) {
    console.error(`--${k} must be a whole number (got ${JSON.stringify(values[k])})`);
    process.exit(2);
  }
  env[variable] = values[k];
}
const timeout = String(scenario.timeoutMs(values));
console.log(`fault ${name}: ${JSON.stringify(values)} (test time limit ${Number(timeout) / 1000} s)`);
const child = spawn(
  process.execPath,
  [
    resolve(ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    scenario.file,
    '--testTimeout',
    timeout,
    '--hookTimeout',
    '300000',
  ],
  { cwd: ROOT, env, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
