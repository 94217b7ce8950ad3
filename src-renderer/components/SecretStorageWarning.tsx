import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BrokerSettingsView } from '../../src-shared/broker-protocol';
import { useConsole, useFleet } from '../state/context';

/**
 * True when a password the operator saved is on disk only obfuscated: Electron's safeStorage fell
 * back to `basic_text` (Linux session without a keyring) and the broker settings (with their
 * password) come from the Settings screen. A password from .env / the environment is not stored by
 * the console, so it does not count.
 */
export function storedSecretIsWeak(view: BrokerSettingsView | null): boolean {
  return (
    view !== null && view.secretBackend === 'basic_text' && view.source === 'settings' && view.hasPassword
  );
}

/**
 * Status-bar warning, shown on every screen while a stored secret is only obfuscated; links to
 * Settings, where the full explanation is. Re-reads the broker settings whenever the broker state
 * changes (saving settings reconnects the broker), so it appears and disappears by itself.
 */
export function SecretStorageWarning() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const brokerState = useFleet((s) => s.status?.broker?.state);
  const [view, setView] = useState<BrokerSettingsView | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.call('getBrokerSettings', undefined).then(
      (value) => {
        if (!cancelled) setView(value);
      },
      () => {
        // Not knowing is not a reason to warn; the Settings screen shows the load error.
        if (!cancelled) setView(null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, brokerState]);

  if (!storedSecretIsWeak(view)) return null;
  return (
    <a
      className="sb-item sb-warn"
      href="#/settings"
      data-testid="status-secrets-basic-text"
      title={t('status.secretsBasicText.title')}
    >
      <span aria-hidden="true">⚠ </span>
      {t('status.secretsBasicText.label')}
    </a>
  );
}
