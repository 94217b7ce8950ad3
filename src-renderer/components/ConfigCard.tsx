/**
 * Minimal "send a configuration" card on the agent detail (the full editor comes later): the
 * revision the agent runs, a JSON textarea checked before anything is sent, and the fate of the last
 * revision sent from here (queued → applied, or rejected).
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../src-shared/fleet';
import { useConsole } from '../state/context';
import { Field, Fields } from './DetailParts';

export type ConfigParse = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** Parse the editor text: must be JSON and a JSON object (not an array, null or a scalar). */
export function parseConfigText(
  text: string,
  messages: { invalidJson: (message: string) => string; notObject: string },
): ConfigParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: messages.invalidJson(e instanceof Error ? e.message : String(e)) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: messages.notObject };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

type SendOutcome = 'queued' | 'applied' | 'rejected' | 'unchanged';

function outcomeOf(agent: AgentView, sent: { revision: number; changed: boolean }): SendOutcome {
  if (!sent.changed) return 'unchanged';
  if (agent.configRevision >= sent.revision) return 'applied';
  if (agent.configStatus === 'failed' && agent.desiredRevision === sent.revision) return 'rejected';
  return 'queued';
}

export function ConfigCard({ agent }: { agent: AgentView }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const ids = useId();
  const [text, setText] = useState('{\n  \n}');
  const edited = useRef(false);
  const [showError, setShowError] = useState(false);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<{ revision: number; changed: boolean } | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const agentId = agent.agentId;

  // Start from the agent's current override when the hub has one (untouched editor only).
  useEffect(() => {
    let cancelled = false;
    api.call('getAgentConfig', { agentId }).then(
      (detail) => {
        if (cancelled || edited.current || !detail) return;
        setText(JSON.stringify(detail.override ?? {}, null, 2));
      },
      () => {
        // Not available (older hub, or no configuration yet): the empty object stays.
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, agentId]);

  const parsed = parseConfigText(text, {
    invalidJson: (message) => t('config.invalidJson', { message }),
    notObject: t('config.notObject'),
  });
  const errorText = showError && !parsed.ok ? parsed.error : null;

  async function send() {
    setShowError(true);
    setSendError(null);
    if (!parsed.ok || sending) return;
    setSending(true);
    try {
      const result = await api.call('sendConfig', { agentId, config: parsed.value });
      setSent({ revision: result.revision, changed: result.changed ?? true });
    } catch (e) {
      setSendError(e instanceof Error ? e.message : String(e));
    } finally {
      setSending(false);
    }
  }

  const outcome = sent ? outcomeOf(agent, sent) : null;
  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="config-card">
      <h2 id={`${ids}-title`} className="card-title">
        {t('config.title')}
      </h2>
      <Fields>
        <Field label={t('config.running')}>
          <span data-testid="config-running-revision">
            {agent.configRevision > 0 ? agent.configRevision : t('config.none')}
          </span>
        </Field>
        <Field label={t('config.desired')}>
          {agent.desiredRevision > 0 ? agent.desiredRevision : t('config.none')}
        </Field>
        <Field label={t('config.status.label')}>
          <span className={`config-status-word config-${agent.configStatus}`}>
            {t(`config.status.${agent.configStatus}`)}
          </span>
        </Field>
      </Fields>
      <form
        className="config-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label htmlFor={`${ids}-editor`} className="form-label">
          {t('config.editorLabel')}
        </label>
        <textarea
          id={`${ids}-editor`}
          className="code-input"
          data-testid="config-editor"
          rows={8}
          spellCheck={false}
          value={text}
          aria-invalid={errorText ? true : undefined}
          aria-describedby={errorText ? `${ids}-error` : `${ids}-hint`}
          onChange={(e) => {
            edited.current = true;
            setText(e.target.value);
          }}
          onBlur={() => setShowError(true)}
        />
        {errorText ? (
          <p id={`${ids}-error`} className="field-error" role="alert" data-testid="config-error">
            {errorText}
          </p>
        ) : (
          <p id={`${ids}-hint`} className="muted small">
            {t('config.hint')}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" data-testid="config-send" disabled={sending}>
            {sending ? t('config.sending') : t('config.send')}
          </button>
          {sent && outcome && (
            <span
              className={`config-outcome config-outcome-${outcome}`}
              role="status"
              data-testid="config-status"
              data-config-state={outcome}
            >
              {t(`config.${outcome}`, { revision: sent.revision })}
            </span>
          )}
        </div>
        {sendError && (
          <p className="field-error" role="alert" data-testid="config-send-error">
            {t('config.sendFailed', { message: sendError })}
          </p>
        )}
      </form>
    </section>
  );
}
