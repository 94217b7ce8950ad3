/**
 * The agent's configuration editor (agent detail → "Configuration").
 *
 * One document is edited: the agent's OVERRIDE (merged last, over its profiles). It is held as the
 * JSON editor's text; the schema form (when the agent declared a JSON Schema) reads that text parsed
 * and writes it back pretty-printed, so the "Form" and "JSON" tabs always show the same document.
 *
 * Nothing is sent unless it is valid: a JSON parse error is shown inline with its line/column; then
 * the hub checks the document against the agent's schema (`validateConfig`, debounced while typing
 * and again on Send) and its errors are shown next to the matching form field (by JSON pointer) and
 * listed above the editor. Send stays disabled while the document is known to be invalid.
 *
 * After Send the fate of the revision is followed live: queued → delivered → applied (from the
 * agent's configRevision in the store, and the ledger refetched whenever the agent changes), or
 * rejected with the agent's error.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentConfigDetail, ConfigValidationResult, Profile } from '../../src-shared/config-management';
import type { AgentView } from '../../src-shared/fleet';
import { jsonDiff, mergeLayers, mergePatch, type JsonObject } from '../../src-shared/json-doc';
import { useConsole } from '../state/context';
import { useDetail } from '../state/use-detail';
import { ConfigHistory } from './config/ConfigHistory';
import { DiffView } from './config/DiffView';
import { JsonEditor } from './config/JsonEditor';
import { formatJson, isJsonObject, parseJson, setAt } from './config/json-text';
import { SchemaForm, type ErrorMap } from './config/SchemaForm';
import { ConfigStatusBadge, ResendButton } from './ConfigStatusBadge';
import { Field, Fields } from './DetailParts';

export type ConfigParse =
  { ok: true; value: Record<string, unknown> } | { ok: false; error: string; line?: number; column?: number };

/** Parse the editor text: must be JSON and a JSON object (not an array, null or a scalar). */
export function parseConfigText(
  text: string,
  messages: { invalidJson: (message: string, line: number, column: number) => string; notObject: string },
): ConfigParse {
  const parsed = parseJson(text);
  if (!parsed.ok) {
    return {
      ok: false,
      error: messages.invalidJson(parsed.message, parsed.line, parsed.column),
      line: parsed.line,
      column: parsed.column,
    };
  }
  if (!isJsonObject(parsed.value)) return { ok: false, error: messages.notObject };
  return { ok: true, value: parsed.value };
}

export type SendOutcome = 'queued' | 'delivered' | 'applied' | 'rejected' | 'unchanged';

export function outcomeOf(
  agent: AgentView,
  sent: { revision: number; changed: boolean },
  ledger: AgentConfigDetail['ledger'] | undefined,
): { outcome: SendOutcome; error?: string } {
  if (!sent.changed) return { outcome: 'unchanged' };
  const entry = ledger?.find((l) => l.revision === sent.revision);
  if (agent.configRevision >= sent.revision || entry?.state === 'applied') return { outcome: 'applied' };
  if (entry?.state === 'rejected') return { outcome: 'rejected', error: entry.error };
  if (agent.configStatus === 'failed' && agent.desiredRevision === sent.revision)
    return { outcome: 'rejected', error: entry?.error };
  if (entry?.state === 'delivered') return { outcome: 'delivered' };
  return { outcome: 'queued' };
}

/**
 * The effective configuration the edited override would produce. The hub computes
 * effective = mergeLayers([...profiles in merge order, override]); the detail lists the profiles
 * that apply (in merge order) and listProfiles gives their configs, so the same merge is redone
 * here with the edited override as the last layer. That is exact, including `null` in the override
 * deleting a key a profile sets. Without the profiles' configs (listProfiles failed) the best
 * approximation is the current effective configuration patched with the new override.
 */
export function effectiveAfter(
  detail: AgentConfigDetail,
  profiles: Profile[] | null,
  override: JsonObject,
): JsonObject {
  const byName = new Map((profiles ?? []).map((p) => [p.name, p]));
  const layers = detail.profiles.map((p) => byName.get(p.name)?.config);
  if (layers.every((l): l is JsonObject => l !== undefined)) return mergeLayers([...layers, override]);
  return mergePatch(detail.effective, override) as JsonObject;
}

interface Loaded {
  detail: AgentConfigDetail;
  profiles: Profile[] | null;
}

type Validation =
  | { text: string; state: 'checking' }
  | { text: string; state: 'done'; result: ConfigValidationResult }
  | { text: string; state: 'unavailable'; message: string };

const VALIDATE_DEBOUNCE_MS = 350;

export function ConfigCard({ agent }: { agent: AgentView }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const ids = useId().replace(/:/g, '');
  const agentId = agent.agentId;
  const loaded = useDetail<Loaded>(
    `config:${agentId}`,
    async () => {
      const [detail, profiles] = await Promise.all([
        api.call('getAgentConfig', { agentId }),
        api.call('listProfiles', undefined).catch(() => null),
      ]);
      return detail ? { detail, profiles } : null;
    },
    agent,
    400,
  );
  const detail = loaded.data?.detail;
  const schema = isJsonObject(detail?.schema) ? detail.schema : undefined;

  // null until edited: the editor then shows the agent's current override (once loaded).
  const [draft, setDraft] = useState<string | null>(null);
  const [tab, setTab] = useState<'form' | 'json' | null>(null);
  const [validation, setValidation] = useState<Validation | null>(null);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<{ revision: number; changed: boolean } | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const [showParseError, setShowParseError] = useState(false);
  const [reviewOpen, setReviewOpen] = useState(false);

  const override = detail?.override;
  const text = draft ?? (override ? formatJson(override) : '{}');
  const edited = draft !== null;

  const shownTab = schema ? (tab ?? 'form') : 'json';
  const parsed = useMemo(
    () =>
      parseConfigText(text, {
        invalidJson: (message, line, column) => t('config.invalidJson', { message, line, column }),
        notObject: t('config.notObject'),
      }),
    [text, t],
  );

  // Debounced check against the agent's schema, by the hub.
  const parsedValue = parsed.ok ? parsed.value : null;
  useEffect(() => {
    if (!parsedValue || !edited) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      setValidation({ text, state: 'checking' });
      api.call('validateConfig', { agentId, config: parsedValue }).then(
        (result) => {
          if (!cancelled) setValidation({ text, state: 'done', result });
        },
        (e: unknown) => {
          if (!cancelled)
            setValidation({
              text,
              state: 'unavailable',
              message: e instanceof Error ? e.message : String(e),
            });
        },
      );
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, agentId, parsedValue, text, edited]);

  const current = validation && validation.text === text ? validation : null;
  const schemaErrors = useMemo(() => (current?.state === 'done' ? current.result.errors : []), [current]);
  const knownInvalid = !parsed.ok || (current?.state === 'done' && !current.result.ok);
  const errorMap: ErrorMap = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const e of schemaErrors) map.set(e.path, [...(map.get(e.path) ?? []), e.message]);
    return map;
  }, [schemaErrors]);

  function edit(next: string) {
    setShowParseError(true);
    setSent(null);
    setSendError(null);
    setDraft(next);
  }

  async function send() {
    setShowParseError(true);
    setSendError(null);
    if (!parsed.ok || sending) return;
    const config = parsed.value;
    const sentText = text;
    setSending(true);
    try {
      let check: ConfigValidationResult | null = null;
      try {
        check = await api.call('validateConfig', { agentId, config });
        setValidation({ text: sentText, state: 'done', result: check });
      } catch (e) {
        // The hub checks again on send; a failed pre-check does not block it.
        setValidation({
          text: sentText,
          state: 'unavailable',
          message: e instanceof Error ? e.message : String(e),
        });
      }
      if (check && !check.ok) return;
      const result = await api.call('sendConfig', { agentId, config });
      setSent({ revision: result.revision, changed: result.changed ?? true });
      setReviewOpen(false);
    } catch (e) {
      setSendError(e instanceof Error ? e.message : String(e));
    } finally {
      setSending(false);
    }
  }

  const parseErrorText = showParseError && !parsed.ok ? parsed.error : null;
  const outcome = sent ? outcomeOf(agent, sent, detail?.ledger) : null;
  const review = useMemo(() => {
    if (!detail || !parsed.ok) return null;
    const base = detail.applied ?? detail.effective;
    const after = effectiveAfter(detail, loaded.data?.profiles ?? null, parsed.value);
    return { diff: jsonDiff(base, after), fromApplied: detail.applied !== undefined };
  }, [detail, loaded.data?.profiles, parsed]);

  const describedBy = [
    parseErrorText ? `${ids}-error` : '',
    schemaErrors.length ? `${ids}-errors` : `${ids}-hint`,
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <section className="card config-card" aria-labelledby={`${ids}-title`} data-testid="config-card">
      <div className="card-header">
        <h2 id={`${ids}-title`} className="card-title">
          {t('config.title')}
        </h2>
        <span className="config-card-status">
          <ConfigStatusBadge agent={agent} />
          <ResendButton agent={agent} />
        </span>
      </div>
      <Fields>
        <Field label={t('config.running')}>
          <span data-testid="config-running-revision">
            {agent.configRevision > 0 ? agent.configRevision : t('config.none')}
          </span>
        </Field>
        <Field label={t('config.desired')}>
          <span data-testid="config-desired-revision">
            {agent.desiredRevision > 0 ? agent.desiredRevision : t('config.none')}
          </span>
        </Field>
        <Field label={t('config.status.label')}>
          <span className={`config-status-word config-${agent.configStatus}`}>
            {t(`config.status.${agent.configStatus}`)}
          </span>
        </Field>
        {detail && detail.profiles.length > 0 && (
          <Field label={t('config.profiles')}>
            <span className="label-list wrap">
              {detail.profiles.map((p) => (
                <span key={p.name} className="label-chip" title={t(`config.via.${p.via}`)}>
                  {p.name}
                </span>
              ))}
            </span>
          </Field>
        )}
      </Fields>
      {loaded.error && (
        <p className="muted small" data-testid="config-load-error">
          {t('config.loadFailed', { message: loaded.error })}
        </p>
      )}
      <form
        className="config-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        {schema && (
          <div
            className="segmented"
            role="tablist"
            aria-label={t('editor.modeLabel')}
            // ARIA tabs: one tab stop, ←/→ (and Home/End) switch and focus the other tab.
            onKeyDown={(e) => {
              const next = { ArrowLeft: 'form', Home: 'form', ArrowRight: 'json', End: 'json' }[e.key];
              if (next !== 'form' && next !== 'json') return;
              e.preventDefault();
              setTab(next);
              document.getElementById(`${ids}-tab-${next}`)?.focus();
            }}
          >
            {(['form', 'json'] as const).map((m) => (
              <button
                key={m}
                type="button"
                role="tab"
                id={`${ids}-tab-${m}`}
                tabIndex={shownTab === m ? 0 : -1}
                aria-selected={shownTab === m}
                aria-controls={`${ids}-panel`}
                className={shownTab === m ? 'active' : ''}
                data-testid={`config-tab-${m}`}
                onClick={() => setTab(m)}
              >
                {t(`editor.mode.${m}`)}
              </button>
            ))}
          </div>
        )}
        {schemaErrors.length > 0 && (
          <div
            id={`${ids}-errors`}
            className="notice notice-error validation-list"
            role="alert"
            data-testid="validation-errors"
          >
            <div className="notice-main">
              <strong className="notice-title">{t('editor.invalid', { count: schemaErrors.length })}</strong>
              <ul className="plain-list">
                {schemaErrors.map((e, i) => (
                  <li key={i}>
                    <code>{e.path || '/'}</code> {e.message}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        )}
        {current?.state === 'unavailable' && (
          <p className="muted small" data-testid="validation-unavailable">
            {t('editor.validationUnavailable', { message: current.message })}
          </p>
        )}
        <div
          id={`${ids}-panel`}
          role={schema ? 'tabpanel' : undefined}
          aria-labelledby={schema ? `${ids}-tab-${shownTab}` : undefined}
        >
          {shownTab === 'form' && schema ? (
            parsed.ok ? (
              <SchemaForm
                schema={schema}
                value={parsed.value}
                errors={errorMap}
                onChange={(pointer, value) => edit(formatJson(setAt(parsed.value, pointer, value)))}
              />
            ) : (
              <p className="field-error" role="alert" data-testid="config-error">
                {t('editor.fixJsonFirst', { error: parsed.error })}
              </p>
            )
          ) : (
            <JsonEditor
              id={`${ids}-editor`}
              label={t('config.editorLabel')}
              testId="config-editor"
              rows={12}
              value={text}
              invalid={Boolean(parseErrorText) || schemaErrors.length > 0}
              describedBy={describedBy}
              onChange={edit}
            >
              {parseErrorText ? (
                <p id={`${ids}-error`} className="field-error" role="alert" data-testid="config-error">
                  {parseErrorText}
                </p>
              ) : (
                <p id={`${ids}-hint`} className="muted small">
                  {t('config.hint')}
                </p>
              )}
            </JsonEditor>
          )}
        </div>
        <div className="form-actions">
          <button
            type="button"
            className="btn"
            aria-expanded={reviewOpen}
            aria-controls={`${ids}-review`}
            data-testid="config-review"
            disabled={!review}
            onClick={() => setReviewOpen((o) => !o)}
          >
            {reviewOpen ? t('config.hideReview') : t('config.review')}
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="config-send"
            disabled={sending || knownInvalid}
            title={knownInvalid ? t('config.fixFirst') : undefined}
          >
            {sending ? t('config.sending') : t('config.send')}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            data-testid="config-reset"
            disabled={!override}
            onClick={() => {
              setShowParseError(false);
              setValidation(null);
              setDraft(null);
            }}
          >
            {t('config.reset')}
          </button>
          {current?.state === 'checking' && <span className="muted small">{t('editor.checking')}</span>}
          {current?.state === 'done' && current.result.ok && (
            <span className="muted small" data-testid="validation-ok">
              {t('editor.valid')}
            </span>
          )}
          {sent && outcome && (
            <span
              className={`config-outcome config-outcome-${outcome.outcome}`}
              role="status"
              data-testid="config-status"
              data-config-state={outcome.outcome}
              data-revision={sent.revision}
            >
              {outcome.outcome === 'rejected' && outcome.error
                ? t('config.rejectedWith', { revision: sent.revision, error: outcome.error })
                : t(`config.${outcome.outcome}`, { revision: sent.revision })}
            </span>
          )}
        </div>
        {sendError && (
          <p className="field-error" role="alert" data-testid="config-send-error">
            {t('config.sendFailed', { message: sendError })}
          </p>
        )}
        {reviewOpen && review && (
          <div id={`${ids}-review`} className="review" data-testid="config-review-panel">
            <h3 className="subheading">
              {review.fromApplied ? t('config.reviewFromApplied') : t('config.reviewFromEffective')}
            </h3>
            <DiffView diff={review.diff} testId="config-diff" caption={t('config.review')} />
          </div>
        )}
      </form>
      {detail && <ConfigHistory detail={detail} />}
    </section>
  );
}
