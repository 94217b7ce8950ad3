/**
 * End to end, as an operator sees it: the headless console (built hub + UI), three real agent
 * processes, and Debian's Chromium driven by playwright-core. Screenshots go to test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startHeadlessHub, startNode, type Proc } from '../helpers/processes';

const SHOTS = join(ROOT, 'test-results');
const TOKEN = 'e2e-agent-token-0123456789';
const PING_SEC = 2;

let dataDir: string;
let hub: Proc;
let agents: Proc[] = [];
let browser: Browser;
let page: Page;
let gatewayUrl: string;

const row = (id: string) => page.locator(`[data-testid="agent-row"][data-agent-id="${id}"]`);

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/headless.js')))
    throw new Error('build first: npm run build (npm test does it)');
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'ac-e2e-'));
  hub = startHeadlessHub({
    CENTRALIZER_DATA_DIR: dataDir,
    CENTRALIZER_AGENT_TOKEN: TOKEN,
    CENTRALIZER_PING_INTERVAL_SEC: String(PING_SEC),
    CENTRALIZER_METRICS_INTERVAL_SEC: '1',
  });
  gatewayUrl = (await hub.waitForLine(/gateway: (ws:\/\/\S+)/))[1] as string;
  const consoleUrl = (await hub.waitForLine(/console: (http:\/\/\S+)/))[1] as string;
  agents = [1, 2, 3].map((n) =>
    startNode(
      'dist/main/agent.js',
      [
        '--url',
        gatewayUrl,
        '--token',
        TOKEN,
        '--id',
        `e2e-agent-${n}`,
        '--name',
        `E2E agent ${n}`,
        '--label',
        `slot=${n}`,
        '--state-dir',
        join(dataDir, `agent-${n}`),
      ],
      {},
    ),
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(consoleUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(agents.map((a) => a.stop()));
  await hub?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('headless console with real agents in Chromium', () => {
  it('shows the three agents online with their metrics', async () => {
    await expect
      .poll(() => page.locator('[data-testid="tile-online"]').innerText(), { timeout: 20_000 })
      .toContain('3');
    await page
      .getByRole('link', { name: /agents/i })
      .first()
      .click();
    for (const n of [1, 2, 3]) {
      await row(`e2e-agent-${n}`).and(page.locator('[data-presence="online"]')).waitFor({ timeout: 20_000 });
    }
    // Real metrics arrived: the CPU column shows a percentage for every row.
    await expect
      .poll(async () => (await row('e2e-agent-1').innerText()).match(/\d+(\.\d+)?\s?%/g)?.length ?? 0, {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(2);
    await expect(page.getByTestId('status-bar').innerText()).resolves.toMatch(/127\.0\.0\.1/);
    await page.screenshot({ path: join(SHOTS, 'e2e-agents-online.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'e2e-agents-online-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows an agent killed with SIGKILL as offline within the ping timeout', async () => {
    const started = Date.now();
    await agents[0]?.stop('SIGKILL');
    await row('e2e-agent-1')
      .and(page.locator('[data-presence="offline"]'))
      .waitFor({ timeout: 2 * PING_SEC * 1000 + 2000 });
    const elapsed = Date.now() - started;
    console.log(`[e2e] SIGKILLed agent shown offline after ${elapsed} ms (ping interval ${PING_SEC} s)`);
    expect(elapsed).toBeLessThanOrEqual(2 * PING_SEC * 1000 + 2000);
    await expect(row('e2e-agent-2').getAttribute('data-presence')).resolves.toBe('online');
    await page.screenshot({ path: join(SHOTS, 'e2e-agent-killed.png') });
  });

  it('shows a cleanly stopped agent as offline within a second', async () => {
    const started = Date.now();
    await agents[1]?.stop('SIGTERM');
    await row('e2e-agent-2').and(page.locator('[data-presence="offline"]')).waitFor({ timeout: 3000 });
    console.log(`[e2e] cleanly stopped agent shown offline after ${Date.now() - started} ms`);
    await row('e2e-agent-3').click();
    await page
      .getByText(/disconnected/i)
      .first()
      .waitFor({ timeout: 5000 })
      .catch(() => undefined);
    await page.screenshot({ path: join(SHOTS, 'e2e-agent-detail.png') });
    await page
      .getByRole('link', { name: /overview/i })
      .first()
      .click();
    await expect
      .poll(() => page.locator('[data-testid="tile-offline"]').innerText(), { timeout: 5000 })
      .toContain('2');
    await page.screenshot({ path: join(SHOTS, 'e2e-overview.png') });
  });
});
