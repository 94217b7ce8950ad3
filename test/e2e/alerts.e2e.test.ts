/**
 * End to end, alerting as an operator lives it: the headless console (built hub + UI), one real
 * reference agent, Debian's Chromium. A desktop channel and an agent-offline rule are made in the
 * UI (the rule is then edited in its form down to a 2 s grace period); the agent is SIGKILLed, the
 * toast, the Alerts view and the dashboard show the alert; the agent comes back and the alert
 * resolves with the resolution in its timeline. Screenshots go to test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { ROOT, startHeadlessHub, startNode, type Proc } from '../helpers/processes';

const SHOTS = join(ROOT, 'test-results');
const TOKEN = 'e2e-alerts-token-0123456789';
const AGENT_ID = 'alert-agent-1';
const PING_SEC = 1;
const GRACE_SEC = 2;

let dataDir: string;
let hub: Proc;
let agent: Proc | undefined;
let browser: Browser;
let page: Page;
let gatewayUrl: string;
let consoleUrl: string;

const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);
const agentAlert = () => page.locator(`[data-testid="alert-item"][data-subject-id="${AGENT_ID}"]`);

function startAgent(): Proc {
  return startNode(
    'dist/main/agent.js',
    [
      '--url',
      gatewayUrl,
      '--token',
      TOKEN,
      '--id',
      AGENT_ID,
      '--name',
      'Alert agent',
      '--label',
      'role=e2e',
      '--state-dir',
      join(dataDir, 'agent'),
    ],
    {},
  );
}

async function open(hash: string): Promise<void> {
  await page.goto(new URL(hash, consoleUrl).toString());
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/headless.js')))
    throw new Error('build first: npx vite build (npm test does it)');
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'ac-e2e-alerts-'));
  hub = startHeadlessHub({
    CENTRALIZER_DATA_DIR: join(dataDir, 'hub'),
    CENTRALIZER_AGENT_TOKEN: TOKEN,
    CENTRALIZER_PING_INTERVAL_SEC: String(PING_SEC),
    CENTRALIZER_METRICS_INTERVAL_SEC: '1',
  });
  gatewayUrl = (await hub.waitForLine(/gateway: (ws:\/\/\S+)/))[1] as string;
  consoleUrl = (await hub.waitForLine(/console: (http:\/\/\S+)/))[1] as string;
  agent = startAgent();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await open('#/overview');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await hub?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('alerts in the headless console', () => {
  it('makes a desktop channel and an agent-offline rule in the UI, then edits the rule', async () => {
    await byTestId('tile-online')
      .filter({ hasText: '1' })
      .waitFor({ timeout: 20_000 })
      .catch(() => undefined);

    await byTestId('nav-alerts').click();
    await byTestId('alerts-tab-channels').click();
    await byTestId('channel-new').click();
    await byTestId('channel-kind-desktop').check();
    await byTestId('channel-name').fill('Operator desktop');
    await byTestId('channel-save').click();
    const channel = byTestId('channel-item').filter({ hasText: 'Operator desktop' });
    await channel.waitFor({ timeout: 5000 });

    await byTestId('alerts-tab-rules').click();
    // The hub starts with default rules (offline after 30 s, CPU, memory…): turn them off with
    // their toggles so only this test's rule can raise anything on this busy machine.
    const defaults = byTestId('rule-item');
    await defaults.first().waitFor({ timeout: 5000 });
    for (const id of await defaults.evaluateAll((els) => els.map((e) => e.getAttribute('data-rule-id')))) {
      const item = page.locator(`[data-testid="rule-item"][data-rule-id="${id}"]`);
      await item.getByTestId('rule-toggle').uncheck();
      await page.locator(`[data-testid="rule-item"][data-rule-id="${id}"][data-enabled="false"]`).waitFor({
        timeout: 5000,
      });
    }

    await byTestId('rule-new').click();
    await byTestId('rule-name').fill('E2E agent offline');
    await byTestId('rule-kind').selectOption('agent_offline');
    // The offline kinds call their duration a grace period.
    await expect(page.getByLabel('Grace period (s)').isVisible()).resolves.toBe(true);
    await expect(byTestId('rule-threshold').count()).resolves.toBe(0);
    await page.getByLabel('Grace period (s)').fill('60');
    await page.getByRole('checkbox', { name: /Operator desktop/ }).check();
    await byTestId('rule-save').click();
    const ruleItem = byTestId('rule-item').filter({ hasText: 'E2E agent offline' });
    await ruleItem.waitFor({ timeout: 5000 });
    await expect(ruleItem.innerText()).resolves.toContain('Notifies: Operator desktop');

    // Out of range: the form says so next to the field before asking the hub.
    await ruleItem.getByTestId('rule-edit').click();
    await page.getByLabel('Grace period (s)').fill('100000');
    await byTestId('rule-save').click();
    await page.getByText('Between 0 and 86400.').waitFor({ timeout: 3000 });

    // The edit that matters: a 2 s grace period and critical severity, through the form.
    await page.getByLabel('Grace period (s)').fill(String(GRACE_SEC));
    await byTestId('rule-severity').selectOption('critical');
    await page.screenshot({ path: join(SHOTS, 'e2e-alert-rules.png') });
    await byTestId('rule-save').click();
    await expect
      .poll(() => ruleItem.innerText(), { timeout: 5000 })
      .toContain(`after a ${GRACE_SEC} sec grace period`);
    await expect(ruleItem.innerText()).resolves.toContain('Critical');
  });

  it('raises the alert when the agent is SIGKILLed: toast, Alerts view, dashboard, title', async () => {
    await open('#/alerts/active');
    await byTestId('alerts-none-firing').waitFor({ timeout: 5000 });
    const killedAt = Date.now();
    await agent?.stop('SIGKILL');
    agent = undefined;

    const toast = page
      .locator('[data-testid="toast"][data-event="alert.fired"]')
      .filter({ hasText: 'E2E agent offline' });
    await toast.waitFor({ timeout: 2 * PING_SEC * 1000 + GRACE_SEC * 1000 + 8000 });
    console.log(`[e2e] alert toast ${Date.now() - killedAt} ms after SIGKILL (grace ${GRACE_SEC} s)`);
    await expect(toast.getAttribute('role')).resolves.toBe('alert'); // critical: assertive
    await expect(toast.innerText()).resolves.toContain('Critical: E2E agent offline');
    await expect(toast.innerText()).resolves.toContain('Alert agent');
    await page.screenshot({ path: join(SHOTS, 'e2e-alert-toast.png') });

    const item = agentAlert().and(page.locator('[data-state="firing"]'));
    await item.waitFor({ timeout: 5000 });
    await expect(item.innerText()).resolves.toContain('E2E agent offline');
    await expect(page.title()).resolves.toBe('(1) Agent Centralizer');
    await expect(byTestId('nav-alerts-badge').innerText()).resolves.toBe('1');
    await item.getByTestId('alert-timeline-toggle').click();
    const types = await item
      .getByTestId('timeline-entry')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types).toEqual(expect.arrayContaining(['pending', 'fired', 'notified']));
    await toast.getByTestId('toast-dismiss').click();
    await page.screenshot({ path: join(SHOTS, 'e2e-alerts-view.png') });

    await byTestId('nav-overview').click();
    const onDashboard = page.locator('[data-testid="dashboard-alert"][data-state="firing"]');
    await onDashboard.first().waitFor({ timeout: 5000 });
    await expect(onDashboard.first().innerText()).resolves.toContain('Alert agent');
    await page.screenshot({ path: join(SHOTS, 'e2e-dashboard-alert.png') });
  });

  it('resolves the alert when the agent comes back, with the resolution in its timeline', async () => {
    await open('#/alerts/active');
    agent = startAgent();
    const resolvedToast = page
      .locator('[data-testid="toast"][data-event="alert.resolved"]')
      .filter({ hasText: 'E2E agent offline' });
    await resolvedToast.waitFor({ timeout: 20_000 });
    const item = agentAlert().and(page.locator('[data-state="resolved"]'));
    await item.waitFor({ timeout: 5000 });
    await item.getByTestId('alert-timeline-toggle').click();
    await item.locator('[data-testid="timeline-entry"][data-type="resolved"]').waitFor({ timeout: 3000 });
    await expect(page.title()).resolves.toBe('Agent Centralizer');
    await expect(byTestId('alerts-none-firing').isVisible()).resolves.toBe(true);

    // The history has it too (from the hub, not just the live store).
    await byTestId('alerts-tab-history').click();
    await byTestId('history-filter-resolved').click();
    await agentAlert().first().waitFor({ timeout: 5000 });
  });

  it('mutes the agent from its detail page and lists the mute until it is removed', async () => {
    await open(`#/agents/${AGENT_ID}`);
    const button = byTestId('mute-button');
    await button.waitFor({ timeout: 10_000 });
    await expect(button.getAttribute('data-muted')).resolves.toBe('false');
    await button.click();
    const dialog = byTestId('mute-dialog');
    await dialog.getByTestId('mute-preset-m30').click();
    await dialog.getByTestId('mute-reason').fill('e2e maintenance');
    await dialog.getByTestId('mute-save').click();
    await page.locator('[data-testid="mute-button"][data-muted="true"]').waitFor({ timeout: 5000 });
    await expect(button.innerText()).resolves.toMatch(/^Muted until /);

    await open('#/alerts/mutes');
    const listed = byTestId('mute-item').filter({ hasText: 'e2e maintenance' });
    await listed.waitFor({ timeout: 5000 });
    await expect(listed.innerText()).resolves.toContain('Agent Alert agent');
    await listed.getByTestId('mute-delete').click();
    await listed.waitFor({ state: 'detached', timeout: 5000 });
  });
});
