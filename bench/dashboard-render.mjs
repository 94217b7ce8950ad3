#!/usr/bin/env node
/**
 * Dashboard render benchmark: how long the overview takes to show a fleet of 5,000 servers in
 * Chromium, and what keeping it live costs.
 *
 *   node bench/dashboard-render.mjs [--servers 5000] [--loads 3] [--steady 15] [--no-build] [--json out.json]
 *
 * Builds (unless --no-build), starts the headless hub (its own process) and one simulator process
 * with one virtual agent per server, waits until every agent is connected and has reported metrics,
 * then opens the console in Debian's Chromium (playwright-core, /usr/bin/chromium) `--loads` times
 * from a cold page. Figures, all taken in the page:
 *
 *   - navigation → grid drawn: end of the first fleet-grid draw (performance measure
 *     `fleet-grid-first-draw`, written by components/FleetGrid.tsx) since navigation start, and the
 *     number of cells it drew;
 *   - first draw: how long that draw took (canvas fill of every cell), and a redraw after a resize
 *     (new layout, warm code) for comparison;
 *   - when the snapshot message arrived (and its size), and from there to the grid drawn (parse,
 *     store, React render, draw);
 *   - steady state, over `--steady` seconds of live metrics: every redraw's duration (the grid's
 *     `data-render-ms`), redraws per second, and main-thread long tasks (> 50 ms) per second.
 *
 * Prints a table and writes the figures as JSON (default bench/results/dashboard-render.json,
 * git-ignored). Every process it started is stopped at the end, also on failure or Ctrl+C.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { mean, percentile, printTable, ROOT, round, sleep, startHub, startSimulator, until } from './lib.mjs';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '5000' },
    loads: { type: 'string', default: '3' },
    steady: { type: 'string', default: '15' },
    build: { type: 'boolean', default: true },
    json: { type: 'string', default: join(ROOT, 'bench/results/dashboard-render.json') },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowNegative: true,
});
if (values.help) {
  console.log(
    'usage: node bench/dashboard-render.mjs [--servers N] [--loads N] [--steady SEC] [--no-build] [--json FILE]',
  );
  process.exit(0);
}
const SERVERS = Number.parseInt(values.servers, 10);
const LOADS = Number.parseInt(values.loads, 10);
const STEADY_SEC = Number(values.steady);
if (!(SERVERS > 0) || !(LOADS > 0) || !(STEADY_SEC > 0))
  throw new Error('--servers, --loads, --steady: positive numbers');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const log = (line) => console.log(`[dashboard-render] ${line}`);

/** Stopped in reverse order of start, whatever happens. */
const cleanups = [];
async function cleanup() {
  while (cleanups.length > 0) {
    const stop = cleanups.pop();
    await stop().catch((e) => console.error(`cleanup: ${e?.message ?? e}`));
  }
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

/**
 * Installed before the console's own scripts (the page's CSP does not apply to it): collects long
 * tasks from the first moment, and notes when large WebSocket messages (the fleet snapshot) arrive,
 * before the console parses them.
 */
function installProbes() {
  window.__benchLongTasks = [];
  window.__benchMessages = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.__benchLongTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const size = typeof e.data === 'string' ? e.data.length : 0;
        if (size > 100_000) window.__benchMessages.push({ at: performance.now(), bytes: size });
      });
    }
  };
}

async function oneLoad(browser, url, index) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(installProbes);
  try {
    await page.goto(url);
    await page.waitForSelector(`[data-testid="fleet-grid"][data-count="${SERVERS}"]`, { timeout: 120_000 });
    const first = await page.evaluate(() => {
      const m = performance.getEntriesByName('fleet-grid-first-draw')[0];
      const nav = performance.getEntriesByType('navigation')[0];
      return m
        ? {
            drawnAtMs: m.startTime + m.duration,
            drawMs: m.duration,
            cells: m.detail?.count ?? 0,
            domContentLoadedMs: nav?.domContentLoadedEventEnd ?? null,
            longTasksBefore: window.__benchLongTasks.filter((t) => t.start < m.startTime + m.duration),
            // Deltas arrive before the snapshot's answer too: the snapshot is the largest message.
            snapshot:
              window.__benchMessages
                .filter((x) => x.at <= m.startTime)
                .reduce((a, b) => (a && a.bytes >= b.bytes ? a : b), null) ?? null,
          }
        : null;
    });
    if (!first) throw new Error('no fleet-grid-first-draw measure in the page');
    // Fewer cells in the first draw than servers would mean the snapshot was not complete: say so.
    if (first.cells !== SERVERS) log(`load ${index}: first draw had ${first.cells} cells, not ${SERVERS}`);

    let steady;
    if (index === 0) {
      // Every redraw's duration while live metrics arrive (one per applied delta batch).
      await page.evaluate(() => {
        const grid = document.querySelector('[data-testid="fleet-grid"]');
        window.__benchDraws = [];
        window.__benchSteadyFrom = performance.now();
        new MutationObserver(() => window.__benchDraws.push(Number(grid.dataset.renderMs))).observe(grid, {
          attributes: true,
          attributeFilter: ['data-render-ms'],
        });
      });
      await sleep(STEADY_SEC * 1000);
      steady = await page.evaluate(() => ({
        draws: window.__benchDraws,
        longTasks: window.__benchLongTasks.filter((t) => t.start >= window.__benchSteadyFrom),
        seconds: (performance.now() - window.__benchSteadyFrom) / 1000,
        count: Number(document.querySelector('[data-testid="fleet-grid"]').dataset.count),
        cellPx: Number(document.querySelector('[data-testid="fleet-grid"]').dataset.cell),
      }));
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-results/bench-dashboard-5000.png') });
      // A narrower window: new layout, canvas reallocated, every cell drawn again (warm code).
      const before = await page.getAttribute('[data-testid="fleet-grid"]', 'data-cell');
      await page.setViewportSize({ width: 1000, height: 900 });
      await page.waitForFunction(
        (cell) => document.querySelector('[data-testid="fleet-grid"]').dataset.cell !== cell,
        before,
      );
      steady.resizeDrawMs = Number(await page.getAttribute('[data-testid="fleet-grid"]', 'data-render-ms'));
    }
    return { ...first, steady };
  } finally {
    await page.close();
  }
}

async function main() {
  if (values.build) {
    log('building (vite build)…');
    const built = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error('vite build failed');
  }

  const hub = await startHub({ statsMs: 1000 });
  cleanups.push(() => hub.stop());
  log(`hub up: ${hub.gatewayUrl}`);
  const simulator = startSimulator({
    url: hub.gatewayUrl,
    count: SERVERS,
    hosts: SERVERS,
    rate: 2000,
    prefix: 'dash',
  });
  cleanups.push(() => simulator.stop());

  const t0 = Date.now();
  await until(() => (hub.latest()?.connections ?? 0) >= SERVERS, 180_000, `${SERVERS} agents connected`, 500);
  log(`${SERVERS} agents connected in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // One metrics interval (5 s) so every server has figures (colors, tooltips) before the page opens.
  await sleep(6_000);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  cleanups.push(() => browser.close());

  const loads = [];
  for (let i = 0; i < LOADS; i++) {
    const load = await oneLoad(browser, hub.consoleUrl, i);
    loads.push(load);
    log(
      `load ${i + 1}/${LOADS}: grid of ${load.cells} cells drawn ${round(load.drawnAtMs, 0)} ms after navigation (draw ${round(load.drawMs, 2)} ms)`,
    );
  }
  const hubStats = hub.stats.slice(-STEADY_SEC);
  const steady = loads[0].steady;
  const seconds = steady.seconds;

  const figures = {
    servers: SERVERS,
    cellPx: steady.cellPx,
    navigationToGridMs: {
      median: round(
        percentile(
          loads.map((l) => l.drawnAtMs),
          50,
        ),
        0,
      ),
      min: round(Math.min(...loads.map((l) => l.drawnAtMs)), 0),
      max: round(Math.max(...loads.map((l) => l.drawnAtMs)), 0),
      each: loads.map((l) => round(l.drawnAtMs, 0)),
    },
    domContentLoadedMs: round(
      percentile(
        loads.map((l) => l.domContentLoadedMs ?? NaN),
        50,
      ),
      0,
    ),
    firstDrawMs: round(
      percentile(
        loads.map((l) => l.drawMs),
        50,
      ),
      2,
    ),
    resizeDrawMs: round(steady.resizeDrawMs, 2),
    snapshot: {
      arrivedMs: round(
        percentile(
          loads.map((l) => l.snapshot?.at ?? NaN),
          50,
        ),
        0,
      ),
      megabytes: round((loads[0].snapshot?.bytes ?? 0) / 1e6, 1),
      arrivalToGridMs: round(
        percentile(
          loads.map((l) => l.drawnAtMs - (l.snapshot?.at ?? NaN)),
          50,
        ),
        0,
      ),
    },
    longTasksBeforeGrid: {
      count: round(mean(loads.map((l) => l.longTasksBefore.length)), 1),
      longestMs: round(Math.max(...loads.flatMap((l) => l.longTasksBefore.map((t) => t.duration)), 0), 0),
    },
    steady: {
      seconds: round(seconds, 1),
      redraws: steady.draws.length,
      redrawsPerSec: round(steady.draws.length / seconds, 1),
      drawMs: {
        p50: round(percentile(steady.draws, 50), 2),
        p95: round(percentile(steady.draws, 95), 2),
        max: round(Math.max(...steady.draws, 0), 2),
      },
      longTasksPerSec: round(steady.longTasks.length / seconds, 2),
      longTaskMs: {
        p50: round(
          percentile(
            steady.longTasks.map((t) => t.duration),
            50,
          ),
          0,
        ),
        max: round(Math.max(...steady.longTasks.map((t) => t.duration), 0), 0),
      },
      mainThreadBusyInLongTasksPercent: round(
        (steady.longTasks.reduce((a, t) => a + t.duration, 0) / (seconds * 1000)) * 100,
        1,
      ),
    },
    hub: {
      cpuPercent: round(mean(hubStats.map((s) => s.cpuPercent)), 0),
      messagesPerSec: round(mean(hubStats.map((s) => s.messagesPerSec)), 0),
    },
  };

  printTable(`Dashboard with ${SERVERS} servers (Chromium, ${LOADS} cold loads)`, [
    { figure: 'navigation → grid drawn (median)', value: `${figures.navigationToGridMs.median} ms` },
    {
      figure: 'navigation → grid drawn (min / max)',
      value: `${figures.navigationToGridMs.min} / ${figures.navigationToGridMs.max} ms`,
    },
    { figure: 'DOMContentLoaded (median)', value: `${figures.domContentLoadedMs} ms` },
    {
      figure: 'snapshot message arrived (median)',
      value: `${figures.snapshot.arrivedMs} ms (${figures.snapshot.megabytes} MB)`,
    },
    { figure: 'snapshot arrived → grid drawn (median)', value: `${figures.snapshot.arrivalToGridMs} ms` },
    { figure: 'first grid draw (median)', value: `${figures.firstDrawMs} ms` },
    { figure: 'grid redraw after a resize', value: `${figures.resizeDrawMs} ms` },
    { figure: 'cell size', value: `${figures.cellPx} px` },
    {
      figure: 'long tasks before the grid (mean / longest)',
      value: `${figures.longTasksBeforeGrid.count} / ${figures.longTasksBeforeGrid.longestMs} ms`,
    },
    { figure: `live: redraws/s over ${figures.steady.seconds} s`, value: figures.steady.redrawsPerSec },
    {
      figure: 'live: redraw p50 / p95 / max',
      value: `${figures.steady.drawMs.p50} / ${figures.steady.drawMs.p95} / ${figures.steady.drawMs.max} ms`,
    },
    {
      figure: 'live: long tasks/s (p50 / max duration)',
      value: `${figures.steady.longTasksPerSec} (${figures.steady.longTaskMs.p50} / ${figures.steady.longTaskMs.max} ms)`,
    },
    {
      figure: 'live: main thread in long tasks',
      value: `${figures.steady.mainThreadBusyInLongTasksPercent} %`,
    },
    {
      figure: 'hub CPU (one core) / frames per s',
      value: `${figures.hub.cpuPercent} % / ${figures.hub.messagesPerSec}`,
    },
  ]);

  const machine = {
    host: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
  };
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(
    values.json,
    `${JSON.stringify({ at: new Date().toISOString(), machine, figures }, null, 2)}\n`,
  );
  log(`figures written to ${values.json}`);
}

try {
  await main();
} finally {
  await cleanup();
}
