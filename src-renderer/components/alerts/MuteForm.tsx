/**
 * Add a maintenance mute: alerts on the target still show in the console, but nobody is notified
 * until it expires. The end is picked with a preset (from now) or typed in a local date-time input.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AgentIdSchema } from '../../../src-shared/agent-protocol';
import type { Mute, MuteInput, MuteTarget } from '../../../src-shared/monitoring';
import { useNow } from '../../state/clock';
import { useConsole, useFleet } from '../../state/context';
import { errorMessage } from './AlertParts';

export const MUTE_PRESETS = [
  { key: 'm30', ms: 30 * 60_000 },
  { key: 'h1', ms: 3_600_000 },
  { key: 'h4', ms: 4 * 3_600_000 },
  { key: 'd1', ms: 86_400_000 },
  { key: 'd7', ms: 7 * 86_400_000 },
] as const;

const pad = (n: number) => String(n).padStart(2, '0');

/** A time as the value of `<input type="datetime-local">` (local time, minute precision). */
export function toLocalInput(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of a datetime-local input as ms since epoch (a form without offset is local time). */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

export interface MuteDraft {
  kind: MuteTarget['kind'];
  agentId: string;
  serverId: string;
  labelKey: string;
  labelValue: string;
  /** datetime-local value. */
  until: string;
  reason: string;
}

export type MuteField = 'target' | 'until' | 'reason';
export type MuteFieldError = 'required' | 'agentId' | 'past' | 'invalidTime' | 'tooLong';

export function muteDraft(target: MuteTarget | undefined, now: number): MuteDraft {
  return {
    kind: target?.kind ?? 'agent',
    agentId: target?.kind === 'agent' ? target.agentId : '',
    serverId: target?.kind === 'server' ? target.serverId : '',
    labelKey: target?.kind === 'label' ? target.key : '',
    labelValue: target?.kind === 'label' ? target.value : '',
    // Round up to the next minute so "1 h" never ends up a few seconds short.
    until: toLocalInput(Math.ceil((now + 3_600_000) / 60_000) * 60_000),
    reason: '',
  };
}

export function validateMuteDraft(
  draft: MuteDraft,
  now: number,
): { input: MuteInput | null; errors: Partial<Record<MuteField, MuteFieldError>> } {
  const errors: Partial<Record<MuteField, MuteFieldError>> = {};
  let target: MuteTarget | null = null;
  if (draft.kind === 'agent') {
    const agentId = draft.agentId.trim();
    if (agentId === '') errors.target = 'required';
    else if (!AgentIdSchema.safeParse(agentId).success) errors.target = 'agentId';
    else target = { kind: 'agent', agentId };
  } else if (draft.kind === 'server') {
    const serverId = draft.serverId.trim();
    if (serverId === '') errors.target = 'required';
    else if (serverId.length > 255) errors.target = 'tooLong';
    else target = { kind: 'server', serverId };
  } else {
    const key = draft.labelKey.trim();
    if (key === '') errors.target = 'required';
    else if (key.length > 64 || draft.labelValue.length > 256) errors.target = 'tooLong';
    else target = { kind: 'label', key, value: draft.labelValue };
  }
  const until = fromLocalInput(draft.until);
  if (until === null) errors.until = draft.until === '' ? 'required' : 'invalidTime';
  else if (until <= now) errors.until = 'past';
  if (draft.reason.length > 500) errors.reason = 'tooLong';
  if (!target || until === null || Object.keys(errors).length > 0) return { input: null, errors };
  return { input: { target, until, reason: draft.reason.trim() }, errors };
}

export function MuteForm({
  target,
  onSaved,
  onCancel,
}: {
  /** Fixed target (the MuteButton of a detail page); otherwise the operator picks one. */
  target?: MuteTarget;
  onSaved: (mute: Mute) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const id = useId().replace(/:/g, '');
  const agents = useFleet((s) => s.agents);
  const servers = useFleet((s) => s.servers);
  const [draft, setDraft] = useState<MuteDraft>(() => muteDraft(target, Date.now()));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [hubError, setHubError] = useState<string | null>(null);
  const set = (patch: Partial<MuteDraft>) => setDraft((d) => ({ ...d, ...patch }));
  // The shared clock (ticks every second) keeps "in the past" honest while the form stays open.
  const now = useNow();
  const shown = touched ? validateMuteDraft(draft, now).errors : {};
  const errorText = (e: MuteFieldError | undefined) => (e ? t(`alerts.mutes.errors.${e}`) : undefined);

  async function save() {
    setTouched(true);
    const { input } = validateMuteDraft(draft, Date.now());
    if (!input || busy) return;
    setBusy(true);
    setHubError(null);
    try {
      onSaved(await api.call('addMute', input));
    } catch (e) {
      setHubError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  // Suggestions for the id fields; capped so a 10,000-agent fleet does not build a huge list.
  const suggest = <T,>(items: Iterable<T>, value: (x: T) => string): string[] => {
    const out: string[] = [];
    const typed = draft.kind === 'agent' ? draft.agentId : draft.serverId;
    for (const x of items) {
      const v = value(x);
      if (v.includes(typed)) out.push(v);
      if (out.length >= 50) break;
    }
    return out;
  };
  const targetError = errorText(shown.target);
  const untilError = errorText(shown.until);
  const reasonError = errorText(shown.reason);

  return (
    <form
      className="config-form mute-form"
      noValidate
      data-testid="mute-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {!target && (
        <fieldset className="schema-fieldset">
          <legend>{t('alerts.mutes.target')}</legend>
          <div className="segmented" role="group" aria-label={t('alerts.mutes.targetKind')}>
            {(['agent', 'server', 'label'] as const).map((k) => (
              <button
                key={k}
                type="button"
                aria-pressed={draft.kind === k}
                className={draft.kind === k ? 'active' : ''}
                data-testid={`mute-kind-${k}`}
                onClick={() => set({ kind: k })}
              >
                {t(`alerts.mutes.kind.${k}`)}
              </button>
            ))}
          </div>
          {draft.kind === 'agent' && (
            <label className="form-field">
              <span className="form-label">{t('alerts.mutes.agentId')}</span>
              <input
                className="input"
                value={draft.agentId}
                list={`${id}-agents`}
                data-testid="mute-agent"
                aria-invalid={targetError ? true : undefined}
                aria-describedby={targetError ? `${id}-target-error` : undefined}
                onChange={(e) => set({ agentId: e.target.value })}
              />
              <datalist id={`${id}-agents`}>
                {suggest(agents.values(), (a) => a.agentId).map((v) => (
                  <option key={v} value={v} />
                ))}
              </datalist>
            </label>
          )}
          {draft.kind === 'server' && (
            <label className="form-field">
              <span className="form-label">{t('alerts.mutes.serverId')}</span>
              <input
                className="input"
                value={draft.serverId}
                list={`${id}-servers`}
                data-testid="mute-server"
                aria-invalid={targetError ? true : undefined}
                aria-describedby={targetError ? `${id}-target-error` : undefined}
                onChange={(e) => set({ serverId: e.target.value })}
              />
              <datalist id={`${id}-servers`}>
                {suggest(servers.values(), (s) => s.serverId).map((v) => (
                  <option key={v} value={v} />
                ))}
              </datalist>
            </label>
          )}
          {draft.kind === 'label' && (
            <div className="row-edit row-kv">
              <input
                className="input"
                aria-label={t('alerts.mutes.labelKey')}
                placeholder={t('editor.keyPlaceholder')}
                value={draft.labelKey}
                data-testid="mute-label-key"
                aria-invalid={targetError ? true : undefined}
                aria-describedby={targetError ? `${id}-target-error` : undefined}
                onChange={(e) => set({ labelKey: e.target.value })}
              />
              <span aria-hidden="true">=</span>
              <input
                className="input"
                aria-label={t('alerts.mutes.labelValue')}
                placeholder={t('editor.valuePlaceholder')}
                value={draft.labelValue}
                data-testid="mute-label-value"
                onChange={(e) => set({ labelValue: e.target.value })}
              />
            </div>
          )}
          {targetError && (
            <span id={`${id}-target-error`} className="field-error">
              {targetError}
            </span>
          )}
        </fieldset>
      )}
      <div className="form-field">
        <label htmlFor={`${id}-until`} className="form-label">
          {t('alerts.mutes.until')}
        </label>
        <div className="mute-presets" role="group" aria-label={t('alerts.mutes.presets')}>
          {MUTE_PRESETS.map((p) => (
            <button
              key={p.key}
              type="button"
              className="btn btn-small"
              data-testid={`mute-preset-${p.key}`}
              onClick={() => set({ until: toLocalInput(Math.ceil((Date.now() + p.ms) / 60_000) * 60_000) })}
            >
              {t(`alerts.mutes.preset.${p.key}`)}
            </button>
          ))}
        </div>
        <input
          id={`${id}-until`}
          className="input"
          type="datetime-local"
          value={draft.until}
          data-testid="mute-until"
          aria-invalid={untilError ? true : undefined}
          aria-describedby={untilError ? `${id}-until-error` : undefined}
          onChange={(e) => set({ until: e.target.value })}
        />
        {untilError && (
          <span id={`${id}-until-error`} className="field-error">
            {untilError}
          </span>
        )}
      </div>
      <div className="form-field">
        <label htmlFor={`${id}-reason`} className="form-label">
          {t('alerts.mutes.reason')}
        </label>
        <input
          id={`${id}-reason`}
          className="input"
          value={draft.reason}
          maxLength={500}
          placeholder={t('alerts.mutes.reasonPlaceholder')}
          data-testid="mute-reason"
          aria-invalid={reasonError ? true : undefined}
          onChange={(e) => set({ reason: e.target.value })}
        />
        {reasonError && <span className="field-error">{reasonError}</span>}
      </div>
      {hubError && (
        <div className="result result-bad" role="alert" data-testid="mute-error">
          <strong>{t('alerts.mutes.saveFailed')}</strong>
          <span>{hubError}</span>
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="mute-save" disabled={busy}>
          {busy ? t('alerts.saving') : t('alerts.mutes.add')}
        </button>
        {onCancel && (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            {t('alerts.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
