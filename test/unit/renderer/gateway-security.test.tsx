// @vitest-environment happy-dom
/**
 * Gateway security and limits in the console: the fingerprint with its copy button and a pinned
 * agent command line, the plain-ws warning (status bar on every screen + Settings), and the limits
 * panel with each counter.
 */
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayLimitsStatus, GatewayStatus } from '../../../src-shared';
import { setupI18n } from '../../../src-renderer/i18n';
import { FakeConsoleApi, snapshot, status } from './fixtures';
import { mountConsole, unmountConsole } from './mount-console';

beforeAll(() => setupI18n('en'));

const FINGERPRINT = `sha256:${'AB:'.repeat(31)}CD`;
const NEW_FINGERPRINT = `sha256:${'12:'.repeat(31)}34`;

const LIMITS: GatewayLimitsStatus = {
  settings: {
    messageRatePerSec: 20,
    messageBurst: 60,
    maxFrameBytes: 65_536,
    maxConnections: 20_000,
    maxBufferedBytes: 262_144,
    maxLabels: 32,
    maxConfigSchemaBytes: 32_768,
    helloTimeoutMs: 10_000,
  },
  counters: {
    rateLimited: 3,
    frameTooLarge: 0,
    helloRejected: 1,
    connectionCap: 7,
    slowConsumer: 2,
    helloTimeout: 0,
    protocolViolation: 0,
  },
};

let api: FakeConsoleApi;

async function renderApp(hash: string, gateway: Partial<GatewayStatus>) {
  const st = status(gateway);
  api = new FakeConsoleApi({
    getSnapshot: async () => ({ ...snapshot(1, []), status: st }),
    regenerateGatewayCertificate: async () => ({ fingerprint: NEW_FINGERPRINT }),
  });
  await mountConsole(api, hash);
}

afterEach(unmountConsole);

describe('gateway security in the console', () => {
  it('shows the fingerprint with a copy button and a pinned agent command', async () => {
    await renderApp('#/settings', {
      urls: ['wss://10.0.0.5:8765/agent/v1'],
      tls: { mode: 'self-signed', fingerprint: FINGERPRINT, subjectAltNames: ['IP Address:10.0.0.5'] },
      limits: LIMITS,
    });
    const card = await screen.findByTestId('gateway-security');
    expect(within(card).getByTestId('tls-fingerprint').textContent).toBe(FINGERPRINT);
    expect(within(card).getByTestId('tls-command').textContent).toBe(
      `npm run agent -- --url wss://10.0.0.5:8765/agent/v1 --fingerprint ${FINGERPRINT} --token <token>`,
    );
    expect(within(card).getByRole('button', { name: /Certificate fingerprint/ })).toBeTruthy();
    expect(within(card).queryByTestId('tls-off-warning')).toBeNull();
    expect(screen.queryByTestId('status-tls-off')).toBeNull();
  });

  it('warns in the status bar on any screen and in Settings when TLS is off', async () => {
    await renderApp('#/overview', { tls: { mode: 'off' }, limits: LIMITS });
    const chip = await screen.findByTestId('status-tls-off');
    expect(chip.textContent).toContain('Plain ws (no TLS)');
    expect(chip.getAttribute('href')).toBe('#/settings');
    unmountConsole();
    await renderApp('#/settings', { tls: { mode: 'off' }, limits: LIMITS });
    const warning = await screen.findByTestId('tls-off-warning');
    expect(warning.textContent).toContain('unencrypted');
    expect(screen.queryByTestId('tls-fingerprint')).toBeNull();
  });

  it('regenerates the certificate only after an explicit confirmation', async () => {
    await renderApp('#/settings', { tls: { mode: 'self-signed', fingerprint: FINGERPRINT }, limits: LIMITS });
    const box = await screen.findByTestId('tls-regenerate');
    fireEvent.click(within(box).getByRole('button', { name: 'Regenerate certificate…' }));
    expect(within(box).getByText(/every agent that pinned the current one is refused/)).toBeTruthy();
    fireEvent.click(within(box).getByRole('button', { name: 'Cancel' }));
    expect(api.calls.some((c) => c.channel === 'regenerateGatewayCertificate')).toBe(false);
    fireEvent.click(within(box).getByRole('button', { name: 'Regenerate certificate…' }));
    fireEvent.click(within(box).getByRole('button', { name: 'Regenerate now' }));
    expect((await within(box).findByRole('status')).textContent).toContain(NEW_FINGERPRINT);
    expect(api.calls.filter((c) => c.channel === 'regenerateGatewayCertificate')).toHaveLength(1);
  });

  it('shows a TLS setup error naming the settings key', async () => {
    await renderApp('#/settings', {
      state: 'error',
      tls: { mode: 'files', error: 'CENTRALIZER_GATEWAY_TLS_KEY: cannot read /etc/hub.key (ENOENT)' },
    });
    const error = await screen.findByTestId('tls-error');
    expect(error.textContent).toContain('CENTRALIZER_GATEWAY_TLS_KEY');
  });

  it('lists each limit with its value, what the agent gets, and its counter', async () => {
    await renderApp('#/settings', { tls: { mode: 'self-signed', fingerprint: FINGERPRINT }, limits: LIMITS });
    const panel = await screen.findByTestId('gateway-limits');
    const row = (key: string) => within(panel).getByTestId(`limit-${key}`);
    expect(row('rateLimited').textContent).toContain('20/s, bursts of 60');
    expect(row('rateLimited').textContent).toContain('4008');
    expect(within(panel).getByTestId('limit-rateLimited-count').textContent).toBe('3');
    expect(row('connectionCap').textContent).toContain('HTTP 503');
    expect(within(panel).getByTestId('limit-connectionCap-count').textContent).toBe('7');
    expect(row('slowConsumer').textContent).toContain('4009');
    expect(within(panel).getByTestId('limit-slowConsumer-count').textContent).toBe('2');
    expect(row('helloRejected').textContent).toContain('32 labels');
    expect(row('frameTooLarge').textContent).toContain('1009');
    // Non-zero counters stand out.
    expect(within(panel).getByTestId('limit-slowConsumer-count').className).toContain('warn-text');
    expect(within(panel).getByTestId('limit-frameTooLarge-count').className).not.toContain('warn-text');
  });
});
