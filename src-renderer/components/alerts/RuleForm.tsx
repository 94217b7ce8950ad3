/**
 * Create or edit an alert rule. Fields follow the kind: a threshold and hysteresis only for the usage
 * kinds, a "grace period" for the offline kinds, a "for" duration for the usage kinds, nothing of the
 * sort for failed jobs. The checks here mirror AlertRuleSchema so mistakes show next to the field;
 * the hub validates again and its message is shown as is.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  AlertKindSchema,
  type AlertKind,
  type AlertRule,
  type AlertRuleInput,
  type ChannelView,
  type Severity,
} from '../../../src-shared/monitoring';
import { useConsole } from '../../state/context';
import { LabelRows, labelsToRows, rowsToLabels, type LabelRow } from '../LabelRows';
import { errorMessage, isMetricKind, isOfflineKind } from './AlertParts';

export interface RuleDraft {
  id?: string;
  name: string;
  kind: AlertKind;
  enabled: boolean;
  severity: Severity;
  /** As typed; checked and converted on save. */
  threshold: string;
  forSec: string;
  hysteresis: string;
  selector: LabelRow[];
  channels: string[];
}

export type RuleField = 'name' | 'threshold' | 'forSec' | 'hysteresis';
export type RuleFieldError =
  { key: 'required' } | { key: 'range'; min: number; max: number } | { key: 'integer' };

export function ruleDraft(rule?: AlertRule): RuleDraft {
  if (!rule) {
    return {
      name: '',
      kind: 'agent_offline',
      enabled: true,
      severity: 'warning',
      threshold: '90',
      forSec: '30',
      hysteresis: '5',
      selector: [],
      channels: [],
    };
  }
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    enabled: rule.enabled,
    severity: rule.severity,
    threshold: rule.threshold === undefined ? '90' : String(rule.threshold),
    forSec: String(rule.forSec),
    hysteresis: String(rule.hysteresis),
    selector: labelsToRows(rule.selector),
    channels: [...rule.channels],
  };
}

/**
 * A stored rule as a request: only the schema's fields (the schema is strict, and a newer hub may
 * add read-only fields to the rules it returns).
 */
export function ruleInput(rule: AlertRule): AlertRuleInput {
  const input: AlertRuleInput = {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    enabled: rule.enabled,
    severity: rule.severity,
    forSec: rule.forSec,
    hysteresis: rule.hysteresis,
    selector: rule.selector,
    channels: rule.channels,
  };
  if (rule.threshold !== undefined) input.threshold = rule.threshold;
  return input;
}

function numberField(
  text: string,
  min: number,
  max: number,
  integer: boolean,
): { value: number } | { error: RuleFieldError } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: { key: 'required' } };
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < min || value > max) return { error: { key: 'range', min, max } };
  if (integer && !Number.isInteger(value)) return { error: { key: 'integer' } };
  return { value };
}

/** The request to send, or the field errors; fields that do not apply to the kind are left out. */
export function validateRuleDraft(draft: RuleDraft): {
  input: AlertRuleInput | null;
  errors: Partial<Record<RuleField, RuleFieldError>>;
} {
  const errors: Partial<Record<RuleField, RuleFieldError>> = {};
  const name = draft.name.trim();
  if (name === '') errors.name = { key: 'required' };
  else if (name.length > 120) errors.name = { key: 'range', min: 1, max: 120 };
  const input: AlertRuleInput = {
    name,
    kind: draft.kind,
    enabled: draft.enabled,
    severity: draft.severity,
    selector: rowsToLabels(draft.selector),
    channels: draft.channels,
  };
  if (draft.id) input.id = draft.id;
  if (isMetricKind(draft.kind)) {
    const threshold = numberField(draft.threshold, 0, 100, false);
    if ('error' in threshold) errors.threshold = threshold.error;
    else input.threshold = threshold.value;
    const hysteresis = numberField(draft.hysteresis, 0, 50, false);
    if ('error' in hysteresis) errors.hysteresis = hysteresis.error;
    else input.hysteresis = hysteresis.value;
  }
  if (draft.kind !== 'job_failed') {
    const forSec = numberField(draft.forSec, 0, 86_400, true);
    if ('error' in forSec) errors.forSec = forSec.error;
    else input.forSec = forSec.value;
  }
  return { input: Object.keys(errors).length > 0 ? null : input, errors };
}

export function RuleForm({
  rule,
  channels,
  onSaved,
  onCancel,
}: {
  rule?: AlertRule;
  channels: readonly ChannelView[];
  onSaved: (rule: AlertRule) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const id = useId().replace(/:/g, '');
  const [draft, setDraft] = useState<RuleDraft>(() => ruleDraft(rule));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [hubError, setHubError] = useState<string | null>(null);
  const { input, errors } = validateRuleDraft(draft);
  const shown = touched ? errors : {};

  const errorText = (e: RuleFieldError | undefined): string | undefined => {
    if (!e) return undefined;
    if (e.key === 'range') return t('alerts.form.errors.range', { min: e.min, max: e.max });
    return t(`alerts.form.errors.${e.key}`);
  };

  async function save() {
    setTouched(true);
    if (!input || busy) return;
    setBusy(true);
    setHubError(null);
    try {
      // A channel deleted since the rule was loaded is dropped rather than refused by the hub.
      const known = input.channels?.filter((c) => channels.some((x) => x.id === c));
      onSaved(await api.call('saveAlertRule', { ...input, channels: known }));
    } catch (e) {
      setHubError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const set = (patch: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const field = (
    name: RuleField,
    label: string,
    hint: string,
    props: { min: number; max: number; step: number },
  ) => {
    const error = errorText(shown[name]);
    return (
      <div className={`form-field${error ? ' invalid' : ''}`}>
        <label htmlFor={`${id}-${name}`} className="form-label">
          {label}
        </label>
        <input
          id={`${id}-${name}`}
          className="input"
          type="number"
          inputMode="decimal"
          {...props}
          value={draft[name]}
          data-testid={`rule-${name}`}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-${name}-note`}
          onChange={(e) => set({ [name]: e.target.value })}
        />
        <span id={`${id}-${name}-note`} className={error ? 'field-error' : 'muted small'}>
          {error ?? hint}
        </span>
      </div>
    );
  };

  const nameError = errorText(shown.name);
  const metric = isMetricKind(draft.kind);
  return (
    <form
      className="config-form rule-form"
      noValidate
      data-testid="rule-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className={`form-field${nameError ? ' invalid' : ''}`}>
        <label htmlFor={`${id}-name`} className="form-label">
          {t('alerts.rules.name')}
        </label>
        <input
          id={`${id}-name`}
          className="input"
          value={draft.name}
          maxLength={120}
          data-testid="rule-name"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${id}-name-error` : undefined}
          onChange={(e) => set({ name: e.target.value })}
        />
        {nameError && (
          <span id={`${id}-name-error`} className="field-error">
            {nameError}
          </span>
        )}
      </div>
      <div className="inline-fields">
        <label className="form-field">
          <span className="form-label">{t('alerts.rules.kind')}</span>
          <select
            className="select"
            value={draft.kind}
            data-testid="rule-kind"
            onChange={(e) => set({ kind: e.target.value as AlertKind })}
          >
            {AlertKindSchema.options.map((k) => (
              <option key={k} value={k}>
                {t(`alerts.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="form-field">
          <span className="form-label">{t('alerts.rules.severity')}</span>
          <select
            className="select"
            value={draft.severity}
            data-testid="rule-severity"
            onChange={(e) => set({ severity: e.target.value as Severity })}
          >
            <option value="warning">{t('alerts.severity.warning')}</option>
            <option value="critical">{t('alerts.severity.critical')}</option>
          </select>
        </label>
      </div>
      <div className="inline-fields">
        {metric &&
          field('threshold', t('alerts.rules.threshold'), t('alerts.rules.thresholdHint'), {
            min: 0,
            max: 100,
            step: 1,
          })}
        {isOfflineKind(draft.kind) &&
          field('forSec', t('alerts.rules.grace'), t('alerts.rules.graceHint'), {
            min: 0,
            max: 86_400,
            step: 1,
          })}
        {metric &&
          field('forSec', t('alerts.rules.forSec'), t('alerts.rules.forSecHint'), {
            min: 0,
            max: 86_400,
            step: 1,
          })}
        {metric &&
          field('hysteresis', t('alerts.rules.hysteresis'), t('alerts.rules.hysteresisHint'), {
            min: 0,
            max: 50,
            step: 1,
          })}
      </div>
      {draft.kind === 'job_failed' && <p className="muted small">{t('alerts.rules.jobFailedHint')}</p>}
      <div className="form-field">
        <span className="form-label">{t('alerts.rules.selector')}</span>
        <LabelRows rows={draft.selector} onChange={(selector) => set({ selector })} testId="rule-selector" />
        <span className="muted small">{t('alerts.rules.selectorHint')}</span>
      </div>
      <fieldset className="schema-fieldset">
        <legend>{t('alerts.rules.channels')}</legend>
        {channels.length === 0 ? (
          <p className="muted small">{t('alerts.rules.noChannels')}</p>
        ) : (
          channels.map((c) => (
            <label key={c.id} className="form-check-inline">
              <input
                type="checkbox"
                checked={draft.channels.includes(c.id)}
                data-testid="rule-channel"
                data-channel-id={c.id}
                onChange={(e) =>
                  set({
                    channels: e.target.checked
                      ? [...draft.channels, c.id]
                      : draft.channels.filter((x) => x !== c.id),
                  })
                }
              />
              {c.name} <span className="muted small">({t(`alerts.channels.kind.${c.kind}`)})</span>
            </label>
          ))
        )}
        <p className="muted small">{t('alerts.rules.channelsHint')}</p>
      </fieldset>
      <label className="form-check-inline">
        <input
          type="checkbox"
          checked={draft.enabled}
          data-testid="rule-enabled"
          onChange={(e) => set({ enabled: e.target.checked })}
        />
        {t('alerts.rules.enabled')}
      </label>
      {hubError && (
        <div className="result result-bad" role="alert" data-testid="rule-error">
          <strong>{t('alerts.rules.saveFailed')}</strong>
          <span>{hubError}</span>
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="rule-save" disabled={busy}>
          {busy ? t('alerts.saving') : t('alerts.save')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('alerts.cancel')}
        </button>
      </div>
    </form>
  );
}
