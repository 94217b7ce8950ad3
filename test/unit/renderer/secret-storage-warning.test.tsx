// @vitest-environment happy-dom
/**
 * The `basic_text` warning (Electron safeStorage without a keyring): in the status bar on every
 * screen while a saved broker password is only obfuscated, and in Settings → Broker.
 */
import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerSettingsView } from '../../../src-shared/broker-protocol';
import { storedSecretIsWeak } from '../../../src-renderer/components/SecretStorageWarning';
import { setupI18n } from '../../../src-renderer/i18n';
import { FakeConsoleApi, brokerStatus, delta, snapshot, status } from './fixtures';
import { mountConsole, unmountConsole } from './mount-console';

beforeAll(() => setupI18n('en'));

const WEAK: BrokerSettingsView = {
  source: 'settings',
  host: 'mq.example',
  port: 5672,
  username: 'hub',
  vhost: '/',
  tls: false,
  hasPassword: true,
  secretBackend: 'basic_text',
};

let api: FakeConsoleApi;

async function renderApp(hash: string, settings: () => Promise<BrokerSettingsView>) {
  const st = status();
  st.broker = brokerStatus({ state: 'connected' });
  api = new FakeConsoleApi({
    getSnapshot: async () => ({ ...snapshot(10, []), status: st }),
    getBrokerSettings: settings,
  });
  await mountConsole(api, hash);
}

afterEach(unmountConsole);

describe('basic_text secret storage warning', () => {
  it('is shown in the status bar on any screen, links to Settings and explains the risk', async () => {
    await renderApp('#/overview', async () => WEAK);
    const warning = await screen.findByTestId('status-secrets-basic-text');
    expect(warning.textContent).toContain('Broker password not encrypted');
    expect(warning.getAttribute('href')).toBe('#/settings');
    expect(warning.getAttribute('title')).toMatch(/only obfuscated.*no keyring/);
    expect(warning.className).toContain('sb-warn');
  });

  it('is also shown, with the explanation, in Settings → Broker', async () => {
    await renderApp('#/settings', async () => WEAK);
    expect((await screen.findByTestId('broker-basic-text')).textContent).toContain(
      'Passwords are only obfuscated: this Linux session has no keyring',
    );
    expect(screen.getByTestId('status-secrets-basic-text')).toBeTruthy();
  });

  it('is not shown with a real keyring, without a saved password, or when settings cannot load', async () => {
    for (const settings of [
      async () => ({ ...WEAK, secretBackend: 'os' as const }),
      async () => ({ ...WEAK, secretBackend: 'unavailable' as const }),
      async () => ({ ...WEAK, hasPassword: false }),
      async () => ({ ...WEAK, source: 'env' as const }),
      async (): Promise<BrokerSettingsView> => {
        throw new Error('hub unreachable');
      },
    ]) {
      await renderApp('#/overview', settings);
      await waitFor(() => expect(api.calls.some((c) => c.channel === 'getBrokerSettings')).toBe(true));
      await act(async () => {});
      expect(screen.queryByTestId('status-secrets-basic-text')).toBeNull();
      unmountConsole();
    }
  });

  it('appears once a password is saved (the broker reconnects) and goes away when it is removed', async () => {
    let current: BrokerSettingsView = { ...WEAK, hasPassword: false };
    await renderApp('#/overview', async () => current);
    await act(async () => {});
    expect(screen.queryByTestId('status-secrets-basic-text')).toBeNull();

    current = WEAK;
    const st = status();
    st.broker = brokerStatus({ state: 'connecting' });
    act(() => api.emit('delta', delta(11, { status: st })));
    await screen.findByTestId('status-secrets-basic-text');

    current = { ...WEAK, hasPassword: false };
    const st2 = status();
    st2.broker = brokerStatus({ state: 'connected' });
    act(() => api.emit('delta', delta(12, { status: st2 })));
    await waitFor(() => expect(screen.queryByTestId('status-secrets-basic-text')).toBeNull());
  });

  it('storedSecretIsWeak: only a saved password under basic_text', () => {
    expect(storedSecretIsWeak(WEAK)).toBe(true);
    expect(storedSecretIsWeak(null)).toBe(false);
    expect(storedSecretIsWeak({ ...WEAK, secretBackend: 'os' })).toBe(false);
    expect(storedSecretIsWeak({ ...WEAK, source: 'none' })).toBe(false);
  });
});
