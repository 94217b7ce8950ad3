/**
 * End to end, configuration management as an operator does it: the headless console (built hub +
 * UI, no broker: configurations travel over the agents' WebSocket), one real reference agent (it
 * declares its JSON Schema in hello) and 50 simulated agents, driven in Debian's Chromium with
 * playwright-core. Screenshots go to test-results/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { ROOT, startHeadlessHub, startNode, type Proc } from '../helpers/processes';

const SHOTS = join(ROOT, 'test-results');
const TOKEN = 'e2e-config-token-0123456789';
const AGENT_ID = 'cfg-agent-1';
const BULK_COUNT = 50;
const BULK_REJECT = 3;

let dataDir: string;
let configFile: string;
let hub: Proc;
let agent: Proc;
let simulator: Proc | undefined;
let browser: Browser;
let page: Page;
let gatewayUrl: string;
let consoleUrl: string;

const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);

function readAgentConfig(): unknown {
  try {
    return JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    return null;
  }
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/headless.js')))
    throw new Error('build first: npx vite build (npm test does it)');
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'ac-e2e-config-'));
  configFile = join(dataDir, 'agent-config.json');
  hub = startHeadlessHub({
    CENTRALIZER_DATA_DIR: join(dataDir, 'hub'),
    CENTRALIZER_AGENT_TOKEN: TOKEN,
    CENTRALIZER_PING_INTERVAL_SEC: '5',
    CENTRALIZER_METRICS_INTERVAL_SEC: '2',
  });
  gatewayUrl = (await hub.waitForLine(/gateway: (ws:\/\/\S+)/))[1] as string;
  consoleUrl = (await hub.waitForLine(/console: (http:\/\/\S+)/))[1] as string;
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
      'Config agent',
      '--state-dir',
      join(dataDir, 'agent'),
      '--config-file',
      configFile,
    ],
    {},
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const url = new URL(consoleUrl);
  url.hash = `#/agents/${AGENT_ID}`;
  await page.goto(url.toString());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await simulator?.stop();
  await agent?.stop();
  await hub?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('configuration editor with a real agent in Chromium', () => {
  let appliedRevision = 0;

  it('sets a value in the schema form, sends it, and follows it to "applied"', async () => {
    await page.locator('[data-testid="agent-detail"]').waitFor({ timeout: 20_000 });
    // The agent declared its schema: the form is generated from it.
    const logLevel = page.locator('select[data-field="/logLevel"]');
    await logLevel.waitFor({ timeout: 20_000 });
    await logLevel.selectOption('debug');
    await byTestId('validation-ok').waitFor({ timeout: 10_000 });
    await byTestId('config-card').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'config-form.png') });

    await byTestId('config-review').click();
    await page.locator('[data-testid="diff-row"][data-path="/logLevel"]').waitFor();

    await byTestId('config-send').click();
    const status = page.locator('[data-testid="config-status"][data-config-state="applied"]');
    await status.waitFor({ timeout: 15_000 });
    appliedRevision = Number(await status.getAttribute('data-revision'));
    expect(appliedRevision).toBeGreaterThan(0);
    await expect(status.innerText()).resolves.toContain(`Revision ${appliedRevision} applied`);
    // The ledger (refetched as the agent changed) shows it applied, and the badge says in sync.
    await page
      .locator(`[data-testid="ledger-row"][data-revision="${appliedRevision}"][data-state="applied"]`)
      .waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="config-badge"][data-config-status="in_sync"]').first().waitFor();
    await expect
      .poll(() => JSON.stringify(readAgentConfig()), { timeout: 10_000 })
      .toContain('"logLevel":"debug"');
    await byTestId('config-card').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'config-applied.png') });
  });

  it('shows an invalid value inline and sends nothing', async () => {
    const ledgerRows = await page.locator('[data-testid="ledger-row"]').count();
    await byTestId('config-tab-json').click();
    const editor = byTestId('config-editor');
    await editor.fill('{\n  "logLevel": "verbose"\n}');
    const list = byTestId('validation-errors');
    await list.waitFor({ timeout: 10_000 });
    await expect(list.innerText()).resolves.toContain('/logLevel');
    await expect(byTestId('config-send').isDisabled()).resolves.toBe(true);
    // Submitting anyway (Enter in a field, a forced click) sends nothing.
    await byTestId('config-send').click({ force: true });
    // Back in the form: the error sits next to the field.
    await byTestId('config-tab-form').click();
    const inline = page.locator('[data-testid="field-error"][data-pointer="/logLevel"]');
    await inline.waitFor();
    await expect(page.locator('select[data-field="/logLevel"]').getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
    await byTestId('config-card').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'config-invalid.png') });

    // A JSON syntax error is located by line and column.
    await byTestId('config-tab-json').click();
    await byTestId('config-editor').fill('{\n  "logLevel": "info",\n}');
    await expect(byTestId('config-error').innerText()).resolves.toMatch(/line 3, column 1/);

    // Nothing was sent: same desired revision, same ledger.
    await expect(byTestId('config-desired-revision').innerText()).resolves.toBe(String(appliedRevision));
    await expect(page.locator('[data-testid="ledger-row"]').count()).resolves.toBe(ledgerRows);
    expect(JSON.stringify(readAgentConfig())).toContain('"logLevel":"debug"');
  });
});

describe('bulk change to 50 simulated agents', () => {
  it('applies a merge patch, shows 47 of 50 applied with 3 failures, and retries them', async () => {
    const help = spawnSync(process.execPath, [join(ROOT, 'dist/main/simulator.js'), '--help'], {
      encoding: 'utf8',
    }).stdout;
    const canLabel = help.includes('--label');
    simulator = startNode(
      'dist/main/simulator.js',
      [
        '--url',
        gatewayUrl,
        '--token',
        TOKEN,
        '--count',
        String(BULK_COUNT),
        '--reject',
        String(BULK_REJECT),
        '--prefix',
        'bulk',
        '--schema',
        ...(canLabel ? ['--label', 'fleet=bulk'] : []),
      ],
      {},
    );
    await page.goto(new URL('#/bulk', consoleUrl).toString());
    await byTestId('bulk-view').waitFor();
    await byTestId('bulk-mode-filter').click();
    if (canLabel) {
      await page.locator('[data-testid="label-key"]').first().fill('fleet');
      await page.locator('[data-testid="label-value"]').first().fill('bulk');
    } else {
      // This simulator has no --label: its agents' ids start with the prefix.
      await byTestId('bulk-search').fill('bulk-');
    }
    await expect
      .poll(() => byTestId('bulk-match-count').innerText(), { timeout: 20_000 })
      .toBe(`${BULK_COUNT} agents match`);
    await byTestId('bulk-patch').fill('{ "logLevel": "warn" }');
    await byTestId('bulk-apply').click();

    const headline = page.locator('[data-testid="bulk-current"] [data-testid="bulk-progress-headline"]');
    await expect
      .poll(() => headline.innerText(), { timeout: 20_000 })
      .toBe(`${BULK_COUNT - BULK_REJECT} of ${BULK_COUNT} applied`);
    const failures = page.locator('[data-testid="bulk-current"] [data-testid="bulk-failure"]');
    await expect.poll(() => failures.count(), { timeout: 10_000 }).toBe(BULK_REJECT);
    const firstFailure = await failures.first().innerText();
    expect(firstFailure).toContain('refuses configurations');
    const revisionsBefore = await failures.evaluateAll((rows) =>
      rows.map((r) => Number(r.querySelectorAll('td')[1]?.textContent)),
    );
    await page
      .locator('[data-testid="bulk-current"] [data-testid="bulk-progress"][data-done="true"]')
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'bulk-progress.png') });

    // Retry: the three get new revisions (and, as --reject agents, refuse them again).
    await byTestId('bulk-retry').click();
    await expect
      .poll(
        async () => {
          const revs = await failures.evaluateAll((rows) =>
            rows.map((r) => Number(r.querySelectorAll('td')[1]?.textContent)),
          );
          return (
            revs.length === BULK_REJECT && revs.every((rev, i) => rev > (revisionsBefore[i] ?? Infinity))
          );
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await expect(headline.innerText()).resolves.toBe(`${BULK_COUNT - BULK_REJECT} of ${BULK_COUNT} applied`);
    await expect(failures.count()).resolves.toBe(BULK_REJECT);
    await page.locator('[data-testid="bulk-recent-item"]').first().waitFor();
  });

  it('lists the changes in the audit log and exports them', async () => {
    await page.goto(new URL('#/audit', consoleUrl).toString());
    await byTestId('audit-view').waitFor();
    await page
      .locator('[data-testid="audit-row"][data-action="bulk.apply"]')
      .first()
      .waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="audit-row"][data-action="config.set"]').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      byTestId('audit-export-csv').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    await page.screenshot({ path: join(SHOTS, 'audit.png') });
  });
});
