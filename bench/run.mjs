#!/usr/bin/env node
/**
 * `npm run bench`: how large a fleet one console carries, and how fast it reacts.
 *
 *   npm run bench                       full run (1,000 / 5,000 / 15,000 agents, 30 s windows)
 *   npm run bench -- --quick            about a minute: 1,000 agents, short windows
 *   npm run bench -- --sizes 2000,8000 --duration 60 --only gateway
 *
 * The hub runs in its own process (the built headless console) and reports its own CPU, event-loop
 * delay and memory; load comes from separate simulator processes. Prints a table per scenario and
 * writes everything to bench/results/<timestamp>.json with the machine it ran on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gatewayCapacity } from './gateway-capacity.mjs';
import { brokerThroughput } from './broker-throughput.mjs';
import { consoleRender } from './console-render.mjs';
import { ingestCeiling } from './ingest-ceiling.mjs';
import { presenceLatency } from './presence-latency.mjs';
import { rendererStore } from './renderer-store.mjs';
import { printTable, ROOT } from './lib.mjs';

const SCENARIOS = ['gateway', 'ingest', 'presence', 'broker', 'console'];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    duration: { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    `Usage: npm run bench -- [--quick] [--sizes N,N,…] [--duration SEC] [--only ${SCENARIOS.join(',')}]`,
  );
  process.exit(0);
}

const sizes = values.sizes
  ? values.sizes.split(',').map((s) => Number.parseInt(s, 10))
  : values.quick
    ? [1000]
    : [1000, 5000, 15000];
if (sizes.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error('--sizes: comma-separated positive integers');
const durationSec = values.duration ? Number(values.duration) : values.quick ? 10 : 30;
const only = values.only ? values.only.split(',') : SCENARIOS;
for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name}`);

const machine = {
  host: hostname(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  memoryGB: Math.round(totalmem() / 1024 ** 3),
  freeMemoryGB: Math.round(freemem() / 1024 ** 3),
  kernel: release(),
  node: process.version,
};
console.log(
  `Agent Centralizer benchmarks on ${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, Node ${machine.node}`,
);

const results = {
  startedAt: new Date().toISOString(),
  machine,
  options: { sizes, durationSec, quick: values.quick },
};
if (only.includes('gateway')) {
  console.log('\n[gateway] connected agents reporting metrics every 5 s');
  results.gateway = await gatewayCapacity({ sizes, durationSec });
  printTable('Gateway capacity (hub process)', results.gateway);
}

if (only.includes('ingest')) {
  console.log('\n[ingest] metrics frames per second at saturation');
  results.ingest = await ingestCeiling({ seconds: values.quick ? 8 : 15 });
  printTable('Ingest ceiling', results.ingest);
}

if (only.includes('presence')) {
  console.log('\n[presence] disconnect → console, silent agent → offline');
  results.presence = await presenceLatency({ agents: values.quick ? 100 : 300 });
  printTable('Presence latency', results.presence);
}

if (only.includes('broker')) {
  console.log('\n[broker] RabbitMQ consumption and configuration fan-out');
  results.broker = await brokerThroughput({ events: values.quick ? 20_000 : 100_000, agents: 1000 });
  printTable('Job events consumed', results.broker.consume);
  printTable('Configuration fan-out (RabbitMQ, until every agent applied)', results.broker.fanOut);
  printTable(
    'Fan-out split from the hub ledger (ms after the request; confirm → applied = broker → agent → report → hub)',
    results.broker.fanOutSplit,
  );
}

if (only.includes('console')) {
  console.log('\n[console] Chromium: a delta batch touching every agent');
  results.console = await consoleRender({ agents: values.quick ? 2000 : 10_000 });
  printTable('Console (renderer in Chromium)', results.console);
  results.consoleStore = await rendererStore({ agents: values.quick ? 2000 : 10_000 });
  printTable(
    'Console store update alone (V8, no browser) next to a copy-on-write and an in-place Map update',
    results.consoleStore,
  );
}

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `${results.startedAt.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults: ${file}`);
