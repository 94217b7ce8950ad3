#!/usr/bin/env node
/**
 * `npm start`: build the app, then run it in Electron; if the Electron binary is not available
 * (it is downloaded on first use and this machine may be offline), say so clearly and run the same
 * console headless instead, so the README's app command always shows a console.
 *
 *   node scripts/start.mjs [--no-build] [--no-fallback] [-- extra args for Electron / the headless hub]
 *
 *   --no-build     reuse the existing dist/ (skip `vite build`)
 *   --no-fallback  exit with status 1 instead of starting the headless console when Electron is missing
 *
 * Electron is looked for before building, so a missing binary is reported at once. The package's
 * `require('electron')` (which returns the binary path and downloads it on first use) runs in a
 * child process so that a failed download's stack trace does not bury the explanation below.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const MARKER = '@@ELECTRON_BINARY@@';

/** @param {string[]} argv */
function parseArgs(argv) {
  const options = { build: true, fallback: true, /** @type {string[]} */ passThrough: [] };
  const dashDash = argv.indexOf('--');
  const own = dashDash === -1 ? argv : argv.slice(0, dashDash);
  if (dashDash !== -1) options.passThrough = argv.slice(dashDash + 1);
  for (const arg of own) {
    if (arg === '--no-build') options.build = false;
    else if (arg === '--no-fallback') options.fallback = false;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node scripts/start.mjs [--no-build] [--no-fallback] [-- args]');
      process.exit(0);
    } else options.passThrough.push(arg);
  }
  return options;
}

/**
 * Resolve the Electron binary the way `electron .` would: `require('electron')` from the project.
 * @returns {{ ok: true, path: string } | { ok: false, reason: string }}
 */
function resolveElectron() {
  const probe = [
    "const { createRequire } = require('node:module');",
    `const req = createRequire(${JSON.stringify(join(root, 'package.json'))});`,
    'let p;',
    "try { p = req('electron'); } catch (e) { console.error(e && e.message ? e.message : String(e)); process.exit(3); }",
    `process.stdout.write('\\n${MARKER}' + String(p));`,
  ].join('\n');
  const result = spawnSync(process.execPath, ['-e', probe], {
    cwd: root,
    env: process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  const stdout = result.stdout ?? '';
  const at = stdout.lastIndexOf(MARKER);
  if (result.status !== 0 || at === -1) {
    const lines = `${result.stderr ?? ''}\n${result.error?.message ?? ''}`
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const network = lines.find((l) =>
      /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|socket hang up/i.test(
        l,
      ),
    );
    const last = lines.at(-1) ?? 'require("electron") failed';
    const reason = network ? `downloading the Electron binary failed (${network}); ${last}` : last;
    return { ok: false, reason };
  }
  const binary = stdout.slice(at + MARKER.length).trim();
  if (!binary || !existsSync(binary)) {
    return {
      ok: false,
      reason: `the Electron package points at ${binary || '(nothing)'}, which does not exist`,
    };
  }
  return { ok: true, path: binary };
}

/** @param {string} reason */
function explainMissingElectron(reason) {
  const lines = [
    '',
    'The Electron binary is not available, so the desktop window cannot open.',
    `  Why: ${reason}`,
    '  The electron npm package downloads its binary on first use; that download failed or is not',
    '  possible here (offline machine, no access to github.com / the Electron mirror).',
    '  To get it:',
    '    - with network access: npx install-electron   (then run npm start again), or',
    '    - point ELECTRON_OVERRIDE_DIST_PATH at a folder holding an unpacked Electron build.',
    '  The same console runs headless in a browser: npm run hub',
    '',
  ];
  console.error(lines.join('\n'));
}

function build() {
  const viteBin = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  console.error('Building (vite build)…');
  const result = spawnSync(process.execPath, [viteBin, 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`vite build failed (exit ${result.status ?? result.signal}); not starting.`);
    process.exit(result.status || 1);
  }
}

/**
 * Run a child with inherited stdio, forward SIGINT/SIGTERM to it and exit with its code.
 * @param {string} command @param {string[]} args @param {NodeJS.ProcessEnv} env
 */
function runForwarding(command, args, env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  /** @type {NodeJS.Signals[]} */
  const signals = ['SIGINT', 'SIGTERM'];
  const handlers = signals.map((signal) => {
    const handler = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler];
  });
  child.on('error', (error) => {
    console.error(`could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const [s, h] of handlers)
      process.off(/** @type {NodeJS.Signals} */ (s), /** @type {() => void} */ (h));
    if (code === null) {
      // Killed by a signal we forwarded (Ctrl+C): a normal way to stop, not an error.
      process.exit(signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
    }
    process.exit(code);
  });
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const electron = resolveElectron();

  if (!electron.ok) {
    explainMissingElectron(electron.reason);
    if (!options.fallback) process.exit(1);
  }
  if (options.build) build();

  if (electron.ok) {
    const env = { ...process.env };
    // A leftover ELECTRON_RUN_AS_NODE would start Electron as plain Node and ignore the app.
    delete env.ELECTRON_RUN_AS_NODE;
    runForwarding(electron.path, [root, ...options.passThrough], env);
    return;
  }

  const headless = join(root, 'dist', 'main', 'headless.js');
  if (!existsSync(headless)) {
    console.error(`${headless} is missing; run the build (npm run build) first.`);
    process.exit(1);
  }
  console.error('Starting the headless console instead (same as npm run hub)…\n');
  runForwarding(process.execPath, [headless, ...options.passThrough], process.env);
}

main();
