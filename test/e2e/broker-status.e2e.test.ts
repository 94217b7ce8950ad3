/**
 * The console tells the operator, in words, why it cannot reach the broker: one headless console per
 * problem (wrong password, missing vhost, unreachable host), seen in Chromium. Screenshots go to
 * test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBroker } from '../helpers/broker';
import { ROOT, startHeadlessHub } from '../helpers/processes';

const SHOTS = join(ROOT, 'test-results');
let browser: Browser;
let brokerUrl: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/headless.js')))
    throw new Error('build first: npm run build (npm test does it)');
  mkdirSync(SHOTS, { recursive: true });
  brokerUrl = await ensureBroker();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const edit = (f: (u: URL) => void) => {
  const u = new URL(brokerUrl);
  f(u);
  return u.toString();
};

describe('broker problems in the console', () => {
  it.each([
    ['wrong-password', () => edit((u) => (u.password = 'not-the-password')), /user or password/i],
    ['missing-vhost', () => edit((u) => (u.pathname = '/no-such-vhost')), /vhost/i],
    ['unreachable', () => 'amqp://guest:guest@127.0.0.1:1', /reach|refused|unreachable/i],
  ])('%s', async (name, url, words) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ac-e2e-broker-'));
    const hub = startHeadlessHub({
      CENTRALIZER_DATA_DIR: dataDir,
      CENTRALIZER_AGENT_TOKEN: 'e2e-agent-token-0123456789',
      CENTRALIZER_TOPOLOGY_PREFIX: 'e2e-broker',
      RABBITMQ_URL: url(),
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      const consoleUrl = (await hub.waitForLine(/console: (http:\/\/\S+)/))[1] as string;
      await page.goto(consoleUrl);
      const status = page.getByTestId('status-broker');
      await expect
        .poll(() => status.getAttribute('data-broker-state'), { timeout: 15_000 })
        .toBe('disconnected');
      const banner = page.getByTestId('broker-banner-text');
      await expect.poll(() => banner.innerText(), { timeout: 10_000 }).toMatch(words);
      await page.screenshot({ path: join(SHOTS, `e2e-broker-${name}.png`) });
      // The hub logs the same words, and never the password.
      expect(hub.output()).toMatch(words);
      expect(hub.output()).not.toContain('not-the-password');
    } finally {
      await page.close();
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
