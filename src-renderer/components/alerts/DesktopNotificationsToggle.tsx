/**
 * Browser (headless console) desktop notifications: permission is asked only when the operator
 * clicks, as browsers require. In Electron the app notifies natively, so nothing is shown here.
 */
import { useTranslation } from 'react-i18next';
import { useNotificationCenter, useNotifications } from '../../state/notifications';

export function DesktopNotificationsToggle() {
  const { t } = useTranslation();
  const center = useNotificationCenter();
  const desktop = useNotifications((s) => s.desktop);
  if (desktop === 'native') return null;
  if (desktop === 'unsupported' || desktop === 'denied') {
    return (
      <p className="muted small desktop-note" data-testid="desktop-notifications" data-state={desktop}>
        {t(`alerts.desktop.${desktop}`)}
      </p>
    );
  }
  const on = desktop === 'on';
  return (
    <button
      type="button"
      className="btn btn-small"
      data-testid="desktop-notifications"
      data-state={desktop}
      onClick={() => (on ? center.disableDesktop() : void center.enableDesktop())}
    >
      {t(`alerts.desktop.action.${desktop}`)}
    </button>
  );
}
