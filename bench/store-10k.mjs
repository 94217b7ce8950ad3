/**
 * Registry store benchmark: 10,000 agents × (identity + desired config ~1 KB with 5 revisions kept
 * in full + a 5-entry delivery ledger) + 50,000 audit entries, on the real JournalStore/AppendLog
 * (bundled from TypeScript with vite into a temp folder first, ~0.2 s), fsync on.
 *
 *   node --expose-gc bench/store-10k.mjs [--agents 10000] [--audit 50000] [--dir /path] [--json out.json]
 *
 * --dir: where the store files go (default: a temp dir; put it on the disk you care about, /tmp
 * may be tmpfs where fsync is free). Prints a table, and writes the figures as JSON to --json
 * (default bench/results/store-10k.json, git-ignored). Load time and memory are measured in fresh
 * child processes (this file with --load), against a child that loads nothing (baseline).
 * The floor printed next to the write figures is a bare write()+fsync() of the same bytes on the
 * same disk, measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};

// ------------------------------------------------------------------ child mode: measure a load
if (args[0] === '--load') {
  const [, modulePath, dir, withAudit] = args;
  const gc = () => globalThis.gc?.();
  let result = { loadMs: 0 };
  if (modulePath !== 'none') {
    const { JournalStore, AppendLog } = await import(pathToFileURL(modulePath).href);
    const t0 = performance.now();
    const store = JournalStore.open(dir);
    let auditEntries = 0;
    if (withAudit === 'audit') {
      const audit = AppendLog.open(join(dir, 'audit.jsonl'));
      auditEntries = audit.readAll().length;
      globalThis.keepAudit = audit.readAll();
    }
    result = { loadMs: performance.now() - t0, report: store.openReport, auditEntries };
    globalThis.keepStore = store;
  }
  gc();
  gc();
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ ...result, rss: m.rss, heapUsed: m.heapUsed, external: m.external }));
  process.exit(0);
}

// ------------------------------------------------------------------ main
const AGENTS = Number(arg('--agents', '10000'));
const AUDIT = Number(arg('--audit', '50000'));
const jsonOut = resolve(arg('--json', join(root, 'bench/results/store-10k.json')));
const baseDir = arg('--dir', undefined) ?? mkdtempSync(join(tmpdir(), 'store-bench-'));
mkdirSync(baseDir, { recursive: true });
const dir = join(baseDir, 'registry');
rmSync(dir, { recursive: true, force: true });

const { build } = await import('vite');
const bundleDir = mkdtempSync(join(tmpdir(), 'store-bench-build-'));
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: join(root, 'src-main/hub/store/journal-store.ts'),
    outDir: bundleDir,
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    rollupOptions: { output: { format: 'es', entryFileNames: 'journal-store.mjs' } },
  },
});
const modulePath = join(bundleDir, 'journal-store.mjs');
const { JournalStore, AppendLog } = await import(pathToFileURL(modulePath).href);

const ms = (t0) => performance.now() - t0;
const MB = (n) => n / 1024 / 1024;
const rows = [];
const row = (what, value, unit, note = '') => rows.push({ what, value, unit, note });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// A deterministic ~1 KB config.
const config = (i, rev) => ({
  logLevel: rev % 2 ? 'info' : 'debug',
  metrics: { intervalSec: 10 + (i % 50), include: ['cpu', 'mem', 'disk', 'net'], exclude: [] },
  jobs: { concurrency: 1 + (i % 8), timeoutSec: 600, retry: { max: 3, backoffMs: 2000 } },
  endpoints: Array.from({ length: 6 }, (_, j) => ({
    name: `endpoint-${j}`,
    url: `https://svc-${j}.example.internal:${8000 + j}/api/v2/agents/${i}`,
    weight: j + 1,
  })),
  tags: Array.from({ length: 8 }, (_, j) => `tag-${(i + j + rev) % 40}`),
  note: `revision ${rev} of agent ${i}`.padEnd(120, '.'),
});
const identity = (i) => ({
  agentId: `agent-${String(i).padStart(5, '0')}`,
  hostname: `host-${i}.dc${i % 4}.example.internal`,
  os: i % 3 ? 'linux' : 'windows',
  version: '1.4.2',
  labels: { env: i % 5 ? 'prod' : 'staging', team: `team-${i % 30}`, region: `eu-${i % 3}` },
  configSchema: { $ref: `schema-${i % 10}` },
  firstSeen: '2025-01-01T00:00:00.000Z',
});
const desired = (i, revision) => ({
  agentId: identity(i).agentId,
  revision,
  assignedProfiles: [`profile-${i % 20}`],
  override: config(i, revision),
  revisions: Array.from({ length: 5 }, (_, r) => ({
    revision: revision - 4 + r,
    at: new Date(1_700_000_000_000 + r * 60_000).toISOString(),
    user: 'ops@example.com',
    comment: 'bulk change',
    config: config(i, revision - 4 + r),
  })),
});
const ledger = (i, revision) =>
  Array.from({ length: 5 }, (_, r) => ({
    revision: revision - 4 + r,
    state: r === 4 ? 'pending' : 'applied',
    sentAt: new Date(1_700_000_000_000 + r * 60_000).toISOString(),
    ackAt: r === 4 ? null : new Date(1_700_000_000_000 + r * 60_000 + 800).toISOString(),
    attempts: 1,
  }));

// Floor: bare write()+fsync() of `bytes` bytes on the same disk.
function bareWriteFsync(bytes, times) {
  const file = join(baseDir, 'bare.bin');
  const fd = openSync(file, 'a');
  const buf = Buffer.alloc(bytes, 0x61);
  const samples = [];
  for (let t = 0; t < times; t++) {
    const t0 = performance.now();
    writeSync(fd, buf);
    fsyncSync(fd);
    samples.push(ms(t0));
  }
  closeSync(fd);
  rmSync(file);
  return samples;
}

const store = JournalStore.open(dir, { compactAfterBytes: Infinity });

// 1. populate: 100 agents (300 records) per batch
const ids = Array.from({ length: AGENTS }, (_, i) => identity(i).agentId);
let t0 = performance.now();
const populateBatches = [];
for (let start = 0; start < AGENTS; start += 100) {
  const ops = [];
  for (let i = start; i < Math.min(AGENTS, start + 100); i++) {
    ops.push({ op: 'put', coll: 'agents', key: ids[i], value: identity(i) });
    ops.push({ op: 'put', coll: 'desired', key: ids[i], value: desired(i, 5) });
    ops.push({ op: 'put', coll: 'ledger', key: ids[i], value: ledger(i, 5) });
  }
  const b0 = performance.now();
  store.batch(ops);
  populateBatches.push(ms(b0));
}
for (let p = 0; p < 20; p++)
  store.put('profiles', `profile-${p}`, { name: `profile-${p}`, config: config(p, 1) });
const populateMs = ms(t0);
const journalAfterPopulate = statSync(join(dir, 'journal.jsonl')).size;
row(
  `write ${AGENTS} agents (batches of 100 agents = 300 records)`,
  populateMs,
  'ms',
  `${populateBatches.length} batches, median ${median(populateBatches).toFixed(1)} ms`,
);

// 2. single-record put latency
const single = [];
for (let n = 0; n < 200; n++) {
  const i = (n * 37) % AGENTS;
  const b0 = performance.now();
  store.put('agents', ids[i], { ...identity(i), lastSeen: new Date().toISOString() });
  single.push(ms(b0));
}
const singleLine = 400;
const bareSmall = bareWriteFsync(singleLine, 200);
row(
  'put 1 record (agent identity), p50',
  median(single),
  'ms',
  `p99 ${pct(single, 0.99).toFixed(2)} ms; bare write+fsync ${singleLine} B p50 ${median(bareSmall).toFixed(2)} ms`,
);

// 3. batch of 1,000 desired-config updates (new revision each)
const updates = [];
let updateBytes = 0;
for (let run = 0; run < 5; run++) {
  const ops = [];
  for (let n = 0; n < 1000; n++) {
    const i = (run * 1000 + n * 7) % AGENTS;
    ops.push({ op: 'put', coll: 'desired', key: ids[i], value: desired(i, 6 + run) });
  }
  const before = store.stats().journalBytes;
  const b0 = performance.now();
  store.batch(ops);
  updates.push(ms(b0));
  updateBytes = store.stats().journalBytes - before;
}
const bareBig = bareWriteFsync(updateBytes, 5);
row(
  'batch of 1,000 desired-config updates, median of 5',
  median(updates),
  'ms',
  `max ${Math.max(...updates).toFixed(1)} ms; ${MB(updateBytes).toFixed(2)} MB line; bare write+fsync same bytes ${median(bareBig).toFixed(1)} ms (×${(median(updates) / median(bareBig)).toFixed(1)})`,
);

// 4. audit: 50,000 entries, 500 per append
const audit = AppendLog.open(join(dir, 'audit.jsonl'));
t0 = performance.now();
for (let start = 0; start < AUDIT; start += 500) {
  const entries = [];
  for (let n = start; n < Math.min(AUDIT, start + 500); n++) {
    entries.push({
      at: new Date(1_700_000_000_000 + n * 1000).toISOString(),
      user: `user-${n % 12}@example.com`,
      action: n % 3 ? 'config.set' : 'profile.assign',
      target: ids[n % AGENTS],
      revision: 1 + (n % 9),
      detail: { from: n % 9, to: 1 + (n % 9), fields: ['logLevel', 'metrics.intervalSec'] },
    });
  }
  audit.append(entries);
}
const auditMs = ms(t0);
row(`append ${AUDIT} audit entries (500 per append, ${Math.ceil(AUDIT / 500)} fsyncs)`, auditMs, 'ms');
t0 = performance.now();
const auditCount = audit.readAll().length;
row(`read all ${auditCount} audit entries (streaming)`, ms(t0), 'ms');
t0 = performance.now();
const filtered = audit.readAll((e) => e.target === ids[42]).length;
row(`filter audit by agent (${filtered} hits)`, ms(t0), 'ms');
const auditBytes = statSync(join(dir, 'audit.jsonl')).size;
audit.close();

const journalBytes = statSync(join(dir, 'journal.jsonl')).size;
store.close();

// 5. load from the journal only (worst case before any compaction), fresh process
const journalOnly = join(baseDir, 'journal-only');
rmSync(journalOnly, { recursive: true, force: true });
cpSync(dir, journalOnly, { recursive: true });
const load = (what, d, withAudit = '') =>
  JSON.parse(
    execFileSync(process.execPath, ['--expose-gc', import.meta.filename, '--load', what, d, withAudit], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    }),
  );
const baseline = load('none', dir);
const fromJournal = load(modulePath, journalOnly);
rmSync(journalOnly, { recursive: true, force: true });

// 6. compaction
const again = JournalStore.open(dir, { compactAfterBytes: Infinity });
t0 = performance.now();
again.compact();
const compactMs = ms(t0);
again.close();
const snapshotBytes = statSync(join(dir, 'snapshot.jsonl')).size;

// 7. load from the snapshot, fresh process, with and without the audit trail in memory
const fromSnapshot = load(modulePath, dir);
const withAuditLoad = load(modulePath, dir, 'audit');

row(`journal after writing ${AGENTS} agents`, MB(journalAfterPopulate), 'MB');
row('journal before compaction (all of the above)', MB(journalBytes), 'MB');
row('compaction (write snapshot, fsync, rename, truncate journal)', compactMs, 'ms');
row('snapshot file', MB(snapshotBytes), 'MB', `${fromSnapshot.report.snapshotRecords} records`);
row('audit file', MB(auditBytes), 'MB', `${auditCount} entries`);
row('open: from snapshot (fresh process)', fromSnapshot.loadMs, 'ms');
row(
  'open: from journal only, no snapshot (fresh process)',
  fromJournal.loadMs,
  'ms',
  `${fromJournal.report.journalRecords} batches replayed`,
);
row('open + read all audit entries into memory', withAuditLoad.loadMs, 'ms');
row(
  'resident memory, bare node (baseline)',
  MB(baseline.rss),
  'MB',
  `heap ${MB(baseline.heapUsed).toFixed(1)} MB`,
);
row(
  'resident memory after load (store only)',
  MB(fromSnapshot.rss),
  'MB',
  `heap ${MB(fromSnapshot.heapUsed).toFixed(1)} MB; +${MB(fromSnapshot.rss - baseline.rss).toFixed(0)} MB over baseline`,
);
row(
  'resident memory after load (store + all audit entries)',
  MB(withAuditLoad.rss),
  'MB',
  `heap ${MB(withAuditLoad.heapUsed).toFixed(1)} MB; +${MB(withAuditLoad.rss - baseline.rss).toFixed(0)} MB over baseline`,
);

// ------------------------------------------------------------------ print
const w = Math.max(...rows.map((r) => r.what.length));
console.log(
  `\nJournalStore benchmark: ${AGENTS} agents, ${AUDIT} audit entries, node ${process.version}, dir ${dir}\n`,
);
for (const r of rows) {
  const v = r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(r.value >= 10 ? 1 : 2);
  console.log(`${r.what.padEnd(w)}  ${v.padStart(8)} ${r.unit.padEnd(2)}  ${r.note}`);
}
mkdirSync(dirname(jsonOut), { recursive: true });
const result = { date: new Date().toISOString(), node: process.version, agents: AGENTS, audit: AUDIT, rows };
writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nresult: ${jsonOut}`);
if (arg('--dir', undefined) === undefined) rmSync(baseDir, { recursive: true, force: true });
rmSync(bundleDir, { recursive: true, force: true });
