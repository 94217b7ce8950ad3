#!/usr/bin/env node
/**
 * `npm run security:electron`: run Doyensec's Electronegativity over the Electron attack surface and
 * fail on any HIGH severity finding (or when the scan itself cannot run).
 *
 *   node scripts/electronegativity.mjs [--out <dir>] [--root <dir>]
 *
 *   --out   where the reports go (default: test-results/)
 *   --root  the tree to scan (default: this repository; tests point it at fixtures)
 *
 * What is scanned: the Electron main/preload sources (src-main/electron, TypeScript is parsed
 * natively), everything that runs in the page (src-renderer, including index.html with its meta
 * CSP) and package.json (the Electron version). They are copied into one staging directory so that
 * Electronegativity's global checks (CSP, navigation limits, permission handlers) see the whole app
 * at once, and nothing else in the repository (tests, benches, the agent) adds noise.
 *
 * Offline by construction: Electronegativity would fetch translations from S3 and Electron's release
 * list from GitHub. Its HTTP client (`got`) is replaced by a stub that rejects at once, and the
 * release-list check (AvailableSecurityFixesGlobalCheck, which depends on that download and on a
 * cache in the temp directory) is excluded; docs/security.md says how the Electron version is kept
 * current instead.
 *
 * Output: test-results/electronegativity.csv (Electronegativity's own format),
 * test-results/electronegativity.sarif and test-results/electronegativity.json (our summary), and a
 * table on stdout. Findings accepted on purpose are argued in docs/security.md.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..');

/** What makes up the Electron app's attack surface (relative to the repository root). */
export const SCAN_INPUTS = ['src-main/electron', 'src-renderer', 'package.json'];
/** Checks that need the network; excluded so the scan is offline and deterministic. */
export const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

function parseArgs(argv) {
  const options = { out: join(repoRoot, 'test-results'), root: repoRoot };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' && argv[i + 1]) options.out = resolve(argv[++i]);
    else if (arg === '--root' && argv[i + 1]) options.root = resolve(argv[++i]);
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node scripts/electronegativity.mjs [--out <dir>] [--root <dir>]');
      process.exit(0);
    } else {
      console.error(`[electronegativity] unknown argument ${JSON.stringify(arg)}`);
      process.exit(2);
    }
  }
  return options;
}

/**
 * Replace Electronegativity's HTTP client with one that fails at once: no request ever leaves the
 * machine (the translation fetch and the release-list fetch both handle a failure).
 */
function stubNetwork(require) {
  const gotPath = require.resolve('got');
  const offline = () => Promise.reject(new Error('network disabled by scripts/electronegativity.mjs'));
  const stub = Object.assign(offline, { head: offline, get: offline, default: offline });
  require.cache[gotPath] = {
    id: gotPath,
    filename: gotPath,
    loaded: true,
    exports: stub,
  };
}

function stage(root, dir) {
  for (const input of SCAN_INPUTS) {
    if (!existsSync(join(root, input))) throw new Error(`nothing to scan at ${join(root, input)}`);
    cpSync(join(root, input), join(dir, input), { recursive: true });
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const require = createRequire(import.meta.url);
  // Resolve from inside the package so its own (nested) copy of `got` is the one stubbed.
  const pkgRequire = createRequire(require.resolve('@doyensec/electronegativity/package.json'));
  stubNetwork(pkgRequire);
  // Electronegativity reads LANG to pick a locale; keep its messages in English whatever the machine.
  process.env.LANG = 'en-US';
  const runModule = pkgRequire('./dist/runner.js');
  const run = runModule.default ?? runModule;

  const staging = mkdtempSync(join(tmpdir(), 'ac-electronegativity-'));
  try {
    stage(options.root, staging);
    mkdirSync(options.out, { recursive: true });
    const result = await quietly(() =>
      run({
        input: staging,
        excludeFromScan: EXCLUDED_CHECKS,
        isRelative: true, // staging mirrors the repository, so paths come out repository-relative
        parserPlugins: [],
        severitySet: 'informational',
        confidenceSet: 'tentative',
      }),
    );
    // Electronegativity's own CSV columns and a SARIF 2.1.0 log (its writer is fire-and-forget
    // async and races its own CSV header, so the files are written here, synchronously).
    const version = pkgRequire('./package.json').version;
    writeFileSync(join(options.out, 'electronegativity.csv'), toCsv(result.issues));
    writeFileSync(join(options.out, 'electronegativity.sarif'), toSarif(result.issues, version));

    const fatalErrors = result.errors.filter((e) => !e.tolerable);
    const findings = result.issues.map((issue) => ({
      id: issue.id,
      severity: issue.severity.name,
      confidence: issue.confidence.name,
      file: posix(issue.file),
      line: issue.location?.line ?? 0,
      column: issue.location?.column ?? 0,
      manualReview: Boolean(issue.manualReview),
      description: issue.description,
    }));
    findings.sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        a.id.localeCompare(b.id) ||
        a.file.localeCompare(b.file) ||
        a.line - b.line,
    );
    const counts = {};
    for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
    const summary = {
      tool: '@doyensec/electronegativity',
      inputs: SCAN_INPUTS,
      excludedChecks: EXCLUDED_CHECKS,
      checks: { global: result.globalChecks, atomic: result.atomicChecks },
      counts,
      parseErrors: result.errors.map((e) => ({
        file: relative(staging, e.file).split(sep).join('/'),
        message: e.message,
        tolerable: e.tolerable,
      })),
      findings,
    };
    writeFileSync(join(options.out, 'electronegativity.json'), `${JSON.stringify(summary, null, 2)}\n`);

    console.log(
      `[electronegativity] ${result.atomicChecks} atomic + ${result.globalChecks} global checks over ${SCAN_INPUTS.join(', ')}`,
    );
    for (const f of findings) {
      const review = f.manualReview ? ' (manual review)' : '';
      console.log(
        `  ${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id}  ${f.file}:${f.line}${review}`,
      );
    }
    const order = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
    console.log(
      `[electronegativity] findings: ${order.map((s) => `${s.toLowerCase()} ${counts[s] ?? 0}`).join(', ')}` +
        ` — report in ${relative(repoRoot, options.out) || '.'}/electronegativity.{csv,sarif,json}`,
    );
    for (const e of fatalErrors) {
      console.error(`[electronegativity] could not parse ${relative(staging, e.file)}: ${e.message}`);
    }
    if (fatalErrors.length > 0) {
      console.error('[electronegativity] FAILED: some files could not be scanned');
      return 1;
    }
    if ((counts.HIGH ?? 0) > 0) {
      console.error('[electronegativity] FAILED: HIGH severity findings (see above)');
      return 1;
    }
    return 0;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const WIKI = 'https://github.com/doyensec/electronegativity/wiki/';
const posix = (file) => String(file).split(sep).join('/');

function toCsv(issues) {
  const cell = (value) => (value == null ? 'N/A' : `"${String(value).replace(/"/g, '""')}"`);
  const rows = issues.map((issue) =>
    [
      issue.id,
      cell(issue.severity.name),
      cell(issue.confidence.name),
      cell(posix(issue.file)),
      cell(`${issue.location?.line ?? 0}:${issue.location?.column ?? 0}`),
      cell(issue.sample),
      cell(issue.description),
      `${WIKI}${issue.id}`,
    ].join(','),
  );
  return ['issue,severity,confidence,filename,location,sample,description,url', ...rows, ''].join('\n');
}

function toSarif(issues, version) {
  const rules = [...new Set(issues.map((issue) => issue.id))].map((id) => ({
    id,
    fullDescription: { text: issues.find((issue) => issue.id === id).description },
    helpUri: `${WIKI}${id}`,
    properties: { category: 'Security' },
  }));
  const results = issues.map((issue) => ({
    ruleId: issue.id,
    level: issue.severity.name === 'HIGH' ? 'error' : issue.manualReview ? 'note' : 'warning',
    message: { text: issue.description },
    properties: { severity: issue.severity.name, confidence: issue.confidence.name },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: issue.file === 'N/A' ? 'package.json' : posix(issue.file) },
          region: {
            startLine: Math.max(1, issue.location?.line ?? 1),
            startColumn: (issue.location?.column ?? 0) + 1,
          },
        },
      },
    ],
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Electronegativity',
            version,
            informationUri: 'https://github.com/doyensec/electronegativity',
            rules,
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** Drop the tool's expected "could not retrieve translations" chatter (the network is stubbed). */
async function quietly(task) {
  const log = console.log;
  console.log = (...args) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Could not retrieve updated translations')) return;
    log(...args);
  };
  try {
    return await task();
  } finally {
    console.log = log;
  }
}

function severityRank(name) {
  return { HIGH: 3, MEDIUM: 2, LOW: 1, INFORMATIONAL: 0 }[name] ?? -1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[electronegativity] FAILED to run: ${error?.stack ?? error}`);
    process.exit(1);
  },
);
