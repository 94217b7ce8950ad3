// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertNotification } from '../../../src-shared/monitoring';
import { App } from '../../../src-renderer/App';
import { TOAST_MS } from '../../../src-renderer/components/alerts/Toasts';
import { setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore, type FleetStore } from '../../../src-renderer/state/fleet-store';
import {
  createNotificationCenter,
  type BrowserNotificationApi,
  type NotificationCenter,
} from '../../../src-renderer/state/notifications';
import { startFleetSync, type FleetSync } from '../../../src-renderer/state/sync';
import { alertView, settings } from './alerts-fixtures';
import { FakeConsoleApi, agent, delta, snapshot, status } from './fixtures';

beforeAll(() => {
  setupI18n('en');
});

const fired = (id: string, overrides: Parameters<typeof alertView>[1] = {}): AlertNotification => ({
  event: 'alert.fired',
  alert: alertView(id, overrides),
});
const resolved = (id: string): AlertNotification => ({
  event: 'alert.resolved',
  alert: alertView(id, { state: 'resolved', resolvedAt: Date.now() }),
});

/** A stand-in for the browser's Notification constructor that records what was shown. */
function fakeBrowserNotification(
  permission: NotificationPermission,
  answer: NotificationPermission = 'granted',
) {
  const shown: {
    title: string;
    options?: NotificationOptions;
    instance: { onclick: unknown; close: () => void };
  }[] = [];
  class FakeNotification {
    static permission: NotificationPermission = permission;
    static requestPermission = vi.fn(async () => {
      FakeNotification.permission = answer;
      return answer;
    });
    onclick: ((this: Notification, ev: Event) => unknown) | null = null;
    close = vi.fn();
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, options, instance: this });
    }
  }
  return { api: FakeNotification as unknown as BrowserNotificationApi & typeof FakeNotification, shown };
}

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

describe('notification center', () => {
  let api: FakeConsoleApi;
  let fleet: FleetStore;
  let title: { title: string };
  let center: NotificationCenter;

  function make(options: Partial<Parameters<typeof createNotificationCenter>[0]> = {}) {
    center = createNotificationCenter({
      api,
      fleet,
      native: false,
      browserNotification: null,
      storage: memoryStorage(),
      titleTarget: title,
      ...options,
    });
    return center;
  }

  beforeEach(() => {
    api = new FakeConsoleApi();
    fleet = createFleetStore();
    title = { title: '' };
  });

  it('turns hub notifications into toasts, newest first, one per alert, bounded', () => {
    const stop = make({ maxToasts: 3 }).start();
    api.emit('notification', fired('a1'));
    api.emit('notification', fired('a2', { severity: 'critical' }));
    expect(center.store.getState().toasts.map((t) => t.id)).toEqual(['a2:alert.fired', 'a1:alert.fired']);
    // The resolution replaces the alert's "fired" toast instead of stacking a second one.
    api.emit('notification', resolved('a1'));
    expect(center.store.getState().toasts.map((t) => t.id)).toEqual(['a1:alert.resolved', 'a2:alert.fired']);
    api.emit('notification', fired('a3'));
    api.emit('notification', fired('a4'));
    expect(center.store.getState().toasts.map((t) => t.alert.id)).toEqual(['a4', 'a3', 'a1']);
    center.dismiss('a3:alert.fired');
    expect(center.store.getState().toasts.map((t) => t.alert.id)).toEqual(['a4', 'a1']);
    stop();
  });

  it('ignores notifications of muted alerts', () => {
    const stop = make().start();
    api.emit('notification', fired('a1', { muted: true }));
    expect(center.store.getState().toasts).toEqual([]);
    stop();
  });

  it('listens only while started, however many components started it', () => {
    make();
    const a = center.start();
    const b = center.start();
    expect(api.listenerCount('notification')).toBe(1);
    a();
    a(); // stopping twice is harmless
    expect(api.listenerCount('notification')).toBe(1);
    b();
    expect(api.listenerCount('notification')).toBe(0);
    api.emit('notification', fired('late'));
    expect(center.store.getState().toasts).toEqual([]);
  });

  it('puts the active alert count from the hub status in the title', () => {
    const stop = make().start();
    expect(title.title).toBe('Agent Centralizer');
    fleet.getState().applySnapshot({
      ...snapshot(1, []),
      status: { ...status(), alerts: { active: 3, critical: 1, failedDeliveries: 0 } },
    });
    expect(title.title).toBe('(3) Agent Centralizer');
    fleet
      .getState()
      .applyDelta(
        delta(2, { status: { ...status(), alerts: { active: 0, critical: 0, failedDeliveries: 0 } } }),
      );
    expect(title.title).toBe('Agent Centralizer');
    stop();
  });

  it('shows a browser notification only once granted and turned on, and a click opens the alerts', async () => {
    const browser = fakeBrowserNotification('default');
    const openAlerts = vi.fn();
    const focus = vi.spyOn(window, 'focus').mockImplementation(() => {});
    const stop = make({ browserNotification: browser.api, openAlerts }).start();
    expect(center.store.getState().desktop).toBe('default');
    api.emit('notification', fired('a1'));
    expect(browser.shown).toHaveLength(0); // no permission asked for behind the operator's back
    expect(browser.api.requestPermission).not.toHaveBeenCalled();

    await center.enableDesktop();
    expect(browser.api.requestPermission).toHaveBeenCalledTimes(1);
    expect(center.store.getState().desktop).toBe('on');
    api.emit(
      'notification',
      fired('a2', { severity: 'critical', ruleName: 'CPU high', message: 'CPU 97 %' }),
    );
    expect(browser.shown).toHaveLength(1);
    expect(browser.shown[0]!.title).toBe('Critical: CPU high');
    expect(browser.shown[0]!.options).toMatchObject({ body: 'Web 1: CPU 97 %', tag: 'a2' });
    (browser.shown[0]!.instance.onclick as () => void)();
    expect(focus).toHaveBeenCalled();
    expect(openAlerts).toHaveBeenCalledTimes(1);

    center.disableDesktop();
    expect(center.store.getState().desktop).toBe('off');
    api.emit('notification', fired('a3'));
    expect(browser.shown).toHaveLength(1);
    // Toasts are shown whatever the desktop setting.
    expect(center.store.getState().toasts).toHaveLength(3);
    stop();
    focus.mockRestore();
  });

  it('reports a refused permission and never notifies', async () => {
    const browser = fakeBrowserNotification('default', 'denied');
    const stop = make({ browserNotification: browser.api }).start();
    await center.enableDesktop();
    expect(center.store.getState().desktop).toBe('denied');
    api.emit('notification', fired('a1'));
    expect(browser.shown).toHaveLength(0);
    stop();
  });

  it('leaves desktop notifications to the main process in Electron', () => {
    const browser = fakeBrowserNotification('granted');
    const stop = make({ native: true, browserNotification: browser.api }).start();
    expect(center.store.getState().desktop).toBe('native');
    api.emit('notification', fired('a1'));
    expect(browser.shown).toHaveLength(0);
    expect(center.store.getState().toasts).toHaveLength(1);
    stop();
  });
});

describe('toasts in the console', () => {
  let api: FakeConsoleApi;
  let store: FleetStore;
  let sync: FleetSync;

  async function renderApp() {
    location.hash = '#/alerts';
    api = new FakeConsoleApi({
      getSnapshot: async () => ({
        ...snapshot(1, [agent('web-1', { name: 'Web 1' })]),
        status: { ...status(), alerts: { active: 2, critical: 1, failedDeliveries: 0 } },
        alerts: [alertView('a1'), alertView('a2', { severity: 'critical' })],
      }),
      getAlertSettings: async () => settings(),
      listAlerts: async () => [],
      listDeliveries: async () => [],
    });
    store = createFleetStore();
    sync = startFleetSync(api, store);
    render(
      <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
        <App />
      </ConsoleProvider>,
    );
    await screen.findByTestId('alerts-view');
  }

  afterEach(() => {
    sync.stop();
    cleanup();
    vi.useRealTimers();
  });

  it('shows a toast per notification: polite for warnings, assertive for critical, dismissable', async () => {
    await renderApp();
    act(() => api.emit('notification', fired('a1')));
    const toast = await screen.findByTestId('toast');
    expect(toast.getAttribute('role')).toBe('status');
    expect(toast.textContent).toContain('Warning: Agent offline');
    expect(toast.textContent).toContain('Web 1: web-1 has been offline for 5 s');
    expect(within(toast).getByRole('link', { name: 'Show agent' }).getAttribute('href')).toBe(
      '#/agents/web-1',
    );

    act(() => api.emit('notification', fired('a2', { severity: 'critical', ruleName: 'Disk full' })));
    const critical = screen.getAllByTestId('toast').find((t) => t.getAttribute('data-alert-id') === 'a2')!;
    expect(critical.getAttribute('role')).toBe('alert');

    fireEvent.click(within(critical).getByRole('button', { name: 'Dismiss notification' }));
    expect(screen.getAllByTestId('toast').map((t) => t.getAttribute('data-alert-id'))).toEqual(['a1']);
    // Escape on a focused toast dismisses it too.
    fireEvent.keyDown(screen.getByTestId('toast'), { key: 'Escape' });
    expect(screen.queryByTestId('toast')).toBeNull();
  });

  it('lets warnings go after a while, keeps critical ones until dismissed, pauses on hover', async () => {
    await renderApp();
    vi.useFakeTimers();
    act(() => {
      api.emit('notification', fired('warn'));
      api.emit('notification', fired('crit', { severity: 'critical' }));
      api.emit('notification', fired('hovered'));
    });
    const hovered = screen
      .getAllByTestId('toast')
      .find((t) => t.getAttribute('data-alert-id') === 'hovered')!;
    fireEvent.mouseEnter(hovered);
    act(() => vi.advanceTimersByTime(TOAST_MS + 100));
    expect(screen.getAllByTestId('toast').map((t) => t.getAttribute('data-alert-id'))).toEqual([
      'hovered',
      'crit',
    ]);
    fireEvent.mouseLeave(hovered);
    act(() => vi.advanceTimersByTime(TOAST_MS + 100));
    expect(screen.getAllByTestId('toast').map((t) => t.getAttribute('data-alert-id'))).toEqual(['crit']);
  });

  it('shows the active count in the document title and the sidebar', async () => {
    await renderApp();
    expect(document.title).toBe('(2) Agent Centralizer');
    expect(screen.getByTestId('nav-alerts-badge').textContent).toBe('2');
    expect(screen.getByTestId('nav-alerts-badge').className).toContain('nav-badge-bad');
    act(() => {
      api.emit(
        'delta',
        delta(2, { status: { ...status(), alerts: { active: 0, critical: 0, failedDeliveries: 0 } } }),
      );
    });
    expect(document.title).toBe('Agent Centralizer');
    expect(screen.queryByTestId('nav-alerts-badge')).toBeNull();
  });
});
