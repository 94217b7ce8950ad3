/**
 * Alert notifications inside the console: in-page toasts for the hub's `notification` events, the
 * browser's Notification API in the headless console (Electron notifies from the main process, see
 * src-main/electron/notifications.ts), and the active alert count in the document title.
 *
 * One center per ConsoleApi (a WeakMap, not a module singleton), so every test's fresh fake API gets
 * a fresh center and nothing leaks between them.
 */
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleApi } from '../../src-shared/console-api';
import type { AlertNotification, AlertView } from '../../src-shared/monitoring';
import { createNotificationThrottle } from '../../src-shared/notification-throttle';
import { i18next } from '../i18n';
import { ruleDisplayName } from '../i18n/rule-names';
import { useConsole } from './context';
import type { FleetStore } from './fleet-store';
import { navigate } from './router';

export interface Toast {
  /** `<alertId>:<event>`: a repeated event for the same alert replaces its toast. */
  id: string;
  event: AlertNotification['event'];
  alert: AlertView;
}

/**
 * Browser notifications: `native` in Electron (the main process shows them), `unsupported` without
 * the API or on a non-secure page, else the permission, with `off` when granted but turned off here.
 */
export type DesktopState = 'native' | 'unsupported' | 'default' | 'denied' | 'on' | 'off';

export interface NotificationsState {
  /** Newest first, at most `maxToasts`. */
  toasts: Toast[];
  desktop: DesktopState;
}

/** The subset of the browser's Notification constructor we use (tests pass a fake). */
export interface BrowserNotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions): Pick<Notification, 'close' | 'onclick'>;
}

export interface NotificationCenterOptions {
  api: ConsoleApi;
  fleet: FleetStore;
  /** True in Electron: no browser notifications from the page. */
  native: boolean;
  /** Default: the page's `Notification`, when it exists on a secure page. */
  browserNotification?: BrowserNotificationApi | null;
  /** Remembers "turned off" across reloads. Default: localStorage when usable. */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Where the title goes (default: document). */
  titleTarget?: { title: string };
  maxToasts?: number;
  /** A click on a browser notification opens this (default: the Alerts view). */
  openAlerts?: () => void;
}

export interface NotificationCenter {
  readonly store: StoreApi<NotificationsState>;
  /** Listen to the hub and keep the title up to date. Ref-counted: the last stop() detaches. */
  start(): () => void;
  dismiss(id: string): void;
  /** Ask the browser for permission. Browsers only honour this from a user gesture (a click). */
  enableDesktop(): Promise<void>;
  disableDesktop(): void;
}

const STORAGE_KEY = 'centralizer.desktopNotifications';

function defaultBrowserNotification(): BrowserNotificationApi | null {
  if (typeof window === 'undefined' || typeof window.Notification !== 'function') return null;
  // The API exists on http:// pages too, but permission is always denied there: say "unavailable".
  if (!window.isSecureContext) return null;
  return window.Notification as unknown as BrowserNotificationApi;
}

function defaultStorage(): Pick<Storage, 'getItem' | 'setItem'> | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled by the browser
  }
}

/** "(3) Agent Centralizer" while alerts fire, the plain name otherwise. */
export function documentTitle(active: number): string {
  const name = i18next.t('app.name');
  return active > 0 ? i18next.t('alerts.documentTitle', { active, name }) : name;
}

/** Title and body of a notification, shared by the browser notification and the toast. */
export function notificationText(n: Pick<AlertNotification, 'event' | 'alert'>): {
  title: string;
  body: string;
} {
  const { alert } = n;
  const title =
    n.event === 'alert.resolved'
      ? i18next.t('alerts.notify.resolvedTitle', { rule: ruleDisplayName(alert.ruleId, alert.ruleName) })
      : i18next.t(`alerts.notify.firedTitle.${alert.severity}`, {
          rule: ruleDisplayName(alert.ruleId, alert.ruleName),
        });
  return {
    title,
    body: i18next.t('alerts.notify.body', { subject: alert.subject.name, message: alert.message }),
  };
}

export function createNotificationCenter(options: NotificationCenterOptions): NotificationCenter {
  const browser =
    options.browserNotification === undefined ? defaultBrowserNotification() : options.browserNotification;
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const maxToasts = options.maxToasts ?? 5;
  const titleTarget = options.titleTarget ?? (typeof document === 'undefined' ? { title: '' } : document);
  const openAlerts = options.openAlerts ?? (() => navigate({ view: 'alerts', tab: 'active' }));

  const desktopState = (): DesktopState => {
    if (options.native) return 'native';
    if (!browser) return 'unsupported';
    if (browser.permission === 'granted') return storage?.getItem(STORAGE_KEY) === 'off' ? 'off' : 'on';
    return browser.permission;
  };

  const store = createStore<NotificationsState>()(() => ({ toasts: [], desktop: desktopState() }));

  function post(title: string, body: string, tag: string): void {
    if (!browser) return;
    try {
      // The alert id as tag: "resolved" replaces the "fired" notification of the same alert.
      const shown = new browser(title, { body, tag });
      shown.onclick = () => {
        window.focus();
        openAlerts();
        shown.close();
      };
    } catch {
      // Some browsers (Android Chrome) only allow notifications from a service worker: toast only.
    }
  }

  // A storm (a switch takes 2,000 agents down) gives a few notifications and one summary.
  const throttle = createNotificationThrottle<AlertNotification>({
    show: (n) => {
      const { title, body } = notificationText(n);
      post(title, body, n.alert.id);
    },
    summarize: (count) =>
      post(
        i18next.t('alerts.notify.summaryTitle', { count }),
        i18next.t('alerts.notify.summaryBody'),
        'summary',
      ),
  });

  function showDesktop(n: AlertNotification): void {
    if (!browser || desktopState() !== 'on') return;
    throttle.push(n);
  }

  function onNotification(n: AlertNotification): void {
    // A muted alert is shown in the lists but never notified (the hub should not send one anyway).
    if (n.alert.muted) return;
    const id = `${n.alert.id}:${n.event}`;
    const toast: Toast = { id, event: n.event, alert: n.alert };
    // The resolution replaces the "fired" toast of the same alert: one toast per alert.
    const rest = store.getState().toasts.filter((x) => x.alert.id !== n.alert.id);
    store.setState({ toasts: [toast, ...rest].slice(0, maxToasts) });
    showDesktop(n);
  }

  let users = 0;
  let detach: (() => void) | null = null;

  function attach(): () => void {
    const offNotification = options.api.on('notification', onNotification);
    let shown = -1;
    const applyTitle = (): void => {
      const active = options.fleet.getState().status?.alerts?.active ?? 0;
      if (active === shown) return;
      shown = active;
      titleTarget.title = documentTitle(active);
    };
    applyTitle();
    const offFleet = options.fleet.subscribe(applyTitle);
    return () => {
      offNotification();
      offFleet();
    };
  }

  return {
    store,
    start() {
      users += 1;
      if (users === 1) detach = attach();
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        users -= 1;
        if (users === 0) {
          detach?.();
          detach = null;
        }
      };
    },
    dismiss(id) {
      const toasts = store.getState().toasts;
      if (toasts.some((x) => x.id === id)) store.setState({ toasts: toasts.filter((x) => x.id !== id) });
    },
    async enableDesktop() {
      if (!browser) return;
      storage?.setItem(STORAGE_KEY, 'on');
      if (browser.permission === 'default') {
        try {
          await browser.requestPermission();
        } catch {
          // Treated as "not granted"; the state below says what the browser decided.
        }
      }
      store.setState({ desktop: desktopState() });
    },
    disableDesktop() {
      storage?.setItem(STORAGE_KEY, 'off');
      store.setState({ desktop: desktopState() });
    },
  };
}

const centers = new WeakMap<ConsoleApi, NotificationCenter>();

/** The center of this console (created on first use). */
export function useNotificationCenter(): NotificationCenter {
  const { api, store, transportKind } = useConsole();
  let center = centers.get(api);
  if (!center) {
    center = createNotificationCenter({ api, fleet: store, native: transportKind === 'ipc' });
    centers.set(api, center);
  }
  return center;
}

export function useNotifications<T>(selector: (state: NotificationsState) => T): T {
  return useStore(useNotificationCenter().store, selector);
}
