#!/usr/bin/env node
/**
 * `npm run fuzz`: the property-based fuzz suite (test/fuzz) with many more cases than CI runs.
 *
 *   npm run fuzz                         one million cases in total (the default)
 *   npm run fuzz -- --runs 200000        another total
 *   npm run fuzz -- --seed 42            replay a failure's seed (printed with the failure)
 *   npm run fuzz -- test/fuzz/json-doc   only some files (arguments go to vitest)
 *
 * `--runs N` is the total number of cases over every property of the suite (FUZZ_RUNS); each
 * property takes its share of it (test/fuzz/harness.ts, SHARES: cheap parsers most, sockets and
 * files least). CI runs the same suite with the default 100,000.
 *
 * Hang detection: every case has a time budget inside the suite (FUZZ_CASE_BUDGET_MS, 2 s), but a
 * synchronous infinite loop cannot be interrupted from inside its own process. So this script also
 * watches the output: when nothing is printed for `--stall-sec` (default 900 s; a property prints
 * when it finishes), it kills the run and reports a hang.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const log = (line) => process.stdout.write(`[fuzz] ${line}\n`);

function parseArgs(argv) {
  const options = { runs: 1_000_000, seed: undefined, stallSec: 900, caseBudgetMs: undefined, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--seed') options.seed = value();
    else if (arg === '--stall-sec') options.stallSec = Number(value());
    else if (arg === '--case-budget-ms') options.caseBudgetMs = value();
    else options.rest.push(arg);
  }
  if (!Number.isSafeInteger(options.runs) || options.runs <= 0) {
    throw new Error(`--runs must be a positive integer, got ${options.runs}`);
  }
  return options;
}

function table(summaries) {
  const rows = summaries.map((s) => [
    s.property,
    s.cases.toLocaleString('en'),
    s.accepted.toLocaleString('en'),
    s.rejected.toLocaleString('en'),
    (s.ms / 1000).toFixed(1),
    String(s.slowestMs),
  ]);
  const total = summaries.reduce(
    (t, s) => ({
      cases: t.cases + s.cases,
      accepted: t.accepted + s.accepted,
      rejected: t.rejected + s.rejected,
      ms: t.ms + s.ms,
    }),
    { cases: 0, accepted: 0, rejected: 0, ms: 0 },
  );
  rows.push([
    'TOTAL',
    total.cases.toLocaleString('en'),
    total.accepted.toLocaleString('en'),
    total.rejected.toLocaleString('en'),
    (total.ms / 1000).toFixed(1),
    String(Math.max(0, ...summaries.map((s) => s.slowestMs))),
  ]);
  const head = ['property', 'cases', 'accepted', 'rejected', 'seconds', 'slowest case ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'ac-fuzz-'));
  const summaryFile = join(dir, 'summary.jsonl');
  const env = {
    ...process.env,
    FUZZ_RUNS: String(options.runs),
    FUZZ_SUMMARY_FILE: summaryFile,
    ...(options.seed !== undefined ? { FUZZ_SEED: options.seed } : {}),
    ...(options.caseBudgetMs !== undefined ? { FUZZ_CASE_BUDGET_MS: options.caseBudgetMs } : {}),
  };
  const files = options.rest.length ? options.rest : ['test/fuzz'];
  log(
    `${options.runs.toLocaleString('en')} cases in total over ${files.join(' ')}; progress below as each property finishes`,
  );
  const t0 = Date.now();
  const child = spawn('npx', ['vitest', 'run', ...files], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let lastOutput = Date.now();
  let stalled = false;
  const forward = (stream, out) =>
    stream.on('data', (chunk) => {
      lastOutput = Date.now();
      out.write(chunk);
    });
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  const watchdog = setInterval(() => {
    if (Date.now() - lastOutput > options.stallSec * 1000) {
      stalled = true;
      log(`no output for ${options.stallSec} s: a case hangs; stopping the run`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }, 5_000);
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise((resolve) =>
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
  );
  clearInterval(watchdog);

  let summaries = [];
  try {
    summaries = readFileSync(summaryFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    // no property finished
  }
  rmSync(dir, { recursive: true, force: true });
  summaries.sort((a, b) => b.cases - a.cases);
  process.stdout.write(`\n${table(summaries)}\n\n`);
  log(
    `${summaries.reduce((n, s) => n + s.cases, 0).toLocaleString('en')} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s; ` +
      (stalled
        ? 'HANG detected'
        : code === 0
          ? 'no failure'
          : `vitest exited with ${code} (see the failures above)`),
  );
  return stalled ? 2 : code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(error.message);
    process.exit(1);
  },
);
