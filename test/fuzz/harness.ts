/**
 * The fuzz suite's shared harness: how many cases each property runs, a per-case time budget that
 * turns a hang (or a runaway super-linear parse) into a failure, and one summary line per property
 * so CI logs show how many cases actually ran.
 *
 * Case count: `FUZZ_RUNS` is the total over the whole suite (default 100,000, the CI floor). Each
 * property gets a share of it by name (SHARES below): cheap pure parsers get most cases, properties
 * that open sockets or files get fewer, so the suite stays around a minute on a small shared machine.
 * `scripts/fuzz.mjs --runs N` sets FUZZ_RUNS and adds up the summaries the properties append to
 * `FUZZ_SUMMARY_FILE`.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { toJsonText } from './arbitraries';

/** Fraction of FUZZ_RUNS each property gets (they sum to 1). */
const SHARES = {
  // pure parsers (well under a millisecond per case)
  'agent frame': 0.211,
  'agent frame round trip': 0.04,
  'hub frame (agent side)': 0.04,
  'broker agent event': 0.1,
  'broker config (agent side)': 0.04,
  'stored agent config': 0.04,
  'json-doc merge patch': 0.03,
  'json-doc diff': 0.02,
  'console request': 0.14,
  'hub settings': 0.04,
  '.env file': 0.01,
  'checksummed line': 0.1,
  'config schema validation': 0.02,
  'regex safety': 0.05,
  // in-process adapters and small files
  'ipc handler': 0.08,
  'hub secrets file': 0.003,
  'broker settings file': 0.003,
  'append log file': 0.004,
  'journal store files': 0.003,
  'metrics history file': 0.004,
  'presence history file': 0.003,
  'alert files': 0.003,
  'enrollment file': 0.003,
  'agent credential file': 0.003,
  // live sockets
  'bridge calls': 0.004,
  'gateway frames': 0.006,
} as const;

export type PropertyName = keyof typeof SHARES;

export const TOTAL_RUNS = positiveInt(process.env.FUZZ_RUNS, 100_000);
/**
 * A single case taking longer than this fails the property. Not a performance assertion: parsing
 * a 64 KiB frame takes well under a millisecond, so only a hang or a pathological blow-up (ReDoS,
 * quadratic re-parsing) gets anywhere near it, even on a loaded machine.
 */
export const CASE_BUDGET_MS = positiveInt(process.env.FUZZ_CASE_BUDGET_MS, 2_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${raw}"`);
  return n;
}

export function runsFor(name: PropertyName): number {
  return Math.max(1, Math.ceil(TOTAL_RUNS * SHARES[name]));
}

/** What one case did: the parser accepted the input or rejected it (with a clear error). */
export type Outcome = 'accepted' | 'rejected';

export interface FuzzSummary {
  property: PropertyName;
  cases: number;
  accepted: number;
  rejected: number;
  ms: number;
  slowestMs: number;
}

class Stats {
  cases = 0;
  accepted = 0;
  rejected = 0;
  slowestMs = 0;
  private readonly t0 = performance.now();
  constructor(readonly property: PropertyName) {}

  record(outcome: Outcome, ms: number): void {
    this.cases++;
    this[outcome]++;
    if (ms > this.slowestMs) this.slowestMs = ms;
    if (ms > CASE_BUDGET_MS) {
      throw new Error(`${this.property}: one case took ${ms.toFixed(0)} ms (budget ${CASE_BUDGET_MS} ms)`);
    }
  }

  report(): FuzzSummary {
    const summary: FuzzSummary = {
      property: this.property,
      cases: this.cases,
      accepted: this.accepted,
      rejected: this.rejected,
      ms: Math.round(performance.now() - this.t0),
      slowestMs: Math.round(this.slowestMs * 10) / 10,
    };
    process.stdout.write(
      `[fuzz] ${summary.property}: ${summary.cases} cases (${summary.accepted} accepted, ` +
        `${summary.rejected} rejected) in ${summary.ms} ms, slowest case ${summary.slowestMs} ms\n`,
    );
    if (process.env.FUZZ_SUMMARY_FILE) {
      appendFileSync(process.env.FUZZ_SUMMARY_FILE, `${JSON.stringify(summary)}\n`);
    }
    return summary;
  }
}

function parameters<T>(name: PropertyName, runs?: number): fc.Parameters<[T]> {
  return {
    numRuns: runs ?? runsFor(name),
    seed: SEED,
    // Our own report: fast-check's would print the whole counterexample, and a deeply nested or
    // 70 KB input overflows the stack or the log. This keeps the seed and path to replay it.
    reporter: (details) => {
      if (!details.failed) return;
      const error = details.errorInstance;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      throw new Error(
        `${name}: property failed after ${details.numRuns} cases (seed ${details.seed}, path "${details.counterexamplePath}"; ` +
          `replay with FUZZ_SEED=${details.seed})\ncounterexample: ${preview(details.counterexample)}\n${message}`,
      );
    },
  };
}

/** The start of a value as JSON-ish text, without recursion (values may be nested thousands deep). */
function preview(value: unknown, max = 1_500): string {
  let text: string;
  try {
    text = toJsonText(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/**
 * Run a synchronous property: `check` returns whether the parser accepted or rejected the input and
 * throws (fails the property) on anything else. Returns the summary (also printed).
 */
export function fuzz<T>(
  name: PropertyName,
  arb: fc.Arbitrary<T>,
  check: (input: T) => Outcome,
  options: { runs?: number } = {},
): FuzzSummary {
  const stats = new Stats(name);
  fc.assert(
    fc.property(arb, (input) => {
      const t0 = performance.now();
      const outcome = check(input);
      stats.record(outcome, performance.now() - t0);
    }),
    parameters<T>(name, options.runs),
  );
  return stats.report();
}

/** The asynchronous version: each case must also settle within the budget (a hang fails it). */
export async function fuzzAsync<T>(
  name: PropertyName,
  arb: fc.Arbitrary<T>,
  check: (input: T) => Promise<Outcome>,
  options: { runs?: number } = {},
): Promise<FuzzSummary> {
  const stats = new Stats(name);
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${name}: a case did not settle within ${CASE_BUDGET_MS} ms`)),
          CASE_BUDGET_MS,
        );
      });
      try {
        const outcome = await Promise.race([check(input), timeout]);
        stats.record(outcome, performance.now() - t0);
      } finally {
        clearTimeout(timer);
      }
    }),
    parameters<T>(name, options.runs),
  );
  return stats.report();
}

/** Vitest timeout for a property: generous, scaled with its share of the runs. */
export function timeoutFor(name: PropertyName, msPerCase: number): number {
  return 60_000 + Math.ceil(runsFor(name) * msPerCase);
}

/** A clear rejection names a field or a reason: non-empty, printable, not a bare "Error". */
export function assertClearMessage(where: string, message: unknown): void {
  if (typeof message !== 'string' || message.trim().length < 8 || /^(error|undefined|null)$/i.test(message)) {
    throw new Error(`${where}: unclear rejection message ${JSON.stringify(message)}`);
  }
  if (/\[object Object\]/.test(message)) {
    throw new Error(`${where}: rejection message shows an object: ${JSON.stringify(message)}`);
  }
}

/** Fails when any earlier case polluted Object.prototype. */
export function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'isAdmin', 'type', 'agentId', 'revision', 'config']) {
    if (probe[key] !== undefined) throw new Error(`Object.prototype was polluted with "${key}"`);
  }
}
