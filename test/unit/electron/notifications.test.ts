import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindow as ElectronWindow } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, Notification, app, resetElectronMock } from './electron-mock';
import type {
  AlertNotification,
  AlertView,
  ConsoleHandlers,
  FleetDelta,
  HubStatus,
} from '../../../src-shared';
import { createConsoleService, type ConsoleEventListener } from '../../../src-main/hub/console-service';
import { createHub, type Hub } from '../../../src-main/hub/hub';
import { startApp } from '../../../src-main/electron/app';
import { createAppUrl } from '../../../src-main/electron/ipc';
import {
  ALERTS_HASH,
  notificationContent,
  startDesktopNotifications,
  windowTitle,
} from '../../../src-main/electron/notifications';

vi.mock('electron', () => import('./electron-mock'));
vi.mock('../../../src-main/hub/hub', () => ({ createHub: vi.fn() }));

const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function alert(overrides: Partial<AlertView> = {}): AlertView {
  return {
    id: 'a1',
    ruleId: 'r1',
    ruleName: 'Agent offline',
    kind: 'agent_offline',
    severity: 'warning',
    subject: { kind: 'agent', id: 'web-1', name: 'Web 1' },
    state: 'firing',
    startedAt: 1,
    firedAt: 2,
    message: 'offline for 2 s',
    muted: false,
    timeline: [],
    ...overrides,
  };
}

const fired = (overrides: Partial<AlertView> = {}): AlertNotification => ({
  event: 'alert.fired',
  alert: alert(overrides),
});

function alertsStatus(active: number): HubStatus {
  return { alerts: { active, critical: 0, failedDeliveries: 0 } } as HubStatus;
}

/** A console service whose events the test pushes. */
function fakeConsole() {
  const listeners = new Set<ConsoleEventListener>();
  const console = createConsoleService({} as ConsoleHandlers, (l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  });
  return {
    console,
    listeners,
    emit(event: 'delta' | 'notification', payload: unknown) {
      for (const l of listeners) l(event, payload as never);
    },
  };
}

const appUrl = createAppUrl({ indexHtml: '/opt/app/dist/renderer/index.html' });

describe('desktop notifications', () => {
  let hub: ReturnType<typeof fakeConsole>;
  let win: BrowserWindow;
  let focusWindow: ReturnType<typeof vi.fn<() => ElectronWindow | null>>;
  /** The mock window, typed as what the module expects. */
  const asWindow = (w: BrowserWindow) => w as unknown as ElectronWindow;

  function start(initialActive = 0) {
    return startDesktopNotifications({
      console: hub.console,
      getWindow: () => asWindow(win),
      focusWindow,
      appUrl,
      initialActive: () => initialActive,
      logger,
    });
  }

  beforeEach(() => {
    resetElectronMock();
    hub = fakeConsole();
    win = new BrowserWindow({ webPreferences: {} });
    focusWindow = vi.fn(() => asWindow(win));
  });

  it('shows a native notification for each alert that fires or resolves', () => {
    const n = start();
    hub.emit(
      'notification',
      fired({ severity: 'critical', ruleName: 'Disk full', message: '/data at 97 %' }),
    );
    hub.emit('notification', { event: 'alert.resolved', alert: alert({ state: 'resolved' }) });
    expect(Notification.instances.map((x) => x.options)).toEqual([
      { title: 'Critical: Disk full', body: 'Web 1: /data at 97 %', urgency: 'critical' },
      { title: 'Resolved: Agent offline', body: 'Web 1: offline for 2 s', urgency: 'normal' },
    ]);
    expect(Notification.instances.every((x) => x.show.mock.calls.length === 1)).toBe(true);
    n.stop();
  });

  it('turns a storm into five notifications and one summary', () => {
    vi.useFakeTimers();
    try {
      const n = start();
      for (let i = 0; i < 2000; i++) hub.emit('notification', fired({ id: `a${i}` }));
      expect(Notification.instances).toHaveLength(5);
      vi.advanceTimersByTime(10_000);
      expect(Notification.instances).toHaveLength(6);
      expect(Notification.instances[5]!.options).toMatchObject({ title: '1995 more alert notifications' });
      n.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not notify for muted alerts, nor where notifications are unsupported', () => {
    const n = start();
    hub.emit('notification', fired({ muted: true }));
    Notification.supported = false;
    hub.emit('notification', fired());
    expect(Notification.instances).toHaveLength(0);
    n.stop();
  });

  it('brings the window up on the Alerts view when a notification is clicked', async () => {
    const n = start();
    hub.emit('notification', fired());
    Notification.instances[0]!.emit('click');
    expect(focusWindow).toHaveBeenCalledTimes(1);
    const expected = new URL(appUrl.url);
    expected.hash = ALERTS_HASH;
    expect(win.loadURL).toHaveBeenCalledWith(expected.href);
    expect(expected.href).toBe(`${pathToFileURL('/opt/app/dist/renderer/index.html').href}#/alerts/active`);
    // Still our own page: the navigation guard of window.ts lets it through.
    expect(appUrl.matches(expected.href)).toBe(true);
    await flush();
    n.stop();
  });

  it('does nothing on click when no window can be opened', () => {
    focusWindow.mockReturnValue(null);
    const n = start();
    hub.emit('notification', fired());
    expect(() => Notification.instances[0]!.emit('click')).not.toThrow();
    expect(win.loadURL).not.toHaveBeenCalled();
    n.stop();
  });

  it('puts the firing alert count on the badge and in the window title, following deltas', () => {
    const n = start(2);
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(2);
    expect(win.getTitle()).toBe('(2) Agent Centralizer');
    hub.emit('delta', { seq: 1, status: alertsStatus(5) } as FleetDelta);
    expect(app.badgeCount).toBe(5);
    expect(win.getTitle()).toBe('(5) Agent Centralizer');
    // Deltas without a status (most of them) change nothing.
    app.setBadgeCount.mockClear();
    hub.emit('delta', { seq: 2 } as FleetDelta);
    expect(app.setBadgeCount).not.toHaveBeenCalled();
    hub.emit('delta', { seq: 3, status: alertsStatus(0) } as FleetDelta);
    expect(app.badgeCount).toBe(0);
    expect(win.getTitle()).toBe('Agent Centralizer');
    expect(n.active()).toBe(0);
    n.stop();
  });

  it('titles a window opened later with the current count', () => {
    const n = start(3);
    const later = new BrowserWindow({ webPreferences: {} });
    n.windowOpened(asWindow(later));
    expect(later.getTitle()).toBe('(3) Agent Centralizer');
    n.stop();
  });

  it('survives a platform without badge support and an unreadable initial count', () => {
    app.setBadgeCount.mockImplementation(() => {
      throw new Error('not supported');
    });
    const n = startDesktopNotifications({
      console: hub.console,
      getWindow: () => null,
      focusWindow,
      appUrl,
      initialActive: () => {
        throw new Error('no status yet');
      },
      logger,
    });
    expect(n.active()).toBe(0);
    hub.emit('delta', { seq: 1, status: alertsStatus(1) } as FleetDelta);
    expect(n.active()).toBe(1);
    n.stop();
  });

  it('stops listening when stopped', () => {
    const n = start();
    expect(hub.listeners.size).toBe(1);
    n.stop();
    n.stop();
    expect(hub.listeners.size).toBe(0);
    hub.emit('notification', fired());
    expect(Notification.instances).toHaveLength(0);
  });

  it('words titles like the console', () => {
    expect(windowTitle(0)).toBe('Agent Centralizer');
    expect(windowTitle(12)).toBe('(12) Agent Centralizer');
    expect(notificationContent(fired()).title).toBe('Warning: Agent offline');
  });
});

describe('wired into the app', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('notifies from the hub started by startApp, titles its window, and stops on quit', async () => {
    resetElectronMock();
    dir = mkdtempSync(join(tmpdir(), 'ac-notify-'));
    mkdirSync(join(dir, 'cwd'));
    app.userData = join(dir, 'userData');
    const events = fakeConsole();
    const hub = {
      console: events.console,
      start: vi.fn(async () => undefined),
      stop: vi.fn(async () => undefined),
      status: vi.fn(() => alertsStatus(1)),
    } as unknown as Hub;
    vi.mocked(createHub).mockImplementation(() => hub);
    const handle = startApp({
      envDirs: [join(dir, 'cwd')],
      processEnv: {},
      logger,
      paths: { indexHtml: join(dir, 'index.html'), preload: join(dir, 'preload.cjs') },
      crashGuards: false,
    });
    await handle.ready;
    const win = BrowserWindow.instances[0]!;
    expect(win.getTitle()).toBe('(1) Agent Centralizer');
    expect(app.badgeCount).toBe(1);

    events.emit('notification', fired());
    expect(Notification.instances).toHaveLength(1);
    win.minimize();
    Notification.instances[0]!.emit('click');
    expect(win.restore).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
    expect(win.loadURL).toHaveBeenCalledWith(`app://console/index.html#${ALERTS_HASH}`);

    app.quit();
    await flush();
    expect(app.quitted).toBe(true);
    // Only the window's forwarding is left (it ends when Electron closes the window).
    expect(events.listeners.size).toBe(1);
    events.emit('notification', fired());
    expect(Notification.instances).toHaveLength(1);
  });
});
