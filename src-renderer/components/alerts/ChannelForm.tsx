/**
 * Create or edit a notification channel: desktop (the console's own notifications) or webhook (URL
 * and extra headers). Header values come back from the hub masked as MASKED_SECRET; sending the mask
 * back unchanged keeps the stored value, so a header is only replaced when the operator types a new one.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MASKED_SECRET, type ChannelInput, type ChannelView } from '../../../src-shared/monitoring';
import { useConsole } from '../../state/context';
import { errorMessage } from './AlertParts';

export interface HeaderRow {
  name: string;
  value: string;
}

export interface ChannelDraft {
  id?: string;
  kind: 'desktop' | 'webhook';
  name: string;
  enabled: boolean;
  url: string;
  headers: HeaderRow[];
}

export type ChannelField = 'name' | 'url' | 'headers';
export type ChannelFieldError = 'required' | 'url' | 'tooLong' | 'headerName' | 'duplicateHeader';

export function channelDraft(channel?: ChannelView): ChannelDraft {
  if (!channel) return { kind: 'desktop', name: '', enabled: true, url: 'https://', headers: [] };
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    enabled: channel.enabled,
    url: channel.kind === 'webhook' ? channel.url : 'https://',
    headers:
      channel.kind === 'webhook'
        ? Object.entries(channel.headers).map(([name, value]) => ({ name, value }))
        : [],
  };
}

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

export function validateChannelDraft(draft: ChannelDraft): {
  input: ChannelInput | null;
  errors: Partial<Record<ChannelField, ChannelFieldError>>;
} {
  const errors: Partial<Record<ChannelField, ChannelFieldError>> = {};
  const name = draft.name.trim();
  if (name === '') errors.name = 'required';
  else if (name.length > 120) errors.name = 'tooLong';
  if (draft.kind === 'desktop') {
    if (errors.name) return { input: null, errors };
    const input: ChannelInput = { kind: 'desktop', name, enabled: draft.enabled };
    if (draft.id) input.id = draft.id;
    return { input, errors };
  }
  const url = draft.url.trim();
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) errors.url = 'url';
  else if (url.length > 2048) errors.url = 'tooLong';
  const headers: Record<string, string> = {};
  for (const row of draft.headers) {
    const header = row.name.trim();
    if (header === '' && row.value === '') continue; // an empty row left over: ignore it
    if (!HEADER_NAME.test(header)) errors.headers = 'headerName';
    else if (Object.keys(headers).some((h) => h.toLowerCase() === header.toLowerCase()))
      errors.headers = 'duplicateHeader';
    else if (row.value.length > 4096) errors.headers = 'tooLong';
    else headers[header] = row.value;
  }
  if (Object.keys(errors).length > 0) return { input: null, errors };
  const input: ChannelInput = { kind: 'webhook', name, enabled: draft.enabled, url, headers };
  if (draft.id) input.id = draft.id;
  return { input, errors };
}

function HeaderRows({
  rows,
  onChange,
  hintId,
}: {
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  /** Explains the mask; referenced by masked values. */
  hintId: string;
}) {
  const { t } = useTranslation();
  const update = (i: number, patch: Partial<HeaderRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="rows" data-testid="channel-headers">
      {rows.map((r, i) => (
        <div className="row-edit row-kv" key={i}>
          <input
            className="input"
            aria-label={t('alerts.channels.headerName', { n: i + 1 })}
            placeholder="Authorization"
            value={r.name}
            data-testid="header-name"
            onChange={(e) => update(i, { name: e.target.value })}
          />
          <span aria-hidden="true">:</span>
          <input
            className="input"
            aria-label={t('alerts.channels.headerValue', { n: i + 1 })}
            value={r.value}
            data-testid="header-value"
            aria-describedby={r.value === MASKED_SECRET ? hintId : undefined}
            // A stored value is shown masked: focusing selects it so typing replaces it whole.
            onFocus={(e) => {
              if (e.target.value === MASKED_SECRET) e.target.select();
            }}
            onChange={(e) => update(i, { value: e.target.value })}
          />
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={t('alerts.channels.removeHeader', { n: i + 1 })}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn-small"
        data-testid="header-add"
        onClick={() => onChange([...rows, { name: '', value: '' }])}
      >
        {t('alerts.channels.addHeader')}
      </button>
    </div>
  );
}

export function ChannelForm({
  channel,
  onSaved,
  onCancel,
}: {
  channel?: ChannelView;
  onSaved: (channel: ChannelView) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const id = useId().replace(/:/g, '');
  const [draft, setDraft] = useState<ChannelDraft>(() => channelDraft(channel));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [hubError, setHubError] = useState<string | null>(null);
  const { input, errors } = validateChannelDraft(draft);
  const shown = touched ? errors : {};
  const set = (patch: Partial<ChannelDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const errorText = (e: ChannelFieldError | undefined) => (e ? t(`alerts.channels.errors.${e}`) : undefined);

  async function save() {
    setTouched(true);
    if (!input || busy) return;
    setBusy(true);
    setHubError(null);
    try {
      onSaved(await api.call('saveChannel', input));
    } catch (e) {
      setHubError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const nameError = errorText(shown.name);
  const urlError = errorText(shown.url);
  const headersError = errorText(shown.headers);
  const hasMasked = draft.headers.some((h) => h.value === MASKED_SECRET);
  return (
    <form
      className="config-form channel-form"
      noValidate
      data-testid="channel-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <fieldset className="schema-fieldset" disabled={Boolean(channel)}>
        <legend>{t('alerts.channels.kindLabel')}</legend>
        {(['desktop', 'webhook'] as const).map((k) => (
          <label key={k} className="form-check-inline">
            <input
              type="radio"
              name={`${id}-kind`}
              value={k}
              checked={draft.kind === k}
              data-testid={`channel-kind-${k}`}
              onChange={() => set({ kind: k })}
            />
            {t(`alerts.channels.kind.${k}`)}
          </label>
        ))}
        <p className="muted small">{t(`alerts.channels.kindHint.${draft.kind}`)}</p>
      </fieldset>
      <div className="form-field">
        <label htmlFor={`${id}-name`} className="form-label">
          {t('alerts.channels.name')}
        </label>
        <input
          id={`${id}-name`}
          className="input"
          value={draft.name}
          maxLength={120}
          data-testid="channel-name"
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
      {draft.kind === 'webhook' && (
        <>
          <div className="form-field">
            <label htmlFor={`${id}-url`} className="form-label">
              {t('alerts.channels.url')}
            </label>
            <input
              id={`${id}-url`}
              className="input mono"
              type="url"
              value={draft.url}
              data-testid="channel-url"
              aria-invalid={urlError ? true : undefined}
              aria-describedby={`${id}-url-note`}
              onChange={(e) => set({ url: e.target.value })}
            />
            <span id={`${id}-url-note`} className={urlError ? 'field-error' : 'muted small'}>
              {urlError ?? t('alerts.channels.urlHint')}
            </span>
          </div>
          <div className="form-field">
            <span className="form-label">{t('alerts.channels.headers')}</span>
            <HeaderRows
              rows={draft.headers}
              onChange={(headers) => set({ headers })}
              hintId={`${id}-headers-hint`}
            />
            {headersError && <span className="field-error">{headersError}</span>}
            <span id={`${id}-headers-hint`} className="muted small">
              {hasMasked
                ? t('alerts.channels.maskedHint', { mask: MASKED_SECRET })
                : t('alerts.channels.headersHint')}
            </span>
          </div>
        </>
      )}
      <label className="form-check-inline">
        <input
          type="checkbox"
          checked={draft.enabled}
          data-testid="channel-enabled"
          onChange={(e) => set({ enabled: e.target.checked })}
        />
        {t('alerts.channels.enabled')}
      </label>
      {hubError && (
        <div className="result result-bad" role="alert" data-testid="channel-error">
          <strong>{t('alerts.channels.saveFailed')}</strong>
          <span>{hubError}</span>
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="channel-save" disabled={busy}>
          {busy ? t('alerts.saving') : t('alerts.save')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('alerts.cancel')}
        </button>
      </div>
    </form>
  );
}
