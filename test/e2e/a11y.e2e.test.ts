/**
 * Accessibility, end to end: the headless console (built hub + UI) with three real reference agents on
 * a real broker (so lists, details, jobs, an offline agent and firing alerts exist), in Debian's
 * Chromium. axe-core runs on every main screen in the light and the dark theme and the test fails on
 * any `serious` or `critical` violation, printing each one (rule, impact, targets, help) so a failure
 * says what to fix; minor and moderate findings are printed as a summary. A second part walks the
 * console with the keyboard only and checks that focus is visible on what it reaches.
 *
 * axe is injected with `page.evaluate(axe.source)` (DevTools' Runtime.evaluate), which the page's
 * strict CSP (`script-src 'self'`) does not govern, so the console is checked under its real CSP
 * rather than with `bypassCSP`; a `<script>` tag with the same source is refused by that CSP, as
 * the first test shows.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBroker, stopBroker } from '../helpers/broker';
import { launchChromium } from '../helpers/browser';
import { ROOT, startHeadlessHub, startNode, type Proc } from '../helpers/processes';

const SHOTS = join(ROOT, 'test-results');
const TOKEN = 'e2e-a11y-token-0123456789';
const PREFIX = `a11y-${process.pid}`;
const AGENTS = ['a11y-agent-1', 'a11y-agent-2', 'a11y-agent-3'];
const OFFLINE_AGENT = AGENTS[2] as string;
/** Connects once approval mode is on: listed as waiting for approval. */
const PENDING_AGENT = 'a11y-agent-new';

let dataDir: string;
let brokerUrl: string;
let hub: Proc;
let agents: Proc[] = [];
let browser: Browser;
let page: Page;
let consoleUrl: string;
let gatewayUrl: string;
let serverId = '';

const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);

function startAgent(id: string, n: number): Proc {
  return startNode(
    'dist/main/agent.js',
    [
      '--url',
      gatewayUrl,
      '--token',
      TOKEN,
      '--id',
      id,
      '--name',
      `A11y agent ${n}`,
      '--label',
      `slot=${n}`,
      '--state-dir',
      join(dataDir, id),
      '--amqp-url',
      brokerUrl,
      '--topology-prefix',
      PREFIX,
    ],
    {},
  );
}

/** `agent run` one short command as a job on the broker; resolves with its exit status. */
async function runJob(agentId: string, name: string, code: number): Promise<number | null> {
  const job = startNode(
    'dist/main/agent.js',
    [
      'run',
      '--id',
      agentId,
      '--name',
      name,
      '--amqp-url',
      brokerUrl,
      '--topology-prefix',
      PREFIX,
      '--',
      process.execPath,
      '-e',
      `process.exit(${code})`,
    ],
    {},
  );
  return new Promise((resolve) => job.child.once('exit', (c) => resolve(c)));
}

/** Alerting settings written before the hub starts: short grace periods so the alerts fire in seconds. */
function writeAlertSettings(dir: string): void {
  const base = { enabled: true, hysteresis: 5, selector: {}, channels: ['desktop'] };
  writeFileSync(
    join(dir, 'alert-settings.json'),
    JSON.stringify({
      version: 1,
      rules: [
        {
          ...base,
          id: 'agent-offline',
          name: 'Agent offline',
          kind: 'agent_offline',
          severity: 'critical',
          forSec: 1,
        },
        { ...base, id: 'job-failed', name: 'Job failed', kind: 'job_failed', severity: 'warning', forSec: 0 },
        {
          ...base,
          id: 'cpu-high',
          name: 'CPU above 90 %',
          kind: 'cpu',
          severity: 'warning',
          threshold: 90,
          forSec: 60,
        },
      ],
      channels: [{ id: 'desktop', kind: 'desktop', name: 'Desktop', enabled: true }],
      mutes: [],
    }),
  );
}

async function go(hash: string): Promise<void> {
  // Same page, new address: no reload, like a click on a link.
  await page.evaluate((h) => (location.hash = h), hash);
}

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

async function runAxe(): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const result = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run(context: Document, options: object): Promise<{ violations: unknown[] }> };
    };
    return w.axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations as AxeViolation[];
}

const minorSummary = new Map<string, { impact: string; help: string; where: Set<string> }>();

function report(where: string, violations: AxeViolation[]): AxeViolation[] {
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of serious) {
    console.log(`[a11y] ${where}: ${v.impact} ${v.id} — ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes.slice(0, 8)) {
      console.log(
        `         ${JSON.stringify(node.target)}: ${(node.failureSummary ?? '').replace(/\s+/g, ' ')}`,
      );
    }
    if (v.nodes.length > 8) console.log(`         … and ${v.nodes.length - 8} more`);
  }
  for (const v of violations) {
    if (serious.includes(v)) continue;
    const entry = minorSummary.get(v.id) ?? { impact: v.impact ?? 'minor', help: v.help, where: new Set() };
    entry.where.add(
      `${where} (${v.nodes.length}: ${v.nodes
        .map((n) => JSON.stringify(n.target))
        .join(' ')
        .slice(0, 120)})`,
    );
    minorSummary.set(v.id, entry);
  }
  return serious;
}

interface Screen {
  name: string;
  hash: string;
  /** What shows that the screen has its data. */
  ready: () => Locator;
  /** Extra steps after it is ready (open a tab, a form, a dialog). */
  then?: () => Promise<void>;
}

const SCREENS: Screen[] = [
  { name: 'overview', hash: '#/overview', ready: () => byTestId('dashboard-alert').first() },
  {
    name: 'agents',
    hash: '#/agents',
    ready: () =>
      page.locator(`[data-testid="agent-row"][data-agent-id="${OFFLINE_AGENT}"][data-presence="offline"]`),
    // The agent waiting for approval, with Accept / Reject, above the table.
    then: () => byTestId(`pending-${PENDING_AGENT}`).waitFor({ timeout: 10_000 }),
  },
  {
    name: 'agent detail',
    hash: `#/agents/${AGENTS[0]}`,
    ready: () => byTestId('agent-detail').locator('[data-testid="config-card"]'),
  },
  {
    name: 'config editor (JSON)',
    hash: `#/agents/${AGENTS[0]}`,
    ready: () => byTestId('config-tab-json'),
    then: async () => {
      await byTestId('config-tab-json').click();
      await byTestId('config-review').click();
      await byTestId('config-review-panel').waitFor({ timeout: 5000 });
    },
  },
  {
    name: 'config editor (form)',
    hash: `#/agents/${AGENTS[0]}`,
    ready: () => byTestId('config-tab-form'),
    then: () => byTestId('config-tab-form').click(),
  },
  {
    name: 'mute dialog',
    hash: `#/agents/${AGENTS[0]}`,
    ready: () => byTestId('mute-button'),
    then: async () => {
      await byTestId('mute-button').click();
      await byTestId('mute-dialog').waitFor({ timeout: 5000 });
    },
  },
  {
    name: 'revoke dialog',
    hash: `#/agents/${AGENTS[0]}`,
    ready: () => byTestId('revoke-agent'),
    then: async () => {
      await byTestId('revoke-agent').click();
      await byTestId('revoke-confirm').waitFor({ timeout: 5000 });
    },
  },
  { name: 'servers', hash: '#/servers', ready: () => byTestId('server-row').first() },
  { name: 'server detail', hash: '#/servers/', ready: () => byTestId('server-detail') },
  { name: 'jobs (recent)', hash: '#/jobs/recent', ready: () => byTestId('job-row').first() },
  { name: 'jobs (running)', hash: '#/jobs/running', ready: () => byTestId('jobs-view') },
  { name: 'jobs (failed)', hash: '#/jobs/failed', ready: () => byTestId('job-row').first() },
  { name: 'alerts (active)', hash: '#/alerts/active', ready: () => byTestId('alert-item').first() },
  { name: 'alerts (history)', hash: '#/alerts/history', ready: () => byTestId('alert-item').first() },
  { name: 'alerts (rules)', hash: '#/alerts/rules', ready: () => byTestId('rule-item').first() },
  {
    name: 'alerts (rule form)',
    hash: '#/alerts/rules',
    ready: () => byTestId('rule-new'),
    then: async () => {
      await byTestId('rule-new').click();
      await byTestId('rule-name').waitFor({ timeout: 5000 });
    },
  },
  { name: 'alerts (channels)', hash: '#/alerts/channels', ready: () => byTestId('channel-item').first() },
  { name: 'alerts (mutes)', hash: '#/alerts/mutes', ready: () => byTestId('alerts-view') },
  { name: 'alerts (deliveries)', hash: '#/alerts/deliveries', ready: () => byTestId('alerts-view') },
  { name: 'profiles', hash: '#/profiles', ready: () => byTestId('profiles-view') },
  { name: 'bulk', hash: '#/bulk', ready: () => byTestId('bulk-view') },
  { name: 'audit', hash: '#/audit', ready: () => byTestId('audit-view') },
  { name: 'settings', hash: '#/settings', ready: () => byTestId('settings-view') },
  {
    name: 'connect dialog',
    hash: '#/overview',
    ready: () => byTestId('open-connect'),
    then: async () => {
      await byTestId('open-connect').click();
      await page.locator('dialog[open]').waitFor({ timeout: 5000 });
    },
  },
];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/headless.js')))
    throw new Error('build first: npx vite build (npm test does it)');
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'ac-e2e-a11y-'));
  mkdirSync(join(dataDir, 'hub'));
  writeAlertSettings(join(dataDir, 'hub'));
  brokerUrl = await ensureBroker();
  hub = startHeadlessHub({
    CENTRALIZER_DATA_DIR: join(dataDir, 'hub'),
    CENTRALIZER_AGENT_TOKEN: TOKEN,
    CENTRALIZER_PING_INTERVAL_SEC: '1',
    CENTRALIZER_METRICS_INTERVAL_SEC: '1',
    CENTRALIZER_TOPOLOGY_PREFIX: PREFIX,
    RABBITMQ_URL: brokerUrl,
  });
  gatewayUrl = (await hub.waitForLine(/gateway: (ws:\/\/\S+)/))[1] as string;
  consoleUrl = (await hub.waitForLine(/console: (http:\/\/\S+)/))[1] as string;
  agents = AGENTS.map((id, i) => startAgent(id, i + 1));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(new URL('#/agents', consoleUrl).toString());
  for (const id of AGENTS)
    await page
      .locator(`[data-testid="agent-row"][data-agent-id="${id}"][data-presence="online"]`)
      .waitFor({ timeout: 30_000 });

  // A finished and a failed job (the failure raises the job-failed alert).
  await page
    .locator('[data-testid="status-broker"][data-broker-state="connected"]')
    .waitFor({ timeout: 20_000 });
  expect(await runJob(AGENTS[0] as string, 'a11y backup', 0)).toBe(0);
  expect(await runJob(AGENTS[1] as string, 'a11y migration', 3)).toBe(3);
  // An agent gone: offline in the lists, and a critical alert after its 1 s grace period.
  await agents[2]?.stop('SIGKILL');
  await go('#/alerts/active');
  await page
    .locator(`[data-testid="alert-item"][data-subject-id="${OFFLINE_AGENT}"][data-state="firing"]`)
    .waitFor({ timeout: 20_000 });
  // Approval mode on, then a new agent: it waits above the agents table with Accept / Reject.
  await go('#/settings');
  // Controlled by the hub's answer: click, then wait for it to be checked.
  await page.getByTestId('approval-mode').click();
  await page.locator('[data-testid="approval-mode"]:checked:not([disabled])').waitFor({ timeout: 10_000 });
  agents.push(startAgent(PENDING_AGENT, 4));
  await go('#/agents');
  await page.getByTestId(`pending-${PENDING_AGENT}`).waitFor({ timeout: 20_000 });
  await go(`#/agents/${AGENTS[0]}`);
  const href = await page.locator('a[href^="#/servers/"]').first().getAttribute('href', { timeout: 10_000 });
  serverId = decodeURIComponent(href?.replace('#/servers/', '') ?? '');
}, 120_000);

afterAll(async () => {
  const minor = [...minorSummary.entries()];
  console.log(`[a11y] minor/moderate findings (not failing): ${minor.length === 0 ? 'none' : ''}`);
  for (const [id, e] of minor)
    console.log(`[a11y]   ${e.impact} ${id} — ${e.help}: ${[...e.where].join(', ')}`);
  await browser?.close();
  await Promise.all(agents.map((a) => a.stop()));
  await hub?.stop();
  await stopBroker();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('axe-core on the main screens', () => {
  it('is refused as an inline <script> by the console CSP, so it is injected through DevTools', async () => {
    const blocked = await page
      .addScriptTag({ content: 'window.__inlineRan = true;' })
      .then(() => false)
      .catch(() => true);
    expect(blocked || !(await page.evaluate(() => '__inlineRan' in window))).toBe(true);
    await page.evaluate(axe.source);
    await expect(page.evaluate(() => typeof (window as unknown as { axe?: object }).axe)).resolves.toBe(
      'object',
    );
  });

  // Both themes in English; Portuguese once more in the light theme, since accessible names change
  // with the language (e.g. a button's name has to contain its visible, translated text).
  const passes = [
    { theme: 'light', language: 'en' },
    { theme: 'dark', language: 'en' },
    { theme: 'light', language: 'pt-BR' },
  ] as const;
  for (const { theme, language } of passes) {
    describe(`${theme} theme, ${language}`, () => {
      beforeAll(async () => {
        const current = await page.evaluate(() => document.documentElement.lang);
        if (current === language) return;
        // The language switch in Settings keeps its choice in localStorage; a reload applies it.
        await page.evaluate((l) => localStorage.setItem('centralizer.language', l), language);
        await page.reload();
        await page.waitForFunction((l) => document.documentElement.lang === l, language, { timeout: 15_000 });
      });
      for (const screen of SCREENS) {
        it(`${screen.name}: no serious or critical violation`, async () => {
          // Reduced motion: no toast fading in while axe reads colours (half-transparent text would
          // fail contrast for a moment, and the verdict would depend on timing).
          await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
          // Start each screen from a clean slate: no dialog or form left open by the previous one.
          await page.keyboard.press('Escape');
          await go('#/');
          await go(screen.hash === '#/servers/' ? `#/servers/${encodeURIComponent(serverId)}` : screen.hash);
          await screen.ready().waitFor({ timeout: 15_000 });
          await screen.then?.();
          // Let transitions and the first chart paint settle (colour contrast reads computed styles).
          await page.waitForTimeout(400);
          const serious = report(`${screen.name} [${theme}, ${language}]`, await runAxe());
          if (serious.length > 0) {
            await page.screenshot({
              path: join(SHOTS, `a11y-${screen.name.replace(/\W+/g, '-')}-${theme}-${language}.png`),
            });
          }
          expect(serious.map((v) => `${v.impact} ${v.id}: ${v.nodes.length} node(s)`)).toEqual([]);
        });
      }
    });
  }
});

interface Focused {
  testId: string | null;
  tag: string;
  role: string | null;
  inDialog: boolean;
  outlineStyle: string;
  outlineWidth: number;
  outlineColor: string;
}

/** What has keyboard focus, and how its focus ring is drawn. */
function focused(p: Page): Promise<Focused> {
  return p.evaluate(() => {
    const el = (document.activeElement ?? document.body) as HTMLElement;
    // A control may draw its ring on its frame (the JSON editor's textarea sits in one: :focus-within).
    let ringEl: HTMLElement | null = el;
    for (let i = 0; i < 2 && ringEl && getComputedStyle(ringEl).outlineStyle === 'none'; i++)
      ringEl = ringEl.parentElement;
    const style = getComputedStyle(ringEl && getComputedStyle(ringEl).outlineStyle !== 'none' ? ringEl : el);
    return {
      testId: el.getAttribute('data-testid'),
      tag: el.tagName.toLowerCase(),
      role: el.getAttribute('role'),
      inDialog: el.closest('dialog[open]') !== null,
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
      outlineColor: style.outlineColor,
    };
  });
}

const describeFocus = (f: Focused) =>
  `${f.tag}${f.testId ? `[${f.testId}]` : ''}${f.role ? `(${f.role})` : ''}`;

describe('keyboard only', () => {
  let kb: Page;
  /** Every element Tab reached, with a focus ring that is not visible. */
  const noRing: string[] = [];
  const visited: string[] = [];

  /** Press Tab until `want` holds for the focused element; checks each stop's focus ring on the way. */
  async function tabTo(want: (f: Focused) => boolean, what: string, max = 60): Promise<Focused> {
    for (let i = 0; i < max; i++) {
      await kb.keyboard.press('Tab');
      const f = await focused(kb);
      visited.push(describeFocus(f));
      if (f.tag !== 'body' && (f.outlineStyle === 'none' || f.outlineWidth < 2))
        noRing.push(describeFocus(f));
      if (want(f)) return f;
    }
    throw new Error(
      `Tab never reached ${what} in ${max} presses; visited: ${visited.slice(-max).join(' → ')}`,
    );
  }

  beforeAll(async () => {
    kb = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await kb.emulateMedia({ colorScheme: 'light' });
    await kb.goto(new URL('#/overview', consoleUrl).toString());
    await kb.locator('[data-testid="tile-online"]').waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await kb?.close();
  });

  it('walks from the skip link through the sidebar to Agents, opens an agent, edits its config, and uses a dialog', async () => {
    // First stop: the skip link, shown on focus.
    const skip = await tabTo(() => true, 'the first stop');
    expect(skip.testId).toBe('skip-link');
    await expect(kb.getByTestId('skip-link').isVisible()).resolves.toBe(true);

    // Through the sidebar to Agents; the current section is marked.
    await tabTo((f) => f.testId === 'nav-agents', 'the Agents link');
    await kb.keyboard.press('Enter');
    await kb.waitForURL(/#\/agents$/);
    await expect(kb.getByTestId('nav-agents').getAttribute('aria-current')).resolves.toBe('page');
    // The new view takes focus (like a page load), so the next Tab starts in it, not in the sidebar.
    await expect.poll(async () => (await focused(kb)).tag).toBe('main');

    // The table is one tab stop: its first row. ↓ moves to the next row, Enter opens it.
    await kb.locator('[data-testid="agent-row"]').first().waitFor({ timeout: 10_000 });
    await tabTo((f) => f.testId === 'agent-row', 'the first agent row');
    await kb.keyboard.press('ArrowDown');
    const second = await kb.evaluate(() => document.activeElement?.getAttribute('data-agent-id'));
    expect(second).toMatch(/^a11y-agent-\d$/);
    expect((await focused(kb)).outlineStyle).not.toBe('none');
    await kb.keyboard.press('Enter');
    await kb.waitForURL(new RegExp(`#/agents/${second}$`));
    await kb.getByTestId('agent-detail').waitFor();

    // The main view has focus: Tab goes on from the top of the agent page.
    await expect.poll(async () => (await focused(kb)).tag).toBe('main');
    // A dialog: opened with the keyboard, focus inside it and kept there, closed with Escape,
    // focus back on the button that opened it.
    await tabTo((f) => f.testId === 'mute-button', 'the mute button');
    await kb.keyboard.press('Enter');
    await kb.getByTestId('mute-dialog').waitFor({ timeout: 5000 });
    await expect.poll(async () => (await focused(kb)).inDialog).toBe(true);
    for (let i = 0; i < 25; i++) {
      await kb.keyboard.press('Tab');
      const f = await focused(kb);
      // Modal: Tab cycles through the dialog (or out to the browser's own UI), never to the page behind.
      if (f.tag !== 'body') expect(f.inDialog, `Tab left the dialog for ${describeFocus(f)}`).toBe(true);
      if (f.tag !== 'body' && (f.outlineStyle === 'none' || f.outlineWidth < 2))
        noRing.push(describeFocus(f));
    }
    await kb.keyboard.press('Escape');
    await kb.getByTestId('mute-dialog').waitFor({ state: 'detached', timeout: 5000 });
    const back = await focused(kb);
    expect(back.testId).toBe('mute-button');
    expect(back.outlineStyle).not.toBe('none');
    expect(back.outlineWidth).toBeGreaterThanOrEqual(2);

    // A main action: the configuration editor's JSON tab, reached with Tab and switched with →.
    await kb.getByTestId('config-tab-form').waitFor({ timeout: 10_000 });
    await tabTo((f) => f.testId === 'config-tab-form', 'the configuration editor tabs');
    await kb.keyboard.press('ArrowRight');
    await expect.poll(async () => (await focused(kb)).testId).toBe('config-tab-json');
    await kb.getByTestId('config-editor').waitFor({ timeout: 5000 });
    await tabTo((f) => f.testId === 'config-editor', 'the JSON editor');

    await kb.screenshot({ path: join(SHOTS, 'a11y-keyboard-focus.png') });

    console.log(`[a11y] keyboard walk: ${visited.length} Tab stops, ${new Set(visited).size} distinct`);
    expect(noRing, 'focused without a visible focus ring').toEqual([]);
  });

  it('draws the focus ring with at least 3:1 contrast against the page in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await kb.emulateMedia({ colorScheme: theme });
      await kb.evaluate(() => (document.querySelector('[data-testid="skip-link"]') as HTMLElement).focus());
      await tabTo((f) => f.testId?.startsWith('nav-') ?? false, 'a sidebar link');
      const [ring, page] = await kb.evaluate(() => [
        getComputedStyle(document.activeElement as HTMLElement).outlineColor,
        getComputedStyle(document.querySelector('.sidebar') as HTMLElement).backgroundColor,
      ]);
      const ratio = contrast(ring as string, page as string);
      console.log(`[a11y] focus ring ${ring} on ${page} (${theme}): ${ratio.toFixed(2)}:1`);
      expect(ratio).toBeGreaterThanOrEqual(3);
    }
  });
});

/** WCAG contrast ratio of two computed `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((x) => {
      const v = Number(x) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
