/**
 * Desktop notifications and the alert badge of the Electron app. The hub pushes `notification`
 * events (an alert with a desktop channel fired or resolved) through its console service; they are
 * shown as native notifications here, in the main process, because the page is sandboxed and its
 * session denies the web Notification permission (window.ts). A click brings the window up on the
 * Alerts view. The count of firing alerts (HubStatus.alerts.active, carried by deltas) goes to the
 * dock/launcher badge and the window title.
 *
 * The words come from the console's locale files, in the OS language (notification-text.ts).
 */
import { app, Notification, type BrowserWindow } from 'electron';
import type { AlertNotification, ConsoleEvents, EventChannel, FleetDelta } from '../../src-shared';
import { createNotificationThrottle } from '../../src-shared/notification-throttle';
import type { ConsoleService } from '../hub/console-service';
import type { Logger } from '../hub/logger';
import type { AppUrl } from './ipc';
import { notificationContent, notificationLanguage, summaryContent } from './notification-text';
import { WINDOW_TITLE } from './window';

/** The route a notification click opens (src-renderer/state/router.ts). */
export const ALERTS_HASH = '/alerts/active';
/** Notifications kept referenced (so their click handlers survive GC) before the oldest is dropped. */
const MAX_LIVE_NOTIFICATIONS = 20;

export interface DesktopNotificationsOptions {
  console: ConsoleService;
  /** The window, if one is open. */
  getWindow(): BrowserWindow | null;
  /** Open (or re-create), restore and focus the window; returns it. */
  focusWindow(): BrowserWindow | null;
  /** Our page, to open the Alerts view on it. */
  appUrl: AppUrl;
  /** Firing alerts when starting (later counts arrive with deltas). */
  initialActive?: () => number;
  logger?: Logger;
}

export interface DesktopNotifications {
  /** Re-apply the title to a newly opened window. */
  windowOpened(win: BrowserWindow): void;
  /** Firing alerts as last reported. */
  active(): number;
  stop(): void;
}

export function windowTitle(active: number): string {
  return active > 0 ? `(${active}) ${WINDOW_TITLE}` : WINDOW_TITLE;
}

export { notificationContent };

export function startDesktopNotifications(options: DesktopNotificationsOptions): DesktopNotifications {
  const { logger } = options;
  const live = new Set<Notification>();
  // The OS language, which is also the console's default (app.getLocale() is the renderer's navigator.language).
  const lng = notificationLanguage(app.getLocale?.());
  let active = 0;
  try {
    active = options.initialActive?.() ?? 0;
  } catch (error) {
    logger?.warn('could not read the alert count', { error: (error as Error)?.message });
  }

  const applyTitle = (win: BrowserWindow | null): void => {
    if (!win || win.isDestroyed()) return;
    // window.ts blocks page-set titles (page-title-updated), so the count is set from here.
    win.setTitle(windowTitle(active));
  };

  const applyCount = (): void => {
    try {
      // macOS dock and Linux launchers (Unity); false or a no-op elsewhere.
      app.setBadgeCount(active);
    } catch (error) {
      logger?.debug('badge count not supported', { error: (error as Error)?.message });
    }
    applyTitle(options.getWindow());
  };

  const openAlerts = (): void => {
    const win = options.focusWindow();
    if (!win || win.isDestroyed()) return;
    const url = new URL(options.appUrl.url);
    url.hash = ALERTS_HASH;
    // Same page, new fragment: a same-document navigation, the console keeps its state.
    Promise.resolve(win.loadURL(url.href)).catch((error: unknown) => {
      logger?.warn('could not open the alerts view', { error: (error as Error)?.message });
    });
  };

  const post = (title: string, body: string, urgency: 'critical' | 'normal'): void => {
    try {
      const notification = new Notification({ title, body, urgency });
      const forget = (): void => {
        live.delete(notification);
      };
      notification.on('click', () => {
        forget();
        openAlerts();
      });
      notification.on('close', forget);
      live.add(notification);
      if (live.size > MAX_LIVE_NOTIFICATIONS) {
        const oldest = live.values().next().value;
        if (oldest) live.delete(oldest);
      }
      notification.show();
    } catch (error) {
      logger?.warn('could not show a desktop notification', { error: (error as Error)?.message });
    }
  };

  // A storm (a switch takes 2,000 agents down) gives a few notifications and one summary.
  const throttle = createNotificationThrottle<AlertNotification>({
    show: (n) => {
      const { title, body } = notificationContent(n, lng);
      post(title, body, n.event === 'alert.fired' && n.alert.severity === 'critical' ? 'critical' : 'normal');
    },
    summarize: (heldBack) => {
      const { title, body } = summaryContent(heldBack, lng);
      post(title, body, 'normal');
    },
  });

  const show = (n: AlertNotification): void => {
    // A muted alert is listed in the console but notifies nobody.
    if (n.alert.muted) return;
    if (!Notification.isSupported()) return;
    throttle.push(n);
  };

  const unsubscribe = options.console.subscribe(
    <E extends EventChannel>(event: E, payload: ConsoleEvents[E]) => {
      if (event === 'notification') {
        show(payload as AlertNotification);
      } else if (event === 'delta') {
        const next = (payload as FleetDelta).status?.alerts?.active;
        if (next !== undefined && next !== active) {
          active = next;
          applyCount();
        }
      }
    },
  );
  applyCount();

  let stopped = false;
  return {
    windowOpened: applyTitle,
    active: () => active,
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      throttle.dispose();
      live.clear();
    },
  };
}
