/**
 * Where an agent's configuration stands (in sync / pending / failed / drift / none) with revision
 * numbers, and for failed or drifted agents a one-click "Re-send" (resendConfig).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConfigStatus } from '../../src-shared/config-management';
import type { AgentView } from '../../src-shared/fleet';
import { useConsole } from '../state/context';

export const CONFIG_STATUSES: readonly ConfigStatus[] = ['in_sync', 'pending', 'failed', 'drift', 'none'];

export function ConfigStatusBadge({
  agent,
  withRevisions = true,
}: {
  agent: AgentView;
  withRevisions?: boolean;
}) {
  const { t } = useTranslation();
  const status = agent.configStatus ?? 'none';
  return (
    <span
      className={`config-badge config-badge-${status}`}
      data-testid="config-badge"
      data-config-status={status}
    >
      <span className="config-badge-word">{t(`configStatus.${status}`)}</span>
      {withRevisions && status !== 'none' && (
        <span className="config-badge-rev muted small">
          {status === 'in_sync'
            ? t('configStatus.rev', { revision: agent.configRevision })
            : t('configStatus.revOf', { reported: agent.configRevision, desired: agent.desiredRevision })}
        </span>
      )}
    </span>
  );
}

export function ResendButton({ agent, small = true }: { agent: AgentView; small?: boolean }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  if (agent.configStatus !== 'failed' && agent.configStatus !== 'drift') return null;
  if (agent.desiredRevision === 0 && agent.configStatus === 'drift') return null;
  return (
    <span className="resend">
      <button
        type="button"
        className={`btn${small ? ' btn-small' : ''}`}
        data-testid="config-resend"
        disabled={state.busy}
        title={state.error ?? t('configStatus.resendHint')}
        onClick={(e) => {
          e.stopPropagation();
          setState({ busy: true, error: null });
          api.call('resendConfig', { agentId: agent.agentId }).then(
            () => setState({ busy: false, error: null }),
            (err: unknown) =>
              setState({ busy: false, error: err instanceof Error ? err.message : String(err) }),
          );
        }}
      >
        {state.busy ? t('configStatus.resending') : t('configStatus.resend')}
      </button>
      {state.error && (
        <span className="field-error small" role="alert">
          {t('configStatus.resendFailed', { message: state.error })}
        </span>
      )}
    </span>
  );
}
