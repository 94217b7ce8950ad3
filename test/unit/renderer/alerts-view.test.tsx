// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConsoleError } from '../../../src-shared/console-api';
import {
  MASKED_SECRET,
  type AlertRuleInput,
  type ChannelInput,
  type MuteInput,
} from '../../../src-shared/monitoring';
import { App } from '../../../src-renderer/App';
import { MuteButton } from '../../../src-renderer/components/alerts/MuteButton';
import { setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore, type FleetStore } from '../../../src-renderer/state/fleet-store';
import { parseRoute, routeHref } from '../../../src-renderer/state/router';
import { startFleetSync, type FleetSync } from '../../../src-renderer/state/sync';
import { alertView, delivery, mute, rule, settings, webhookChannel } from './alerts-fixtures';
import { FakeConsoleApi, T0, agent, delta, snapshot, status } from './fixtures';

beforeAll(() => {
  setupI18n('en');
});

let api: FakeConsoleApi;
let store: FleetStore;
let sync: FleetSync | undefined;

function fleet() {
  return {
    ...snapshot(1, [agent('web-1', { name: 'Web 1' }), agent('db-1')]),
    status: { ...status(), alerts: { active: 2, critical: 1, failedDeliveries: 0 } },
    alerts: [
      alertView('old', { state: 'resolved', resolvedAt: T0 - 1000, firedAt: T0 - 120_000 }),
      alertView('warn', { firedAt: T0 - 10_000 }),
      alertView('crit', {
        severity: 'critical',
        kind: 'disk',
        ruleName: 'Disk full',
        subject: { kind: 'server', id: 'alpha', name: 'alpha' },
        value: 96.4,
        muted: true,
        firedAt: T0 - 300_000,
      }),
    ],
  };
}

async function renderApp(hash: string, handlers: ConstructorParameters<typeof FakeConsoleApi>[0] = {}) {
  location.hash = hash;
  api = new FakeConsoleApi({
    getSnapshot: async () => fleet(),
    getAlertSettings: async () => settings(),
    listAlerts: async () => [],
    listDeliveries: async () => [],
    ...handlers,
  });
  store = createFleetStore();
  sync = startFleetSync(api, store);
  render(
    <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
      <App />
    </ConsoleProvider>,
  );
  await waitFor(() => expect(store.getState().loaded).toBe(true));
  return screen.findByTestId('alerts-view');
}

const items = () => screen.getAllByTestId('alert-item').map((i) => i.getAttribute('data-alert-id'));
const calls = (channel: string) => api.calls.filter((c) => c.channel === channel).map((c) => c.input);

afterEach(() => {
  sync?.stop();
  sync = undefined;
  cleanup();
  vi.useRealTimers();
});

describe('routes', () => {
  it('addresses the alerts tabs', () => {
    expect(parseRoute('#/alerts')).toEqual({ view: 'alerts' });
    expect(parseRoute('#/alerts/rules')).toEqual({ view: 'alerts', tab: 'rules' });
    expect(parseRoute('#/alerts/nope')).toEqual({ view: 'alerts' });
    expect(routeHref({ view: 'alerts', tab: 'deliveries' })).toBe('#/alerts/deliveries');
    expect(routeHref({ view: 'alerts' })).toBe('#/alerts');
  });
});

describe('active alerts', () => {
  it('lists firing alerts (critical first) with subject link, value and muted marker, then resolved ones', async () => {
    const view = await renderApp('#/alerts');
    expect(view.getAttribute('data-tab')).toBe('active');
    expect(screen.getByTestId('alerts-summary').textContent).toBe('2 alerts firing · 1 critical');
    expect(items()).toEqual(['crit', 'warn', 'old']);
    const crit = screen.getAllByTestId('alert-item')[0]!;
    expect(crit.textContent).toContain('Critical');
    expect(crit.textContent).toContain('Disk full');
    expect(crit.textContent).toContain('96%');
    expect(within(crit).getByTestId('alert-muted')).toBeTruthy();
    expect(within(crit).getByTestId('alert-subject').getAttribute('href')).toBe('#/servers/alpha');
    const warn = screen.getAllByTestId('alert-item')[1]!;
    expect(within(warn).queryByTestId('alert-muted')).toBeNull();
    expect(within(warn).getByTestId('alert-subject').getAttribute('href')).toBe('#/agents/web-1');
    expect(within(warn).getByTestId('alert-subject').textContent).toBe('Web 1');
  });

  it('shows the timeline of an alert with the type of each step and its detail', async () => {
    await renderApp('#/alerts/active');
    const warn = screen.getAllByTestId('alert-item')[1]!;
    fireEvent.click(within(warn).getByTestId('alert-timeline-toggle'));
    const entries = within(warn).getAllByTestId('timeline-entry');
    expect(entries.map((e) => e.getAttribute('data-type'))).toEqual(['pending', 'fired', 'notified']);
    expect(entries[0]!.textContent).toContain('Condition started');
    expect(entries[0]!.textContent).toContain('connection lost');
    expect(entries[2]!.textContent).toContain('Notified');
  });

  it('follows deltas: a new alert appears, a resolution moves it down with its timeline', async () => {
    await renderApp('#/alerts');
    act(() => {
      api.emit('delta', delta(2, { alerts: [alertView('new', { severity: 'critical', firedAt: T0 })] }));
    });
    expect(items()).toEqual(['new', 'crit', 'warn', 'old']);
    const resolvedNew = alertView('new', {
      severity: 'critical',
      firedAt: T0,
      state: 'resolved',
      resolvedAt: T0 + 5000,
      timeline: [
        { at: T0, type: 'fired' },
        { at: T0 + 5000, type: 'resolved', detail: 'back online' },
      ],
    });
    act(() => {
      api.emit('delta', delta(3, { alerts: [resolvedNew], removedAlerts: ['old'] }));
    });
    expect(items()).toEqual(['crit', 'warn', 'new']);
    const item = screen.getAllByTestId('alert-item')[2]!;
    expect(item.getAttribute('data-state')).toBe('resolved');
    expect(
      within(item)
        .getAllByTestId('timeline-entry')
        .map((e) => e.getAttribute('data-type')),
    ).toEqual(['fired', 'resolved']);
  });

  it('says so when nothing fires', async () => {
    await renderApp('#/alerts', { getSnapshot: async () => snapshot(1, []) });
    expect(screen.getByTestId('alerts-none-firing').textContent).toBe('No alert is firing.');
  });
});

describe('history', () => {
  it('asks the hub for the state picked, merges live alerts, and searches subjects', async () => {
    const fetched = [
      alertView('h1', {
        state: 'resolved',
        resolvedAt: T0 - 3_000_000,
        firedAt: T0 - 3_600_000,
        subject: { kind: 'agent', id: 'db-1', name: 'Database' },
      }),
      alertView('warn', { state: 'firing', message: 'stale copy' }),
    ];
    await renderApp('#/alerts/history', { listAlerts: async () => fetched });
    await waitFor(() => expect(items()).toContain('h1'));
    expect(calls('listAlerts')).toEqual([{ state: 'all', limit: 1000 }]);
    // The store's view of 'warn' wins over the fetched copy.
    const warn = screen.getAllByTestId('alert-item').find((i) => i.getAttribute('data-alert-id') === 'warn')!;
    expect(warn.textContent).not.toContain('stale copy');

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search alerts' }), {
      target: { value: 'datab' },
    });
    await waitFor(() => expect(items()).toEqual(['h1']));

    fireEvent.click(screen.getByTestId('history-filter-firing'));
    await waitFor(() => expect(calls('listAlerts')).toContainEqual({ state: 'firing', limit: 1000 }));
    await waitFor(() => expect(screen.queryAllByTestId('alert-item')).toHaveLength(0));
    expect(screen.getByText('No alert matches “datab”.')).toBeTruthy();
  });
});

describe('rules', () => {
  it('shows the fields of each kind with the right words', async () => {
    await renderApp('#/alerts/rules');
    fireEvent.click(await screen.findByTestId('rule-new'));
    const form = screen.getByTestId('rule-form');
    // Offline kinds: a grace period, no threshold.
    expect(within(form).getByLabelText('Grace period (s)')).toBeTruthy();
    expect(within(form).queryByTestId('rule-threshold')).toBeNull();
    expect(within(form).queryByTestId('rule-hysteresis')).toBeNull();
    fireEvent.change(within(form).getByTestId('rule-kind'), { target: { value: 'cpu' } });
    expect(within(form).getByLabelText('Threshold (%)')).toBeTruthy();
    expect(within(form).getByLabelText('For (s)')).toBeTruthy();
    expect(within(form).getByLabelText('Hysteresis (points)')).toBeTruthy();
    expect(within(form).queryByLabelText('Grace period (s)')).toBeNull();
    fireEvent.change(within(form).getByTestId('rule-kind'), { target: { value: 'job_failed' } });
    expect(within(form).queryByTestId('rule-forSec')).toBeNull();
    expect(within(form).queryByTestId('rule-threshold')).toBeNull();
  });

  it('creates a rule with only the fields of its kind, and shows field errors first', async () => {
    const saveAlertRule = vi.fn(async (input: AlertRuleInput) =>
      rule('new', { ...input, id: 'new' } as never),
    );
    await renderApp('#/alerts/rules', { saveAlertRule });
    fireEvent.click(await screen.findByTestId('rule-new'));
    const form = screen.getByTestId('rule-form');
    fireEvent.change(within(form).getByTestId('rule-kind'), { target: { value: 'memory' } });
    fireEvent.change(within(form).getByTestId('rule-threshold'), { target: { value: '150' } });
    fireEvent.click(within(form).getByTestId('rule-save'));
    expect(within(form).getByText('Required.')).toBeTruthy(); // name
    expect(within(form).getByText('Between 0 and 100.')).toBeTruthy();
    expect(within(form).getByTestId('rule-threshold').getAttribute('aria-invalid')).toBe('true');
    expect(saveAlertRule).not.toHaveBeenCalled();

    fireEvent.change(within(form).getByTestId('rule-name'), { target: { value: ' Memory high ' } });
    fireEvent.change(within(form).getByTestId('rule-threshold'), { target: { value: '85' } });
    fireEvent.change(within(form).getByTestId('rule-forSec'), { target: { value: '60' } });
    fireEvent.change(within(form).getByTestId('rule-severity'), { target: { value: 'critical' } });
    fireEvent.click(within(form).getByTestId('label-add'));
    fireEvent.change(within(form).getByTestId('label-key'), { target: { value: 'role' } });
    fireEvent.change(within(form).getByTestId('label-value'), { target: { value: 'db' } });
    const hook = within(form)
      .getAllByTestId('rule-channel')
      .find((c) => c.getAttribute('data-channel-id') === 'hook')!;
    fireEvent.click(hook);
    fireEvent.click(within(form).getByTestId('rule-save'));
    await waitFor(() => expect(saveAlertRule).toHaveBeenCalledTimes(1));
    expect(saveAlertRule.mock.calls[0]![0]).toEqual({
      name: 'Memory high',
      kind: 'memory',
      enabled: true,
      severity: 'critical',
      threshold: 85,
      forSec: 60,
      hysteresis: 5,
      selector: { role: 'db' },
      channels: ['hook'],
    });
    expect((await screen.findByTestId('rules-message')).textContent).toBe('“Memory high” saved.');
    expect(screen.queryByTestId('rule-form')).toBeNull();
  });

  it('shows the hub’s validation message and keeps the form', async () => {
    await renderApp('#/alerts/rules', {
      saveAlertRule: async () => {
        throw new ConsoleError('bad_request', 'saveAlertRule: channels: unknown channel "gone"');
      },
    });
    fireEvent.click(await screen.findByTestId('rule-new'));
    fireEvent.change(screen.getByTestId('rule-name'), { target: { value: 'X' } });
    fireEvent.click(screen.getByTestId('rule-save'));
    const error = await screen.findByTestId('rule-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('unknown channel "gone"');
    expect(screen.getByTestId('rule-form')).toBeTruthy();
  });

  it('edits a rule (grace period of an offline rule), toggles and deletes', async () => {
    const saveAlertRule = vi.fn(async (input: AlertRuleInput) => rule('offline', input as never));
    const deleteAlertRule = vi.fn(async () => ({ deleted: true }));
    await renderApp('#/alerts/rules', { saveAlertRule, deleteAlertRule });
    const item = await screen.findByTestId('rule-item');
    expect(item.textContent).toContain('after a 30 sec grace period');
    expect(item.textContent).toContain('Notifies: Desktop');

    fireEvent.click(within(item).getByRole('button', { name: 'Edit rule Agent offline' }));
    fireEvent.change(screen.getByLabelText('Grace period (s)'), { target: { value: '2' } });
    fireEvent.click(screen.getByTestId('rule-save'));
    await waitFor(() => expect(saveAlertRule).toHaveBeenCalledTimes(1));
    expect(saveAlertRule.mock.calls[0]![0]).toMatchObject({ id: 'offline', forSec: 2, channels: ['desk'] });
    expect(saveAlertRule.mock.calls[0]![0]).not.toHaveProperty('threshold');

    fireEvent.click(within(screen.getByTestId('rule-item')).getByTestId('rule-toggle'));
    await waitFor(() => expect(saveAlertRule).toHaveBeenCalledTimes(2));
    expect(saveAlertRule.mock.calls[1]![0]).toMatchObject({ id: 'offline', enabled: false });

    fireEvent.click(within(screen.getByTestId('rule-item')).getByTestId('rule-delete'));
    fireEvent.click(await screen.findByTestId('rule-confirm-delete'));
    await waitFor(() => expect(deleteAlertRule).toHaveBeenCalledWith({ id: 'offline' }));
  });

  it('shows a toggle at once, and flips it back when the hub refuses', async () => {
    let answer: () => void = () => {};
    const saveAlertRule = vi.fn(
      () =>
        new Promise<never>((_resolve, reject) => {
          answer = () => reject(new ConsoleError('internal', 'disk full'));
        }),
    );
    await renderApp('#/alerts/rules', { saveAlertRule });
    const toggle = (await screen.findByTestId('rule-toggle')) as HTMLInputElement;
    expect(toggle.checked).toBe(true);
    fireEvent.click(toggle);
    expect(toggle.checked).toBe(false);
    await act(async () => answer());
    await waitFor(() => expect(screen.getByTestId('rules-message').textContent).toContain('disk full'));
    expect(screen.getByTestId('rules-message').getAttribute('role')).toBe('alert');
    await waitFor(() => expect((screen.getByTestId('rule-toggle') as HTMLInputElement).checked).toBe(true));
  });
});

describe('channels', () => {
  it('keeps masked header values unless retyped, and validates the URL', async () => {
    const saveChannel = vi.fn(async (input: ChannelInput) => ({ ...webhookChannel, ...input }) as never);
    await renderApp('#/alerts/channels', { saveChannel });
    const item = (await screen.findAllByTestId('channel-item')).find(
      (i) => i.getAttribute('data-channel-id') === 'hook',
    )!;
    fireEvent.click(within(item).getByTestId('channel-edit'));
    const form = screen.getByTestId('channel-form');
    expect((within(form).getByTestId('header-value') as HTMLInputElement).value).toBe(MASKED_SECRET);
    expect(form.textContent).toContain('stands for a stored value');
    fireEvent.change(within(form).getByTestId('channel-url'), { target: { value: 'ftp://nope' } });
    fireEvent.click(within(form).getByTestId('channel-save'));
    expect(within(form).getByText('An http:// or https:// URL.')).toBeTruthy();
    expect(saveChannel).not.toHaveBeenCalled();

    fireEvent.change(within(form).getByTestId('channel-url'), {
      target: { value: 'https://hooks.example.com/v2' },
    });
    fireEvent.click(within(form).getByTestId('header-add'));
    fireEvent.change(within(form).getAllByTestId('header-name')[1]!, { target: { value: 'X-Team' } });
    fireEvent.change(within(form).getAllByTestId('header-value')[1]!, { target: { value: 'ops' } });
    fireEvent.click(within(form).getByTestId('channel-save'));
    await waitFor(() => expect(saveChannel).toHaveBeenCalledTimes(1));
    expect(saveChannel.mock.calls[0]![0]).toEqual({
      id: 'hook',
      kind: 'webhook',
      name: 'Ops webhook',
      enabled: true,
      url: 'https://hooks.example.com/v2',
      headers: { Authorization: MASKED_SECRET, 'X-Team': 'ops' },
    });
  });

  it('creates a desktop channel', async () => {
    const saveChannel = vi.fn(async (input: ChannelInput) => ({ id: 'd2', ...input }) as never);
    await renderApp('#/alerts/channels', { saveChannel });
    fireEvent.click(await screen.findByTestId('channel-new'));
    fireEvent.change(screen.getByTestId('channel-name'), { target: { value: 'Desk 2' } });
    fireEvent.click(screen.getByTestId('channel-save'));
    await waitFor(() =>
      expect(saveChannel).toHaveBeenCalledWith({ kind: 'desktop', name: 'Desk 2', enabled: true }),
    );
  });

  it('sends a test and follows the delivery until it fails, with the HTTP status and error', async () => {
    let polls = 0;
    const first = delivery('t1', { event: 'test', state: 'pending', attempts: 0, lastStatus: undefined });
    await renderApp('#/alerts/channels', {
      testChannel: async () => first,
      listDeliveries: async () => {
        polls += 1;
        return [
          polls < 2
            ? {
                ...first,
                state: 'retrying',
                attempts: 1,
                lastStatus: 401,
                lastError: 'HTTP 401 Unauthorized',
                nextAttemptAt: Date.now() + 2000,
              }
            : { ...first, state: 'failed', attempts: 3, lastStatus: 401, lastError: 'HTTP 401 Unauthorized' },
        ];
      },
    });
    const item = (await screen.findAllByTestId('channel-item')).find(
      (i) => i.getAttribute('data-channel-id') === 'hook',
    )!;
    vi.useFakeTimers({ shouldAdvanceTime: true });
    fireEvent.click(within(item).getByRole('button', { name: 'Send test through Ops webhook' }));
    const result = await within(item).findByTestId('channel-test-result');
    expect(result.getAttribute('data-state')).toBe('pending');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1600);
    });
    await waitFor(() => expect(result.getAttribute('data-state')).toBe('retrying'));
    expect(result.textContent).toContain('HTTP 401');
    expect(result.textContent).toContain('next attempt');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1600);
    });
    await waitFor(() => expect(result.getAttribute('data-state')).toBe('failed'));
    expect(result.getAttribute('role')).toBe('alert');
    expect(result.textContent).toContain('3 attempts');
    expect(result.textContent).toContain('HTTP 401 Unauthorized');
    // Settled: no more polling.
    const settledPolls = polls;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5000);
    });
    expect(polls).toBe(settledPolls);
  });
});

describe('deliveries', () => {
  it('shows failures with attempts, status and error, and counts them', async () => {
    await renderApp('#/alerts/deliveries', {
      getSnapshot: async () => ({
        ...fleet(),
        status: { ...status(), alerts: { active: 2, critical: 1, failedDeliveries: 1 } },
      }),
      listDeliveries: async () => [
        delivery('d1'),
        delivery('d2', {
          state: 'failed',
          attempts: 5,
          lastStatus: 503,
          lastError: 'HTTP 503 Service Unavailable',
        }),
      ],
    });
    const rows = await screen.findAllByTestId('delivery-row');
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['delivered', 'failed']);
    expect(rows[1]!.textContent).toContain('Failed');
    expect(rows[1]!.textContent).toContain('5 attempts');
    expect(rows[1]!.textContent).toContain('HTTP 503');
    expect(within(rows[1]!).getByTestId('delivery-error').textContent).toBe('HTTP 503 Service Unavailable');
    expect(screen.getByTestId('delivery-failed-count').textContent).toBe('1 failed');
    expect(screen.getByTestId('alerts-tab-deliveries').textContent).toContain('1');
  });

  it('warns about failed deliveries on the other tabs', async () => {
    await renderApp('#/alerts', {
      getSnapshot: async () => ({
        ...fleet(),
        status: { ...status(), alerts: { active: 2, critical: 1, failedDeliveries: 2 } },
      }),
    });
    expect(screen.getByTestId('alerts-failed-deliveries').textContent).toContain(
      '2 notification deliveries gave up',
    );
  });
});

describe('mutes', () => {
  it('adds a mute for a label with a preset duration and a reason, and removes one', async () => {
    const addMute = vi.fn(async (input: MuteInput) => mute('m2', input as never));
    const deleteMute = vi.fn(async () => ({ deleted: true }));
    await renderApp('#/alerts/mutes', {
      getAlertSettings: async () => settings({ mutes: [mute('m1')] }),
      addMute,
      deleteMute,
    });
    const listed = await screen.findByTestId('mute-item');
    expect(listed.textContent).toContain('Agent Web 1');
    expect(listed.textContent).toContain('kernel upgrade');

    const form = screen.getByTestId('mute-form');
    fireEvent.click(within(form).getByTestId('mute-kind-label'));
    fireEvent.change(within(form).getByTestId('mute-label-key'), { target: { value: 'role' } });
    fireEvent.change(within(form).getByTestId('mute-label-value'), { target: { value: 'db' } });
    const before = Date.now();
    fireEvent.click(within(form).getByTestId('mute-preset-h4'));
    fireEvent.change(within(form).getByTestId('mute-reason'), { target: { value: 'migration' } });
    fireEvent.click(within(form).getByTestId('mute-save'));
    await waitFor(() => expect(addMute).toHaveBeenCalledTimes(1));
    const input = addMute.mock.calls[0]![0];
    expect(input.target).toEqual({ kind: 'label', key: 'role', value: 'db' });
    expect(input.reason).toBe('migration');
    // Four hours from now, rounded up to the minute.
    expect(input.until).toBeGreaterThanOrEqual(before + 4 * 3_600_000);
    expect(input.until).toBeLessThanOrEqual(Date.now() + 4 * 3_600_000 + 60_000);

    fireEvent.click(within(screen.getByTestId('mute-item')).getByTestId('mute-delete'));
    await waitFor(() => expect(deleteMute).toHaveBeenCalledWith({ id: 'm1' }));
  });

  it('refuses an end in the past before asking the hub', async () => {
    const addMute = vi.fn();
    await renderApp('#/alerts/mutes', { addMute });
    const form = await screen.findByTestId('mute-form');
    fireEvent.change(within(form).getByTestId('mute-agent'), { target: { value: 'web-1' } });
    fireEvent.change(within(form).getByTestId('mute-until'), { target: { value: '2020-01-01T10:00' } });
    fireEvent.click(within(form).getByTestId('mute-save'));
    expect(within(form).getByText('Pick a time in the future.')).toBeTruthy();
    expect(addMute).not.toHaveBeenCalled();
  });
});

describe('MuteButton', () => {
  it('says whether the subject is muted and adds a mute for it from a dialog', async () => {
    const addMute = vi.fn(async (input: MuteInput) => mute('m9', input as never));
    let mutes = [mute('other', { target: { kind: 'agent', agentId: 'db-1' } })];
    api = new FakeConsoleApi({
      getAlertSettings: async () => settings({ mutes }),
      addMute: async (input) => {
        const m = await addMute(input);
        mutes = [...mutes, m];
        return m;
      },
    });
    store = createFleetStore();
    render(
      <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
        <MuteButton target={{ kind: 'agent', agentId: 'web-1' }} />
      </ConsoleProvider>,
    );
    const button = screen.getByTestId('mute-button');
    await waitFor(() => expect(calls('getAlertSettings')).toHaveLength(1));
    // Another agent's mute does not count.
    expect(button.getAttribute('data-muted')).toBe('false');
    expect(button.textContent).toBe('Mute alerts…');
    fireEvent.click(button);
    const dialog = screen.getByTestId('mute-dialog');
    // The target is fixed: no target picker.
    expect(within(dialog).queryByTestId('mute-kind-agent')).toBeNull();
    fireEvent.click(within(dialog).getByTestId('mute-preset-m30'));
    fireEvent.click(within(dialog).getByTestId('mute-save'));
    await waitFor(() => expect(addMute).toHaveBeenCalledTimes(1));
    expect(addMute.mock.calls[0]![0].target).toEqual({ kind: 'agent', agentId: 'web-1' });
    await waitFor(() => expect(button.getAttribute('data-muted')).toBe('true'));
    expect(button.textContent).toMatch(/^Muted until /);
  });
});
