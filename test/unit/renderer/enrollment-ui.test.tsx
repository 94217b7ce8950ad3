// @vitest-environment happy-dom
/** Enrollment in the console: Settings → Enrollment, pending agents (Accept / Reject), Revoke dialog. */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EnrollmentView, RevokeResult } from '../../../src-shared';
import { PendingAgents } from '../../../src-renderer/components/PendingAgents';
import { RevokeButton } from '../../../src-renderer/components/RevokeAgent';
import { EnrollmentSection } from '../../../src-renderer/components/settings/EnrollmentSection';
import { i18next, setupI18n } from '../../../src-renderer/i18n';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore } from '../../../src-renderer/state/fleet-store';
import { FakeConsoleApi } from './fixtures';

const TOKEN = 'SeCrEt-enrollment-token-0123456789';

function view(overrides: Partial<EnrollmentView> = {}): EnrollmentView {
  return {
    tokenMasked: 'SeCr••••••••••••',
    tokenSource: 'generated',
    approvalMode: true,
    enrolledAgents: 3,
    pending: [
      {
        agentId: 'web-07',
        name: 'Web 07',
        hostname: 'web-07.example',
        remoteAddress: '10.0.0.7',
        requestedAt: Date.UTC(2026, 10, 28, 12),
      },
    ],
    ...overrides,
  };
}

function renderWith(api: FakeConsoleApi, children: ReactNode) {
  render(
    <ConsoleProvider value={{ api, store: createFleetStore(), transportKind: 'memory' }}>
      {children}
    </ConsoleProvider>,
  );
}

beforeAll(() => setupI18n('en'));
afterEach(async () => {
  cleanup();
  await act(() => i18next.changeLanguage('en'));
});

describe('EnrollmentSection', () => {
  it('shows the token masked until revealed, rotates it, and switches approval mode', async () => {
    let current = view();
    let token = TOKEN;
    const api = new FakeConsoleApi({
      getEnrollment: async () => current,
      revealEnrollmentToken: async () => ({ token }),
      rotateEnrollmentToken: async () => {
        token = 'new-token-after-rotation-000000';
        current = { ...current, tokenMasked: 'new-••••••••••••' };
        return current;
      },
      setApprovalMode: async ({ enabled }) => (current = { ...current, approvalMode: enabled }),
    });
    renderWith(api, <EnrollmentSection />);
    const shown = await screen.findByTestId('enrollment-token');
    expect(shown.textContent).toBe('SeCr••••••••••••');
    expect(document.body.textContent).not.toContain(TOKEN);
    expect(screen.getByTestId('enrollment-counts').textContent).toBe('3 enrolled, 1 pending');

    fireEvent.click(screen.getByRole('button', { name: 'Reveal' }));
    expect(await screen.findByText(TOKEN)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Hide' }));
    expect(screen.getByTestId('enrollment-token').textContent).toBe('SeCr••••••••••••');

    window.confirm = () => true;
    fireEvent.click(screen.getByTestId('enrollment-rotate'));
    expect(await screen.findByText('new-token-after-rotation-000000')).toBeTruthy();

    const approval = screen.getByTestId('approval-mode') as HTMLInputElement;
    expect(approval.checked).toBe(true);
    fireEvent.click(approval);
    await screen.findByTestId('approval-mode');
    expect(api.calls.filter((c) => c.channel === 'setApprovalMode').map((c) => c.input)).toEqual([
      { enabled: false },
    ]);
    expect(((await screen.findByTestId('approval-mode')) as HTMLInputElement).checked).toBe(false);
  });

  it('cannot rotate a token pinned by the environment, and says why', async () => {
    const api = new FakeConsoleApi({ getEnrollment: async () => view({ tokenSource: 'env' }) });
    renderWith(api, <EnrollmentSection />);
    const rotate = (await screen.findByTestId('enrollment-rotate')) as HTMLButtonElement;
    expect(rotate.disabled).toBe(true);
    expect(document.body.textContent).toContain('Set by CENTRALIZER_AGENT_TOKEN');
  });
});

describe('PendingAgents', () => {
  it('lists agents waiting for approval; Accept and Reject call the hub and update the list', async () => {
    let current = view({
      pending: [
        ...view().pending,
        { agentId: 'db-02', name: 'DB 02', hostname: 'db-02.example', requestedAt: Date.UTC(2026, 10, 28) },
      ],
    });
    const api = new FakeConsoleApi({
      getEnrollment: async () => current,
      acceptAgent: async ({ agentId }) =>
        (current = { ...current, pending: current.pending.filter((p) => p.agentId !== agentId) }),
      rejectAgent: async ({ agentId }) =>
        (current = { ...current, pending: current.pending.filter((p) => p.agentId !== agentId) }),
    });
    renderWith(api, <PendingAgents />);
    const banner = await screen.findByTestId('pending-agents');
    expect(within(banner).getByRole('heading').textContent).toBe('2 agents waiting for approval');
    expect(screen.getByTestId('pending-web-07').textContent).toContain('web-07.example from 10.0.0.7');

    fireEvent.click(screen.getByRole('button', { name: 'Accept agent web-07' }));
    await act(async () => {});
    expect(screen.queryByTestId('pending-web-07')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Reject agent db-02' }));
    await act(async () => {});
    expect(screen.queryByTestId('pending-agents')).toBeNull();
    expect(api.calls.filter((c) => c.channel !== 'getEnrollment')).toEqual([
      { channel: 'acceptAgent', input: { agentId: 'web-07' } },
      { channel: 'rejectAgent', input: { agentId: 'db-02' } },
    ]);
  });

  it('shows nothing when no agent is waiting', async () => {
    const api = new FakeConsoleApi({ getEnrollment: async () => view({ pending: [] }) });
    renderWith(api, <PendingAgents />);
    await act(async () => {});
    expect(screen.queryByTestId('pending-agents')).toBeNull();
  });
});

describe('RevokeButton', () => {
  it('asks for confirmation, with history kept unless "purge" is ticked', async () => {
    const api = new FakeConsoleApi({
      revokeAgent: async ({ agentId, purgeHistory }): Promise<RevokeResult> => ({
        agentId,
        credentialDeleted: true,
        connectionClosed: true,
        queue: 'deleted',
        historyPurged: purgeHistory,
      }),
    });
    renderWith(api, <RevokeButton agentId="web-07" name="Web 07" />);
    fireEvent.click(screen.getByTestId('revoke-agent'));
    expect(api.calls).toEqual([]); // nothing before confirming
    expect(screen.getByText('Its history is kept.')).toBeTruthy();
    fireEvent.click(screen.getByTestId('revoke-purge'));
    expect(screen.getByText('Its history will be deleted; this cannot be undone.')).toBeTruthy();
    fireEvent.click(screen.getByTestId('revoke-confirm'));
    await act(async () => {});
    expect(api.calls).toEqual([{ channel: 'revokeAgent', input: { agentId: 'web-07', purgeHistory: true } }]);
    expect(location.hash).toBe('#/agents');
  });

  it('shows the hub error and stays open when revocation fails', async () => {
    const api = new FakeConsoleApi({
      revokeAgent: async () => Promise.reject(new Error('unknown agent web-07')),
    });
    renderWith(api, <RevokeButton agentId="web-07" name="Web 07" />);
    fireEvent.click(screen.getByTestId('revoke-agent'));
    fireEvent.click(screen.getByTestId('revoke-confirm'));
    expect((await screen.findByRole('alert')).textContent).toBe('unknown agent web-07');
    expect(screen.getByTestId('revoke-confirm')).toBeTruthy();
  });
});
