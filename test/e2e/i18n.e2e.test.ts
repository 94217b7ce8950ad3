/**
 * The console in both languages, end to end: the headless console with two real agents in Debian's
 * Chromium (browser language English). Walks every main screen in English, switches to Português
 * in Settings, walks them again, and switches back. On every screen: no missing translation key
 * (the page runs in the translation check mode: no fallback, misses recorded on window), no raw
 * key on screen, and in Portuguese no visible text left as it was in English (bar product names
 * and loanwords). Screenshots go to test-results/i18n-<lng>-<screen>.png.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../src-renderer/i18n/locales/en.json';
import ptBR from '../../src-renderer/i18n/locales/pt-BR.json';
import { REFERENCE_CONFIG_SCHEMA } from '../../src-agent/config-schema';
import { launchChromium } from '../helpers/browser';
import { ROOT, startHeadlessHub, startNode, type Proc } from '../helpers/processes';

const SHOTS = join(ROOT, 'test-results');
const TOKEN = 'e2e-i18n-agent-token-0123456789';
const AGENTS = ['i18n-a1', 'i18n-a2'];

type Lng = 'en' | 'pt-BR';
const LOCALES: Record<Lng, Record<string, unknown>> = { en, 'pt-BR': ptBR };

/** "a.b.c" → value, for every leaf of a locale file. */
function flatten(tree: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, String(tree));
  return out;
}
const text = (lng: Lng, key: string): string => {
  const value = flatten(LOCALES[lng]).get(key);
  if (value === undefined) throw new Error(`no ${key} in ${lng}`);
  return value;
};

/** A raw key on screen: a top-level namespace of the locale files followed by .segment(s). */
const RAW_KEY = new RegExp(`\\b(?:${Object.keys(en).join('|')})\\.[A-Za-z0-9_]+`);

/**
 * Visible text the same in both languages on purpose: values the locale files keep identical
 * (product and protocol names, units, loanwords), and the data the screens show.
 */
const SAME_VALUES = new Set(
  [...flatten(en)].filter(([k, v]) => flatten(ptBR).get(k) === v).map(([, v]) => v),
);

interface Screen {
  name: string;
  hash: string | (() => string);
  /** Heading (h1) key; for detail pages the title is data. */
  heading?: string;
}

let serverId = '';
const SCREENS: Screen[] = [
  { name: 'overview', hash: '#/overview', heading: 'overview.title' },
  { name: 'agents', hash: '#/agents', heading: 'agents.title' },
  { name: 'agent-detail', hash: `#/agents/${AGENTS[0]}` },
  { name: 'servers', hash: '#/servers', heading: 'servers.title' },
  { name: 'server-detail', hash: () => `#/servers/${encodeURIComponent(serverId)}` },
  { name: 'jobs', hash: '#/jobs/recent', heading: 'jobs.title' },
  { name: 'alerts-active', hash: '#/alerts/active', heading: 'alerts.title' },
  { name: 'alerts-history', hash: '#/alerts/history', heading: 'alerts.title' },
  { name: 'alerts-rules', hash: '#/alerts/rules', heading: 'alerts.title' },
  { name: 'alerts-channels', hash: '#/alerts/channels', heading: 'alerts.title' },
  { name: 'alerts-mutes', hash: '#/alerts/mutes', heading: 'alerts.title' },
  { name: 'alerts-deliveries', hash: '#/alerts/deliveries', heading: 'alerts.title' },
  { name: 'settings', hash: '#/settings', heading: 'settings.title' },
  { name: 'profiles', hash: '#/profiles', heading: 'profiles.title' },
  { name: 'bulk', hash: '#/bulk', heading: 'bulk.title' },
  { name: 'audit', hash: '#/audit', heading: 'audit.title' },
];
const NAV = [
  'overview',
  'agents',
  'servers',
  'alerts',
  'jobs',
  'settings',
  'profiles',
  'bulk',
  'audit',
] as const;

let dataDir: string;
let hub: Proc;
let agents: Proc[] = [];
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleUrl: string;
/** Per screen, the texts seen in English, to compare with the Portuguese walk. */
const englishTexts = new Map<string, Set<string>>();

interface Seen {
  texts: string[];
  missing: { lng: string; key: string }[];
  /** The check mode is on (else `missing` would prove nothing). */
  checking: boolean;
  lang: string;
}

/**
 * Every visible text node, plus the accessible texts of visible elements (aria-label, title,
 * placeholder, alt, aria-roledescription) and the options of selects. Code, commands and tokens
 * (<code>, <pre>, <kbd>) are data, not UI text.
 */
function collect(): Promise<Seen> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const isData = (el: Element | null) => !!el?.closest('code, pre, kbd, script, style');
    const visible = (el: Element) =>
      typeof el.checkVisibility === 'function'
        ? el.checkVisibility()
        : (el as HTMLElement).offsetParent !== null;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      const value = n.textContent?.trim();
      if (!value || !parent || isData(parent)) continue;
      if (parent.tagName === 'OPTION' || visible(parent)) texts.push(value);
    }
    for (const el of document.body.querySelectorAll(
      '[aria-label], [title], [placeholder], [alt], [aria-roledescription]',
    )) {
      if (isData(el) || !visible(el)) continue;
      for (const attr of ['aria-label', 'title', 'placeholder', 'alt', 'aria-roledescription']) {
        const value = el.getAttribute(attr)?.trim();
        if (value) texts.push(value);
      }
    }
    return {
      texts,
      missing: [...(window.__i18nMissing ?? [])],
      checking: Array.isArray(window.__i18nMissing),
      lang: document.documentElement.lang,
    };
  });
}

async function open(screen: Screen): Promise<void> {
  const hash = typeof screen.hash === 'function' ? screen.hash() : screen.hash;
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
  if (screen.heading) {
    await page.locator('main h1').first().waitFor({ timeout: 10_000 });
  }
  // Let lazy sections (histories, settings, rules) load before reading the screen.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page
    .locator('[aria-busy="true"]')
    .first()
    .waitFor({ state: 'detached', timeout: 5_000 })
    .catch(() => undefined);
  await page.waitForTimeout(300);
}

/** Every string in a JSON value (the agent's schema: its titles, descriptions and enum values). */
const strings = (v: unknown): string[] =>
  typeof v === 'string'
    ? [v]
    : v && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)])
      : [];
/**
 * What agents and the hub supply, shown as they sent it: the agent's configuration schema (its
 * form labels are the agent's own words), host, label keys, file-system types.
 */
const SUPPLIED = new Set([
  ...strings(REFERENCE_CONFIG_SCHEMA),
  hostname(),
  'slot',
  'ext4',
  'xfs',
  'btrfs',
  'tmpfs',
  'overlay',
]);

/** Data shown on screen, the same in any language. */
function isData(value: string): boolean {
  if (SUPPLIED.has(value)) return true;
  // Byte and time units read the same in both languages ("122 kB/s", "12 ms").
  const words = value.replace(/\{\{[^}]*\}\}/g, '').replace(/\b(?:[kMGTP]?B(?:\/s)?|ms)\b/g, '');
  if (!/\p{L}{2,}/u.test(words)) return true; // numbers, times, sizes, arrows, punctuation
  if (SAME_VALUES.has(value)) return true;
  // Agent ids and names, host names, labels, URLs, versions, platform names.
  return /i18n-a\d|slot=|:\/\/|\b(linux|darwin|win32|x64|arm64)\b|e2e-i18n|^v?\d+\.\d+/i.test(value);
}

/** Reads what is on screen now and adds what is wrong with it to `problems`. */
async function check(name: string, lng: Lng, problems: string[]): Promise<void> {
  const seen = await collect();
  expect(seen.checking, 'translation check mode on').toBe(true);
  expect(seen.lang, `<html lang> on ${name}`).toBe(lng);
  for (const m of seen.missing) problems.push(`${name}: missing key ${m.key} (${m.lng})`);
  for (const t of seen.texts) {
    const raw = RAW_KEY.exec(t);
    if (raw) problems.push(`${name}: raw key "${raw[0]}" on screen in "${t}"`);
  }
  const texts = new Set(seen.texts);
  if (lng === 'en') {
    englishTexts.set(name, texts);
  } else {
    // Anything visible in Portuguese exactly as it was in English is a string that escaped t().
    for (const t of englishTexts.get(name) ?? []) {
      if (texts.has(t) && !isData(t)) problems.push(`${name}: still in English: "${t}"`);
    }
  }
  await page.screenshot({ path: join(SHOTS, `i18n-${lng}-${name}.png`), fullPage: true });
}

async function walk(lng: Lng): Promise<void> {
  const problems: string[] = [];
  for (const screen of SCREENS) {
    await open(screen);
    if (screen.heading) {
      await expect
        .poll(() => page.locator('main h1').first().innerText(), { timeout: 5_000 })
        .toBe(text(lng, screen.heading));
    }
    await check(screen.name, lng, problems);
  }
  // The "Connect an agent" dialog, over the last screen.
  await page.getByTestId('open-connect').click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor({ timeout: 5_000 });
  await expect(dialog.locator('h2').first().innerText()).resolves.toBe(text(lng, 'connect.title'));
  await check('connect-dialog', lng, problems);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);

  expect([...new Set(problems)]).toEqual([]);
  // The nav labels are the language's own.
  for (const id of NAV) {
    await expect(page.getByTestId(`nav-${id}`).innerText()).resolves.toContain(text(lng, `nav.${id}`));
  }
}

async function chooseLanguage(value: 'en' | 'pt-BR'): Promise<void> {
  await open(SCREENS.find((s) => s.name === 'settings') as Screen);
  await page.getByTestId('language-select').selectOption(value);
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/headless.js')))
    throw new Error('build first: npm run build (npm test does it)');
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'ac-e2e-i18n-'));
  hub = startHeadlessHub({
    CENTRALIZER_DATA_DIR: dataDir,
    CENTRALIZER_AGENT_TOKEN: TOKEN,
    CENTRALIZER_METRICS_INTERVAL_SEC: '1',
  });
  const gatewayUrl = (await hub.waitForLine(/gateway: (ws:\/\/\S+)/))[1] as string;
  consoleUrl = (await hub.waitForLine(/console: (http:\/\/\S+)/))[1] as string;
  agents = AGENTS.map((id, n) =>
    startNode(
      'dist/main/agent.js',
      [
        '--url',
        gatewayUrl,
        '--token',
        TOKEN,
        '--id',
        id,
        '--name',
        id,
        '--label',
        `slot=${n + 1}`,
        '--state-dir',
        join(dataDir, id),
      ],
      {},
    ),
  );
  browser = await launchChromium();
  // The browser says English: the console must start in English.
  context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => localStorage.setItem('centralizer.i18nCheck', '1'));
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('[i18n e2e] page error', e));
  await page.goto(consoleUrl);
  await page.getByTestId('nav-overview').waitFor({ timeout: 20_000 });
  await page.evaluate(() => {
    window.location.hash = '#/agents';
  });
  for (const id of AGENTS) {
    await page
      .locator(`[data-testid="agent-row"][data-agent-id="${id}"][data-presence="online"]`)
      .waitFor({ timeout: 20_000 });
  }
  await page.evaluate(() => {
    window.location.hash = '#/servers';
  });
  const serverRow = page.getByTestId('server-row').first();
  await serverRow.waitFor({ timeout: 20_000 });
  serverId = (await serverRow.getAttribute('data-server-id')) ?? '';
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await Promise.all(agents.map((a) => a.stop()));
  await hub?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the console in English and Brazilian Portuguese', () => {
  it('starts in the browser language (English) with every screen translated', async () => {
    expect(serverId).not.toBe('');
    await walk('en');
  }, 120_000);

  it('switches to Português in Settings at once, and every screen changes', async () => {
    await chooseLanguage('pt-BR');
    // Applied without a reload: the same page shows Portuguese right away.
    await expect
      .poll(() => page.locator('main h1').first().innerText(), { timeout: 5_000 })
      .toBe(text('pt-BR', 'settings.title'));
    await walk('pt-BR');
  }, 120_000);

  it('keeps the choice over a reload, then switches back to English', async () => {
    await page.reload();
    await page.getByTestId('nav-overview').waitFor({ timeout: 20_000 });
    await expect(page.getByTestId('nav-settings').innerText()).resolves.toContain('Configurações');
    await chooseLanguage('en');
    await expect
      .poll(() => page.locator('main h1').first().innerText(), { timeout: 5_000 })
      .toBe(text('en', 'settings.title'));
    await walk('en');
  }, 120_000);

  it('opens in Portuguese in a browser whose language is Portuguese (no choice stored)', async () => {
    const pt = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1400, height: 900 } });
    try {
      const ptPage = await pt.newPage();
      await ptPage.goto(consoleUrl);
      await ptPage.getByTestId('nav-overview').waitFor({ timeout: 20_000 });
      await expect(ptPage.evaluate(() => navigator.language)).resolves.toBe('pt-BR');
      await expect(ptPage.evaluate(() => document.documentElement.lang)).resolves.toBe('pt-BR');
      await expect(ptPage.getByTestId('nav-overview').innerText()).resolves.toContain('Visão geral');
      await expect(ptPage.locator('main h1').first().innerText()).resolves.toBe(
        text('pt-BR', 'overview.title'),
      );
    } finally {
      await pt.close();
    }
  }, 60_000);
});
