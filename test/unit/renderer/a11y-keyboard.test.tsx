// @vitest-environment happy-dom
/**
 * Keyboard behaviour added for accessibility: list rows that open on click also open on Enter and
 * move with the arrow keys (one tab stop per table), a skip link, focus at the start of a new view,
 * and dialogs that give focus back to what opened them.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfigDetail } from '../../../src-shared/config-management';
import { ConfigCard } from '../../../src-renderer/components/ConfigCard';
import { setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore, type FleetStore } from '../../../src-renderer/state/fleet-store';
import { FakeConsoleApi, T0, agent, server, snapshot } from './fixtures';
import { mountConsole, unmountConsole, giveElementsASize } from './mount-console';

beforeAll(() => {
  setupI18n('en');
  giveElementsASize();
});

let store: FleetStore;

async function renderApp(hash: string) {
  const agents = ['alpha-1', 'bravo-2', 'charlie-3'].map((id) =>
    agent(id, { serverId: `host-${id}`, hostname: `host-${id}` }),
  );
  const api = new FakeConsoleApi({
    getSnapshot: async () =>
      snapshot(
        1,
        agents,
        agents.map((a) => server(a.serverId, { agentIds: [a.agentId] })),
      ),
    getAgentConnectionInfo: async () => ({
      urls: ['ws://10.0.0.5:8080/agent/v1'],
      token: 'tok-123456',
      tokenSource: 'generated',
      exampleCommand: 'agent --url ws://10.0.0.5:8080/agent/v1 --token tok-123456',
    }),
    getAgentDetail: async ({ agentId }) => {
      const a = store.getState().agents.get(agentId);
      return a ? { agent: a, server: store.getState().servers.get(a.serverId), presenceLog: [] } : null;
    },
  });
  store = createFleetStore();
  await mountConsole(api, hash, store);
}

/** Generous: this machine is shared, and a slow render is not what these tests are about. */
const WAIT = { timeout: 5000 };

/** What the router sees after a hash change (happy-dom fires hashchange asynchronously). */
async function expectHash(hash: string) {
  await waitFor(() => expect(location.hash).toBe(hash), WAIT);
}

async function expectFocus(el: () => Element | undefined) {
  await waitFor(() => expect(document.activeElement).toBe(el()), WAIT);
}

const rows = () => screen.getAllByTestId('agent-row');

afterEach(unmountConsole);

describe('keyboard: virtualized list rows', () => {
  it('makes the table one tab stop: only the first row is tabbable at first', async () => {
    await renderApp('#/agents');
    await waitFor(() => expect(rows()).toHaveLength(3), WAIT);
    expect(rows().map((r) => r.getAttribute('tabindex'))).toEqual(['0', '-1', '-1']);
  });

  it('moves between rows with the arrow keys, Home and End, and the tab stop follows', async () => {
    await renderApp('#/agents');
    await waitFor(() => expect(rows()).toHaveLength(3), WAIT);
    const first = rows()[0] as HTMLElement;
    act(() => first.focus());
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    await expectFocus(() => rows()[1]);
    expect(rows().map((r) => r.getAttribute('tabindex'))).toEqual(['-1', '0', '-1']);
    fireEvent.keyDown(rows()[1] as HTMLElement, { key: 'End' });
    await expectFocus(() => rows()[2]);
    // Past the end stays on the last row.
    fireEvent.keyDown(rows()[2] as HTMLElement, { key: 'ArrowDown' });
    await expectFocus(() => rows()[2]);
    fireEvent.keyDown(rows()[2] as HTMLElement, { key: 'Home' });
    await expectFocus(() => rows()[0]);
  });

  it('opens the focused row on Enter, like a click', async () => {
    await renderApp('#/agents');
    await waitFor(() => expect(rows()).toHaveLength(3), WAIT);
    const second = rows()[1] as HTMLElement;
    const id = second.getAttribute('data-agent-id') as string;
    second.focus();
    fireEvent.keyDown(second, { key: 'Enter' });
    await expectHash(`#/agents/${id}`);
    await screen.findByTestId('agent-detail');
  });

  it('leaves Enter on a control inside the row to that control', async () => {
    await renderApp('#/agents');
    await waitFor(() => expect(rows()).toHaveLength(3), WAIT);
    const checkbox = screen.getAllByTestId('agent-select')[0] as HTMLElement;
    fireEvent.keyDown(checkbox, { key: 'Enter' });
    fireEvent.keyDown(checkbox, { key: 'ArrowDown' });
    // Give a (wrong) navigation or focus move the time to happen.
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(location.hash).toBe('#/agents');
    expect(rows().map((r) => r.getAttribute('tabindex'))).toEqual(['0', '-1', '-1']);
  });
});

describe('keyboard: page structure', () => {
  it('has a skip link that moves focus to the main content without changing the address', async () => {
    await renderApp('#/agents');
    const skip = screen.getByTestId('skip-link');
    expect(skip.textContent).toBe('Skip to main content');
    // First in the document, so it is the first Tab stop.
    expect(document.querySelector('a, button, input, [tabindex="0"]')).toBe(skip);
    fireEvent.click(skip);
    expect(document.activeElement).toBe(screen.getByRole('main'));
    expect(location.hash).toBe('#/agents');
  });

  it('marks the current section in the sidebar with aria-current', async () => {
    await renderApp('#/agents/alpha-1');
    expect(screen.getByTestId('nav-agents').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('nav-overview').getAttribute('aria-current')).toBeNull();
  });

  it('says the sidebar counts in words, not only as "3/3" and a colour', async () => {
    await renderApp('#/overview');
    const link = screen.getByTestId('nav-agents');
    expect(screen.getByTestId('nav-agents-badge').textContent).toBe('3/3');
    expect(screen.getByTestId('nav-agents-badge').getAttribute('aria-hidden')).toBe('true');
    expect(screen.getByRole('link', { name: 'Agents 3 of 3 online' })).toBe(link);
  });

  it('puts focus at the start of the new page after a sidebar link was used', async () => {
    await renderApp('#/overview');
    const link = screen.getByTestId('nav-servers');
    link.focus();
    act(() => {
      location.hash = '#/servers';
    });
    await expectFocus(() => screen.getByRole('main'));
  });

  it('does not move focus when only a tab of the same view changes', async () => {
    await renderApp('#/jobs/recent');
    const tab = await screen.findByTestId('jobs-tab-failed');
    tab.focus();
    fireEvent.click(tab);
    await expectHash('#/jobs/failed');
    expect(document.activeElement).toBe(screen.getByTestId('jobs-tab-failed'));
  });
});

describe('keyboard: dialogs', () => {
  it('gives focus back to the button that opened the dialog when it closes', async () => {
    await renderApp('#/overview');
    const open = screen.getByTestId('open-connect');
    open.focus();
    fireEvent.click(open);
    const dialog = await waitFor(() => {
      const d = document.querySelector('dialog[open]');
      expect(d).not.toBeNull();
      return d as HTMLDialogElement;
    });
    expect(dialog.getAttribute('aria-label')).toBe('Connect an agent');
    const close = screen.getByRole('button', { name: 'Close' });
    close.focus();
    fireEvent.click(close);
    await waitFor(() => expect(document.querySelector('dialog[open]')).toBeNull(), WAIT);
    expect(document.activeElement).toBe(open);
  });
});

describe('keyboard: configuration editor tabs', () => {
  it('is one tab stop; the arrow keys switch between Form and JSON and move focus', async () => {
    const detail: AgentConfigDetail = {
      agentId: 'a1',
      status: 'in_sync',
      desiredRevision: 1,
      reportedRevision: 1,
      override: { logLevel: 'info' },
      profiles: [],
      assignedProfiles: [],
      effective: { logLevel: 'info' },
      applied: { logLevel: 'info' },
      schema: { type: 'object', properties: { logLevel: { title: 'Log level', type: 'string' } } },
      revisions: [{ revision: 1, createdAt: T0, by: 'alice', cause: 'edited', config: { logLevel: 'info' } }],
      ledger: [],
    };
    const api = new FakeConsoleApi({
      getAgentConfig: async () => detail,
      listProfiles: async () => [],
      validateConfig: async () => ({ ok: true, errors: [] }),
    });
    store = createFleetStore();
    const a = agent('a1', {
      configRevision: 1,
      desiredRevision: 1,
      configStatus: 'in_sync',
      hasConfigSchema: true,
    });
    store.getState().applySnapshot(snapshot(1, [a]));
    render(
      <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
        <ConfigCard agent={a} />
      </ConsoleProvider>,
    );
    const form = await screen.findByTestId('config-tab-form');
    const json = screen.getByTestId('config-tab-json');
    expect([form.getAttribute('tabindex'), json.getAttribute('tabindex')]).toEqual(['0', '-1']);
    act(() => form.focus());
    fireEvent.keyDown(form, { key: 'ArrowRight' });
    await expectFocus(() => screen.getByTestId('config-tab-json'));
    expect(screen.getByTestId('config-tab-json').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByTestId('config-editor').tagName).toBe('TEXTAREA');
    expect([form.getAttribute('tabindex'), json.getAttribute('tabindex')]).toEqual(['-1', '0']);
    fireEvent.keyDown(json, { key: 'Home' });
    await expectFocus(() => screen.getByTestId('config-tab-form'));
    expect(screen.getByTestId('config-tab-form').getAttribute('aria-selected')).toBe('true');
  });
});
