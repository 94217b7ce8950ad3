/**
 * Metrics history memory benchmark: N servers (default 5,000) with D disks each (default 3), every
 * slot of both tiers filled (24 h of samples: one every 5 minutes for the first 23 h, which is what
 * the 24h tier keeps, then one per metrics interval for the last hour), on the real
 * MetricsHistoryStore (bundled from TypeScript with vite into a temp folder first, like
 * bench/store-10k.mjs). Then saves and reloads the history file.
 *
 *   node --expose-gc bench/metrics-history-memory.mjs [--servers 5000] [--disks 3] [--interval 5] [--json out.json]
 *
 * Prints two figures per server: the bytes of the rings' typed arrays (exact, computed by the store)
 * and the growth of V8 heap + ArrayBuffer memory measured around the fill (after forced GCs; includes
 * the Map entries, ring objects and server ids). Writes the figures as JSON to --json (default
 * bench/results/metrics-history-memory.json, git-ignored).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const SERVERS = Number(arg('--servers', '5000'));
const DISKS = Number(arg('--disks', '3'));
const INTERVAL_SEC = Number(arg('--interval', '5'));
const jsonOut = resolve(arg('--json', join(root, 'bench/results/metrics-history-memory.json')));

if (!globalThis.gc) {
  console.error('run with: node --expose-gc bench/metrics-history-memory.mjs');
  process.exit(2);
}

const { build } = await import('vite');
const bundleDir = mkdtempSync(join(tmpdir(), 'metrics-bench-build-'));
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  // Bundle zod in too: the temp folder has no node_modules to resolve it from.
  ssr: { noExternal: true },
  build: {
    ssr: true,
    outDir: bundleDir,
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: {
        'metrics-history': join(root, 'src-main/hub/monitoring/metrics-history.ts'),
        'metrics-history-file': join(root, 'src-main/hub/monitoring/metrics-history-file.ts'),
      },
      output: { format: 'es', entryFileNames: '[name].mjs' },
    },
  },
});
const { MetricsHistoryStore } = await import(pathToFileURL(join(bundleDir, 'metrics-history.mjs')).href);
const { saveMetricsHistory, loadMetricsHistory } = await import(
  pathToFileURL(join(bundleDir, 'metrics-history-file.mjs')).href
);

const settle = () => {
  for (let i = 0; i < 4; i++) globalThis.gc();
};
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const ids = Array.from(
  { length: SERVERS },
  (_, i) => `host-${String(i).padStart(5, '0')}.dc${i % 4}.example.internal`,
);
const view = {
  receivedAt: 0,
  cpuPercent: 0,
  cores: 8,
  load: [0, 0, 0],
  memoryUsedBytes: 0,
  memoryTotalBytes: 32 * 1024 ** 3,
  disks: Array.from({ length: DISKS }, (_, d) => ({
    mount: `/mnt/disk${d}`,
    usedBytes: 0,
    totalBytes: 1e12,
  })),
  rxBytesPerSec: 0,
  txBytesPerSec: 0,
  uptimeSec: 0,
};

settle();
const before = used();
const store = new MetricsHistoryStore({ metricsIntervalSec: INTERVAL_SEC });
const now = Math.floor(Date.now() / 300_000) * 300_000;
const hourStart = now - 3_600_000;
let samples = 0;
const t0 = performance.now();
for (let s = 0; s < SERVERS; s++) {
  const id = ids[s];
  const sample = (t) => {
    const x = (s * 31 + t / 1000) % 100;
    view.receivedAt = t;
    view.cpuPercent = x;
    view.load[0] = x / 25;
    view.memoryUsedBytes = x * 1e8;
    view.rxBytesPerSec = x * 1e5;
    view.txBytesPerSec = x * 1e4;
    for (const disk of view.disks) disk.usedBytes = x * 1e10;
    store.record(id, view);
    samples++;
  };
  for (let t = now - 86_400_000 + 300_000; t < hourStart; t += 300_000) sample(t);
  for (let t = hourStart + store.hourStepMs; t <= now; t += store.hourStepMs) sample(t);
}
const fillMs = performance.now() - t0;
settle();
const measured = used() - before;
const computed = store.byteSize();

const dir = mkdtempSync(join(tmpdir(), 'metrics-bench-'));
const file = join(dir, 'metrics-history.bin');
let t1 = performance.now();
saveMetricsHistory(file, store, now);
const saveMs = performance.now() - t1;
const fileBytes = statSync(file).size;
t1 = performance.now();
const reloaded = new MetricsHistoryStore({ metricsIntervalSec: INTERVAL_SEC });
const report = loadMetricsHistory(file, reloaded);
const loadMs = performance.now() - t1;
const check =
  JSON.stringify(reloaded.history(ids[0], '24h', now)) === JSON.stringify(store.history(ids[0], '24h', now));
rmSync(dir, { recursive: true, force: true });
rmSync(bundleDir, { recursive: true, force: true });

const KB = (n) => (n / 1024).toFixed(1);
const MB = (n) => (n / 1024 / 1024).toFixed(1);
const rows = [
  ['servers × disks', `${SERVERS} × ${DISKS}`, ''],
  ['metrics interval (1h step)', `${INTERVAL_SEC} s`, `${store.hourSlots} slots`],
  ['samples recorded', samples.toLocaleString('en'), `${fillMs.toFixed(0)} ms`],
  ['typed arrays per server (computed)', `${computed / SERVERS} B`, `${KB(computed / SERVERS)} KiB`],
  [
    'heap + ArrayBuffers per server (measured)',
    `${Math.round(measured / SERVERS)} B`,
    `${KB(measured / SERVERS)} KiB`,
  ],
  ['total typed arrays (computed)', `${MB(computed)} MiB`, ''],
  ['total measured', `${MB(measured)} MiB`, ''],
  ['history file', `${MB(fileBytes)} MiB`, `save ${saveMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms`],
  ['reload', `${report.servers} servers`, check ? 'identical' : 'DIFFERENT'],
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`metrics history memory (node ${process.version})`);
for (const [what, value, note] of rows) console.log(`${what.padEnd(w)}  ${value.padStart(14)}  ${note}`);

const result = {
  date: new Date().toISOString(),
  node: process.version,
  servers: SERVERS,
  disksPerServer: DISKS,
  intervalSec: INTERVAL_SEC,
  hourSlots: store.hourSlots,
  samples,
  fillMs,
  computedBytesPerServer: computed / SERVERS,
  measuredBytesPerServer: measured / SERVERS,
  fileBytes,
  saveMs,
  loadMs,
  reloadIdentical: check,
};
try {
  writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nresult: ${jsonOut}`);
} catch (error) {
  console.error(`could not write ${jsonOut}: ${error}`);
}
if (!check) process.exit(1);
