/**
 * Monitoring views end to end: the headless console (built hub + UI) with a real reference agent
 * and 20 simulated servers, in Debian's Chromium. Metrics every second, so the 1 h history has 1-s
 * buckets and the chart fills quickly. Screenshots go to test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { ROOT, startHeadlessHub, startNode, type Proc } from '../helpers/processes';

const SHOTS = join(ROOT, 'test-results');
const TOKEN = 'e2e-monitoring-token-0123456789';
const AGENT_ID = 'e2e-mon-agent';
const SIMULATED = 20;

let dataDir: string;
let hub: Proc;
let agent: Proc;
let simulator: Proc;
let browser: Browser;
let page: Page;

const attr = async (selector: string, name: string): Promise<string | null> =>
  page
    .locator(selector)
    .first()
    .getAttribute(name, { timeout: 1000 })
    .catch(() => null);

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/headless.js')))
    throw new Error('build first: npm run build (npm test does it)');
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'ac-e2e-mon-'));
  hub = startHeadlessHub({
    CENTRALIZER_DATA_DIR: dataDir,
    CENTRALIZER_AGENT_TOKEN: TOKEN,
    CENTRALIZER_PING_INTERVAL_SEC: '2',
    CENTRALIZER_METRICS_INTERVAL_SEC: '1',
  });
  const gatewayUrl = (await hub.waitForLine(/gateway: (ws:\/\/\S+)/))[1] as string;
  const consoleUrl = (await hub.waitForLine(/console: (http:\/\/\S+)/))[1] as string;
  agent = startNode(
    'dist/main/agent.js',
    [
      '--url',
      gatewayUrl,
      '--token',
      TOKEN,
      '--id',
      AGENT_ID,
      '--name',
      'Monitoring agent',
      '--state-dir',
      join(dataDir, 'agent'),
    ],
    {},
  );
  simulator = startNode(
    'dist/main/simulator.js',
    [
      '--url',
      gatewayUrl,
      '--token',
      TOKEN,
      '--count',
      String(SIMULATED),
      '--hosts',
      String(SIMULATED),
      '--prefix',
      'e2e-sim',
    ],
    {},
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(consoleUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([agent?.stop(), simulator?.stop()]);
  await hub?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('monitoring views in Chromium', () => {
  it('charts the real agent server’s history as it arrives, in both themes and both ranges', async () => {
    await page.goto(page.url().replace(/#.*$/, '') + `#/agents/${AGENT_ID}`);
    const serverLink = page.getByTestId('agent-detail').locator('a[href^="#/servers/"]').first();
    await serverLink.waitFor({ timeout: 20_000 });
    await serverLink.click();
    await page.getByTestId('server-detail').waitFor();

    const card = '[data-testid="metrics-history"]';
    // Several 1-s buckets with a value: the hub's answer plus the live samples added since.
    await expect
      .poll(async () => Number((await attr(card, 'data-points')) ?? 0), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(5);
    await expect(attr(card, 'data-step-ms')).resolves.toBe('1000');
    await expect(attr(card, 'data-state')).resolves.toBe('ready');
    for (const chart of ['cpu', 'load', 'memory', 'disks', 'network']) {
      await expect(page.locator(`[data-testid="chart-${chart}"] canvas`).count()).resolves.toBeGreaterThan(0);
    }
    // It keeps moving while open (live samples between fetches).
    const before = Number(await attr(card, 'data-points'));
    await expect
      .poll(async () => Number((await attr(card, 'data-points')) ?? 0), { timeout: 10_000 })
      .toBeGreaterThan(before);

    const history = page.locator(card);
    await history.scrollIntoViewIfNeeded();
    await history.screenshot({ path: join(SHOTS, 'e2e-server-chart.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    await history.screenshot({ path: join(SHOTS, 'e2e-server-chart-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByTestId('history-range').getByRole('button', { name: '24 h' }).click();
    await expect.poll(() => attr(card, 'data-range')).toBe('24h');
    await expect.poll(() => attr(card, 'data-step-ms'), { timeout: 10_000 }).toBe('300000');
    await expect.poll(() => attr(card, 'data-state'), { timeout: 10_000 }).toBe('ready');

    // Presence history: the server has been up since the agent connected.
    const presence = '[data-testid="presence-history"]';
    await expect.poll(() => attr(presence, 'data-state'), { timeout: 10_000 }).toBe('ready');
    await expect(
      page.getByTestId('presence-timeline').locator('[data-state="online"]').count(),
    ).resolves.toBeGreaterThan(0);
    await page.locator(presence).scrollIntoViewIfNeeded();
    await page.locator(presence).screenshot({ path: join(SHOTS, 'e2e-presence-timeline.png') });
  });

  it('shows every server in the dashboard fleet grid and CPU sparklines in the servers list', async () => {
    const total = SIMULATED + 1;
    await page.getByTestId('nav-overview').click();
    const grid = '[data-testid="fleet-grid"]';
    await expect.poll(() => attr(grid, 'data-count'), { timeout: 30_000 }).toBe(String(total));
    const renderMs = Number(await attr(grid, 'data-render-ms'));
    expect(renderMs).toBeGreaterThanOrEqual(0);
    console.log(`[e2e] fleet grid of ${total} servers drawn in ${renderMs} ms`);
    // All up: green, or amber where a simulated server runs above 90 %.
    const legend = async (health: string) =>
      Number(await attr(`[data-testid="fleet-legend"] [data-health="${health}"]`, 'data-count'));
    await expect.poll(async () => (await legend('ok')) + (await legend('hot'))).toBe(total);

    await page.locator('main').evaluate((main) => main.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'e2e-dashboard-grid.png') });

    // Hovering a cell tells which server it is; clicking it opens that server.
    const box = await page.locator(`${grid} canvas`).boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.move((box?.x ?? 0) + 5, (box?.y ?? 0) + 5);
    await expect(page.getByTestId('fleet-grid-tooltip').innerText()).resolves.toMatch(/\S/);
    await page.mouse.click((box?.x ?? 0) + 5, (box?.y ?? 0) + 5);
    await page.getByTestId('server-detail').waitFor();

    await page.getByTestId('nav-servers').click();
    await expect
      .poll(() => page.locator('[data-testid="server-row"] [data-testid="sparkline"]').count(), {
        timeout: 40_000,
      })
      .toBeGreaterThan(0);
  });
});
