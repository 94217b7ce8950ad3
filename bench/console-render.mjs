/**
 * Console: the headless console in Chromium with N agents (simulator), then every agent drops at
 * once (the simulator is SIGKILLed: the kernel resets all its sockets together) so the hub sends
 * batches touching thousands of agents. The page's own timings (src-renderer/state/delta-timing.ts)
 * give the store update and store + React render per batch; the heap comes from
 * performance.memory (--enable-precise-memory-info) after a GC through the DevTools protocol.
 */
import { chromium } from 'playwright-core';
import { percentile, round, sleep, startHub, startSimulator, until } from './lib.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function consoleRender({ agents = 10_000, log = console.log }) {
  const hub = await startHub({ env: { CENTRALIZER_METRICS_INTERVAL_SEC: '5' } });
  const sims = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-precise-memory-info'],
  });
  try {
    const perProcess = 5000;
    for (let i = 0; i * perProcess < agents; i++) {
      const count = Math.min(perProcess, agents - i * perProcess);
      sims.push(startSimulator({ url: hub.gatewayUrl, count, prefix: `ui${i}`, rate: 2000 }));
    }
    log(`  ${agents} agents connecting…`);
    await until(() => hub.latest()?.connections >= agents, 120_000, `${agents} connections`, 250);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const client = await page.context().newCDPSession(page);
    const loadStarted = Date.now();
    await page.goto(`${hub.consoleUrl}#/agents`);
    await page.getByTestId('status-bar').waitFor({ timeout: 60_000 });
    await page.waitForFunction((n) => document.body.innerText.includes(n.toLocaleString('en')), agents, {
      timeout: 60_000,
    });
    const loadMs = Date.now() - loadStarted;
    await sleep(6000); // a metrics round: steady state
    const heap = async () => {
      await client.send('HeapProfiler.collectGarbage');
      return page.evaluate(() => performance.memory.usedJSHeapSize);
    };
    const heapOnline = await heap();
    const before = await page.evaluate(() => window.__centralizerDeltaTimings().length);
    log(`  console loaded in ${loadMs} ms; dropping all ${agents} agents at once…`);
    await Promise.all(sims.map((s) => s.proc.kill('SIGKILL')));
    await until(() => hub.latest()?.connections === 0, 30_000, 'the hub to see every agent gone', 100);
    // Then until the page has taken in everything: no new batch for a second.
    let count = -1;
    await until(
      async () => {
        const now = await page.evaluate(() => window.__centralizerDeltaTimings().length);
        const settled = now === count;
        count = now;
        return settled;
      },
      30_000,
      'the page to settle',
      1000,
    );
    const timings = (await page.evaluate(() => window.__centralizerDeltaTimings())).slice(before);
    const big = timings.filter((t) => t.agents >= 1000);
    const largest = timings.reduce((a, b) => (b.agents > a.agents ? b : a), timings[0]);
    const heapAfter = await heap();
    await page.screenshot({ path: 'test-results/bench-console-10k.png' });
    return [
      {
        agents,
        'load ms': loadMs,
        batches: timings.length,
        'largest batch': largest.agents,
        'largest build ms': round(largest.buildMs, 2),
        'largest store ms': round(largest.storeMs, 2),
        'p99 store ms (≥1k)': round(
          percentile(
            big.map((t) => t.storeMs),
            99,
          ),
          2,
        ),
        'largest render ms': round(largest.renderMs, 2),
        'p99 render ms (≥1k)': round(
          percentile(
            big.map((t) => t.renderMs),
            99,
          ),
          2,
        ),
        'heap MB online': round(heapOnline / 1024 ** 2),
        'heap MB after': round(heapAfter / 1024 ** 2),
      },
    ];
  } finally {
    await browser.close();
    await Promise.all(sims.map((s) => s.stop()));
    await hub.stop();
  }
}
