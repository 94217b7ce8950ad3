// @vitest-environment happy-dom
/** The configuration UI: schema form, JSON editor, validation before sending, diff, bulk, audit. */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentConfigDetail, BulkView, Profile } from '../../../src-shared/config-management';
import type { AgentView } from '../../../src-shared/fleet';
import { BulkProgress } from '../../../src-renderer/components/BulkProgress';
import { ConfigCard, effectiveAfter, outcomeOf } from '../../../src-renderer/components/ConfigCard';
import { DiffView } from '../../../src-renderer/components/config/DiffView';
import { getAt, parseJson, setAt, tokenizeJson } from '../../../src-renderer/components/config/json-text';
import { controlFor } from '../../../src-renderer/components/config/SchemaForm';
import { setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore, type FleetStore } from '../../../src-renderer/state/fleet-store';
import { AuditView } from '../../../src-renderer/views/AuditView';
import { FakeConsoleApi, T0, agent, delta, snapshot } from './fixtures';
import { giveElementsASize } from './mount-console';

beforeAll(() => {
  setupI18n('en');
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const SCHEMA = {
  type: 'object',
  properties: {
    logLevel: { title: 'Log level', type: 'string', enum: ['debug', 'info', 'warn', 'error'] },
    port: { title: 'Port', type: 'integer', minimum: 1, maximum: 65535 },
    verbose: { title: 'Verbose', type: 'boolean' },
    paths: { title: 'Paths', type: 'array', items: { type: 'string' } },
    metricsLabels: { title: 'Metrics labels', type: 'object', additionalProperties: { type: 'string' } },
    jobs: { title: 'Jobs', type: 'object', additionalProperties: { type: 'object' } },
    http: { title: 'HTTP', type: 'object', properties: { host: { title: 'Host', type: 'string' } } },
  },
};

function configDetail(overrides: Partial<AgentConfigDetail> = {}): AgentConfigDetail {
  return {
    agentId: 'a1',
    status: 'in_sync',
    desiredRevision: 2,
    reportedRevision: 2,
    override: { logLevel: 'info' },
    profiles: [],
    assignedProfiles: [],
    effective: { logLevel: 'info' },
    applied: { logLevel: 'info' },
    schema: SCHEMA,
    revisions: [
      { revision: 2, createdAt: T0, by: 'alice', cause: 'edited', config: { logLevel: 'info' } },
      { revision: 1, createdAt: T0 - 1000, by: 'bob', cause: 'profile web assigned', config: {} },
    ],
    ledger: [
      { agentId: 'a1', revision: 2, state: 'applied', path: 'websocket', queuedAt: T0, appliedAt: T0 + 5 },
    ],
    ...overrides,
  };
}

function setup(handlers: ConstructorParameters<typeof FakeConsoleApi>[0] = {}, view?: AgentView) {
  const api = new FakeConsoleApi({
    getAgentConfig: async () => configDetail(),
    listProfiles: async () => [],
    validateConfig: async () => ({ ok: true, errors: [] }),
    sendConfig: async ({ agentId }) => ({ agentId, revision: 3, changed: true }),
    ...handlers,
  });
  const store = createFleetStore();
  const a =
    view ??
    agent('a1', { configRevision: 2, desiredRevision: 2, configStatus: 'in_sync', hasConfigSchema: true });
  store.getState().applySnapshot(snapshot(1, [a]));
  const wrap = (children: ReactNode) => (
    <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>{children}</ConsoleProvider>
  );
  return { api, store, wrap, agent: a };
}

function LiveCard({ store }: { store: FleetStore }) {
  // Re-render with the store's agent, as the detail view does.
  const a = store.getState().agents.get('a1') as AgentView;
  return <ConfigCard agent={a} />;
}

const sendCalls = (api: FakeConsoleApi) => api.calls.filter((c) => c.channel === 'sendConfig');

describe('schema form', () => {
  it('renders a control per schema construct and edits the override', async () => {
    const { wrap, api } = setup();
    render(
      wrap(
        <ConfigCard
          agent={agent('a1', { configRevision: 2, desiredRevision: 2, configStatus: 'in_sync' })}
        />,
      ),
    );
    const select = (await screen.findByLabelText('Log level')) as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe('info'));
    expect(screen.getByLabelText('Port').getAttribute('type')).toBe('number');
    expect(screen.getByLabelText('Port').getAttribute('max')).toBe('65535');
    expect(screen.getByRole('group', { name: 'Paths' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Metrics labels' })).toBeTruthy();
    // Unknown construct (object of objects): a JSON sub-editor.
    expect((screen.getByLabelText('Jobs') as HTMLElement).tagName).toBe('TEXTAREA');
    // Nested object: a fieldset.
    expect(screen.getByRole('group', { name: 'HTTP' })).toBeTruthy();

    fireEvent.change(select, { target: { value: 'debug' } });
    fireEvent.change(screen.getByLabelText('Port'), { target: { value: '8080' } });
    fireEvent.change(screen.getByLabelText('Host'), { target: { value: 'example.org' } });
    fireEvent.click(within(screen.getByRole('group', { name: 'Paths' })).getByText('Add'));
    fireEvent.change(screen.getByLabelText('Paths item 1'), { target: { value: '/var/log' } });

    // Same document in the JSON tab.
    fireEvent.click(screen.getByTestId('config-tab-json'));
    const editor = screen.getByTestId('config-editor') as HTMLTextAreaElement;
    expect(JSON.parse(editor.value)).toEqual({
      logLevel: 'debug',
      port: 8080,
      http: { host: 'example.org' },
      paths: ['/var/log'],
    });
    // And back: a JSON edit shows in the form.
    fireEvent.change(editor, { target: { value: '{"logLevel": "warn"}' } });
    fireEvent.click(screen.getByTestId('config-tab-form'));
    expect((screen.getByLabelText('Log level') as HTMLSelectElement).value).toBe('warn');

    await waitFor(() => expect(screen.getByTestId('config-send').hasAttribute('disabled')).toBe(false));
    fireEvent.click(screen.getByTestId('config-send'));
    await waitFor(() => expect(sendCalls(api)).toHaveLength(1));
    expect(sendCalls(api)[0]?.input).toEqual({ agentId: 'a1', config: { logLevel: 'warn' } });
    expect((await screen.findByTestId('config-status')).getAttribute('data-config-state')).toBe('queued');
  });

  it('shows hub validation errors next to the field and sends nothing while invalid', async () => {
    const { wrap, api } = setup({
      validateConfig: async ({ config }) =>
        (config as { port?: number }).port === 70000
          ? { ok: false, errors: [{ path: '/port', message: 'must be <= 65535' }] }
          : { ok: true, errors: [] },
    });
    render(wrap(<ConfigCard agent={agent('a1')} />));
    const port = await screen.findByLabelText('Port');
    fireEvent.change(port, { target: { value: '70000' } });
    const inline = await screen.findByText('must be <= 65535', { selector: '[data-pointer="/port"] li' });
    expect(inline).toBeTruthy();
    expect(screen.getByLabelText('Port').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('validation-errors').textContent).toContain('/port');
    const send = screen.getByTestId('config-send') as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    // Even a submit of the form sends nothing: Send re-validates first.
    fireEvent.submit(send.closest('form') as HTMLFormElement);
    await waitFor(() =>
      expect(api.calls.filter((c) => c.channel === 'validateConfig').length).toBeGreaterThan(1),
    );
    expect(sendCalls(api)).toEqual([]);

    fireEvent.change(screen.getByLabelText('Port'), { target: { value: '8080' } });
    await waitFor(() => expect(screen.queryByTestId('validation-errors')).toBeNull());
    fireEvent.click(screen.getByTestId('config-send'));
    await waitFor(() => expect(sendCalls(api)).toHaveLength(1));
    expect(sendCalls(api)[0]?.input).toEqual({ agentId: 'a1', config: { logLevel: 'info', port: 8080 } });
  });

  it('reports a JSON syntax error with line and column', async () => {
    const { wrap, api } = setup();
    render(wrap(<ConfigCard agent={agent('a1')} />));
    await screen.findByLabelText('Log level');
    fireEvent.click(screen.getByTestId('config-tab-json'));
    fireEvent.change(screen.getByTestId('config-editor'), { target: { value: '{\n  "a": 1,\n}' } });
    expect(screen.getByTestId('config-error').textContent).toMatch(/^Not valid JSON: line 3, column 1/);
    fireEvent.click(screen.getByTestId('config-send'));
    expect(sendCalls(api)).toEqual([]);
  });

  it('follows the sent revision to "applied" and shows a rejection with the agent error', async () => {
    let ledger: AgentConfigDetail['ledger'] = [];
    const { wrap, store } = setup({
      getAgentConfig: async () => configDetail({ ledger }),
    });
    const { rerender } = render(wrap(<LiveCard store={store} />));
    await screen.findByLabelText('Log level');
    fireEvent.change(screen.getByLabelText('Log level'), { target: { value: 'error' } });
    await waitFor(() => expect(screen.getByTestId('config-send').hasAttribute('disabled')).toBe(false));
    fireEvent.click(screen.getByTestId('config-send'));
    expect((await screen.findByTestId('config-status')).textContent).toContain('Revision 3 queued');
    ledger = [
      {
        agentId: 'a1',
        revision: 3,
        state: 'rejected',
        path: 'websocket',
        queuedAt: T0,
        rejectedAt: T0,
        error: 'bad level',
      },
    ];
    act(() => {
      store.getState().applyDelta(
        delta(2, {
          agents: [agent('a1', { configRevision: 2, desiredRevision: 3, configStatus: 'failed' })],
        }),
      );
    });
    rerender(wrap(<LiveCard store={store} />));
    await waitFor(
      () =>
        expect(screen.getByTestId('config-status').textContent).toBe(
          'Rejected: the agent refused revision 3: bad level',
        ),
      { timeout: 3000 },
    );
    expect(screen.getByTestId('config-resend')).toBeTruthy();
  });
});

describe('review and history', () => {
  it('diffs the applied configuration against the effective one the edit would produce', async () => {
    const { wrap } = setup();
    render(wrap(<ConfigCard agent={agent('a1')} />));
    fireEvent.change(await screen.findByLabelText('Log level'), { target: { value: 'debug' } });
    fireEvent.click(screen.getByTestId('config-review'));
    const rows = within(screen.getByTestId('config-diff')).getAllByTestId('diff-row');
    expect(rows.map((r) => [r.getAttribute('data-path'), r.getAttribute('data-kind')])).toEqual([
      ['/logLevel', 'changed'],
    ]);
    expect(rows[0]?.textContent).toContain('"info"');
    expect(rows[0]?.textContent).toContain('"debug"');
    // Revision history: click shows that revision's configuration.
    fireEvent.click(screen.getAllByTestId('revision-toggle')[1] as HTMLElement);
    expect(screen.getByTestId('revision-config').textContent).toBe('{}');
    expect(screen.getAllByTestId('ledger-row')).toHaveLength(1);
  });

  it('computes the effective configuration after an edit from the profile layers', () => {
    const detail = configDetail({
      profiles: [
        { name: 'base', via: 'selector' },
        { name: 'web', via: 'assigned' },
      ],
      effective: { a: 1, b: 2, c: 3 },
      override: { c: 3 },
    });
    const profiles: Profile[] = [
      { name: 'web', description: '', selector: {}, config: { b: 2 } },
      { name: 'base', description: '', selector: { role: 'x' }, config: { a: 1, b: 1 } },
    ];
    expect(effectiveAfter(detail, profiles, { a: null, d: 4 })).toEqual({ b: 2, d: 4 });
    // Without the profiles' configs: patch the current effective configuration.
    expect(effectiveAfter(detail, null, { d: 4 })).toEqual({ a: 1, b: 2, c: 3, d: 4 });
  });

  it('renders a diff table with added, removed and changed settings', () => {
    render(<DiffView diff={{ '/b': [null, 2], '/a': [1, null], '/c/d': ['x', 'y'] }} />);
    const rows = screen.getAllByTestId('diff-row');
    expect(rows.map((r) => r.getAttribute('data-kind'))).toEqual(['removed', 'added', 'changed']);
    expect(rows[1]?.textContent).toContain('(absent)');
    cleanup();
    render(<DiffView diff={{}} />);
    expect(screen.getByTestId('diff-empty').textContent).toBe('No change.');
  });

  it('derives the outcome of a sent revision', () => {
    const sent = { revision: 5, changed: true };
    expect(outcomeOf(agent('a', { configRevision: 5 }), sent, []).outcome).toBe('applied');
    expect(
      outcomeOf(agent('a'), sent, [
        { agentId: 'a', revision: 5, state: 'delivered', path: 'broker', queuedAt: 1 },
      ]).outcome,
    ).toBe('delivered');
    expect(outcomeOf(agent('a'), sent, []).outcome).toBe('queued');
    expect(outcomeOf(agent('a'), { revision: 5, changed: false }, []).outcome).toBe('unchanged');
  });
});

describe('JSON text helpers', () => {
  it('tokenizes JSON losslessly, telling keys from string values', () => {
    const text = '{\n  "a": "x",\n  "n": -1.5e3, "t": true, "z": null, "l": [1, 2] oops\n}';
    const tokens = tokenizeJson(text);
    expect(tokens.map((t) => t.text).join('')).toBe(text);
    const typed = tokens.filter((t) => t.type !== 'space' && t.type !== 'punct').map((t) => [t.type, t.text]);
    expect(typed).toEqual([
      ['key', '"a"'],
      ['string', '"x"'],
      ['key', '"n"'],
      ['number', '-1.5e3'],
      ['key', '"t"'],
      ['literal', 'true'],
      ['key', '"z"'],
      ['literal', 'null'],
      ['key', '"l"'],
      ['number', '1'],
      ['number', '2'],
      ['invalid', 'oops'],
    ]);
    // An unterminated string stays one token up to the end of the line.
    expect(tokenizeJson('"abc\n1').map((t) => t.type)).toEqual(['string', 'space', 'number']);
  });

  it('highlights the JSON editor with token classes under a labelled textarea', async () => {
    const { wrap } = setup({
      getAgentConfig: async () => configDetail({ schema: undefined, override: { a: 1 } }),
    });
    render(wrap(<ConfigCard agent={agent('a1')} />));
    const editor = await screen.findByLabelText('Override (JSON object)');
    await waitFor(() => expect((editor as HTMLTextAreaElement).value).toContain('"a": 1'));
    const pre = editor.parentElement?.querySelector('pre.json-highlight');
    expect(pre?.getAttribute('aria-hidden')).toBe('true');
    expect(pre?.querySelector('.tok-key')?.textContent).toBe('"a"');
    expect(pre?.querySelector('.tok-number')?.textContent).toBe('1');
  });

  it('parses with line/column and edits by JSON pointer', () => {
    const bad = parseJson('{\n  "a": 1\n  "b": 2\n}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect([bad.line, bad.column]).toEqual([3, 3]);
    const doc = { a: { b: 1 }, 'x/y': [1, 2] };
    expect(getAt(doc, '/x~1y/1')).toBe(2);
    expect(setAt(doc, '/a/c', 2)).toEqual({ a: { b: 1, c: 2 }, 'x/y': [1, 2] });
    expect(setAt(doc, '/a/b', undefined)).toEqual({ 'x/y': [1, 2] });
    expect(doc.a.b).toBe(1);
  });

  it('maps schema constructs to controls', () => {
    expect(controlFor({ type: 'string', enum: ['a'] })).toBe('enum');
    expect(controlFor({ type: ['integer', 'null'] })).toBe('integer');
    expect(controlFor({ type: 'array', items: { type: 'number' } })).toBe('list');
    expect(controlFor({ type: 'array', items: { type: 'object' } })).toBe('json');
    expect(controlFor({ type: 'object', additionalProperties: { type: 'string' } })).toBe('map');
    expect(controlFor({ oneOf: [] })).toBe('json');
  });
});

const BULK: BulkView = {
  bulkId: 'b1',
  createdAt: T0,
  by: 'alice',
  action: { kind: 'patch', patch: { logLevel: 'warn' } },
  total: 50,
  unchanged: 0,
  applied: 47,
  pending: 0,
  failed: [
    { agentId: 'bulk-1', revision: 4, error: 'refused' },
    { agentId: 'bulk-2', revision: 4, error: 'disk full' },
    { agentId: 'bulk-3', revision: 4, error: 'refused' },
  ],
  done: true,
};

describe('bulk changes', () => {
  it('renders progress with the failures and retries them', async () => {
    const { wrap, api } = setup({ retryBulk: async () => ({ ...BULK, pending: 3, failed: [] }) });
    render(wrap(<BulkProgress bulk={BULK} />));
    expect(screen.getByTestId('bulk-progress-headline').textContent).toBe('47 of 50 applied');
    expect(screen.getByTestId('bulk-pending').textContent).toBe('0 pending');
    expect(screen.getByTestId('bulk-failed').textContent).toBe('3 failed');
    const failures = screen.getAllByTestId('bulk-failure');
    expect(failures.map((f) => f.getAttribute('data-agent-id'))).toEqual(['bulk-1', 'bulk-2', 'bulk-3']);
    expect(failures[1]?.textContent).toContain('disk full');
    fireEvent.click(screen.getByTestId('bulk-retry'));
    await waitFor(() =>
      expect(api.calls.find((c) => c.channel === 'retryBulk')?.input).toEqual({ bulkId: 'b1' }),
    );
  });

  it('keeps bulks from the snapshot and deltas in the store, in one set per batch', () => {
    const store = createFleetStore();
    store.getState().applySnapshot({
      ...snapshot(1, [agent('a', { configStatus: 'pending' })]),
      bulks: [{ ...BULK, applied: 10, done: false }],
    });
    expect(store.getState().bulks.get('b1')?.applied).toBe(10);
    expect(store.getState().configCounts.pending).toBe(1);
    const listener = vi.fn();
    store.subscribe(listener);
    store.getState().applyDelta(
      delta(2, {
        bulks: [BULK, { ...BULK, bulkId: 'b2', applied: 0 }],
        agents: [agent('a', { configStatus: 'in_sync' })],
      }),
    );
    expect(listener).toHaveBeenCalledTimes(1);
    const s = store.getState();
    expect(s.bulks.get('b1')?.applied).toBe(47);
    expect(s.bulks.size).toBe(2);
    expect(s.configCounts).toEqual({ none: 0, in_sync: 1, pending: 0, failed: 0, drift: 0 });
    // A delta without bulks keeps the same map.
    const before = s.bulks;
    store.getState().applyDelta(delta(3));
    expect(store.getState().bulks).toBe(before);
  });
});

describe('audit', () => {
  it('lists entries and exports through a Blob download, revoking the URL', async () => {
    const created: Blob[] = [];
    const createObjectURL = vi.fn((b: Blob) => {
      created.push(b);
      return 'blob:audit-1';
    });
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicks: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download });
    });
    const { wrap, api } = setup({
      queryAudit: async () => [
        {
          id: 'e1',
          at: T0,
          user: 'alice',
          action: 'config.set',
          agentIds: ['a1'],
          summary: 'revision 3 for a1',
          diff: { '/logLevel': ['info', 'debug'] },
          outcome: 'queued',
        },
      ],
      exportAudit: async ({ format }) => ({
        filename: `audit.${format}`,
        mimeType: 'text/csv',
        content: 'at,user\n1,alice\n',
      }),
    });
    render(wrap(<AuditView />));
    const row = await screen.findByTestId('audit-row');
    expect(row.textContent).toContain('alice');
    fireEvent.click(within(row).getByText('Show changes'));
    expect(screen.getByTestId('audit-diff').textContent).toContain('"debug"');

    fireEvent.change(screen.getByLabelText('Search the audit log'), { target: { value: 'alice' } });
    await waitFor(() =>
      expect(
        api.calls.some((c) => c.channel === 'queryAudit' && (c.input as { text?: string }).text === 'alice'),
      ).toBe(true),
    );

    fireEvent.click(screen.getByTestId('audit-export-csv'));
    await waitFor(() => expect(clicks).toHaveLength(1));
    expect(clicks[0]).toEqual({ href: 'blob:audit-1', download: 'audit.csv' });
    expect(await created[0]?.text()).toBe('at,user\n1,alice\n');
    expect(api.calls.find((c) => c.channel === 'exportAudit')?.input).toMatchObject({
      format: 'csv',
      query: { text: 'alice' },
    });
    await waitFor(() => expect(revokeObjectURL).toHaveBeenCalledWith('blob:audit-1'));
  });
});

describe('config status in the fleet views', () => {
  it('shows a Config column with revisions, filters by status, re-sends, and counts on the overview', async () => {
    giveElementsASize();
    const { App } = await import('../../../src-renderer/App');
    const { startFleetSync } = await import('../../../src-renderer/state/sync');
    const api = new FakeConsoleApi({
      getSnapshot: async () =>
        snapshot(1, [
          agent('ok', { configStatus: 'in_sync', configRevision: 3, desiredRevision: 3 }),
          agent('bad', { configStatus: 'failed', configRevision: 3, desiredRevision: 4 }),
          agent('new'),
        ]),
      resendConfig: async ({ agentId }) => ({ agentId, revision: 5 }),
    });
    const store = createFleetStore();
    const sync = startFleetSync(api, store);
    location.hash = '#/agents';
    render(
      <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
        <App />
      </ConsoleProvider>,
    );
    const badRow = await waitFor(() => {
      const el = document.querySelector('[data-testid="agent-row"][data-agent-id="bad"]');
      if (!el) throw new Error('no row');
      return el as HTMLElement;
    });
    expect(within(badRow).getByTestId('config-badge').textContent).toBe('Failedrev 3 of 4');
    fireEvent.click(within(badRow).getByTestId('config-resend'));
    await waitFor(() =>
      expect(api.calls.find((c) => c.channel === 'resendConfig')?.input).toEqual({ agentId: 'bad' }),
    );
    fireEvent.change(screen.getByTestId('agents-config-filter'), { target: { value: 'in_sync' } });
    await waitFor(() =>
      expect(
        [...document.querySelectorAll('[data-testid="agent-row"]')].map((r) =>
          r.getAttribute('data-agent-id'),
        ),
      ).toEqual(['ok']),
    );
    act(() => {
      location.hash = '#/overview';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    await screen.findByTestId('overview-config');
    expect(screen.getByTestId('config-count-in_sync').textContent).toBe('1In sync');
    expect(screen.getByTestId('config-count-failed').textContent).toBe('1Failed');
    sync.stop();
  });
});
