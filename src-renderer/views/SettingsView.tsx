import { useEffect, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  BrokerSettingsInput,
  BrokerSettingsView,
  BrokerStatus,
  TestConnectionResult,
} from '../../src-shared/broker-protocol';
import { BrokerStateBadge } from '../components/BrokerStatus';
import { ConnectPanel } from '../components/ConnectPanel';
import { GatewayLimits } from '../components/GatewayLimits';
import { GatewaySecurity } from '../components/GatewaySecurity';
import { Field, Fields } from '../components/DetailParts';
import { EnrollmentSection } from '../components/settings/EnrollmentSection';
import { LanguageSection } from '../components/settings/LanguageSection';
import { SettingSources } from '../components/settings/SettingSources';
import { useFormat } from '../i18n/format';
import { useConsole, useFleet } from '../state/context';

export interface BrokerForm {
  host: string;
  /** As typed: validated into a number before sending. */
  port: string;
  username: string;
  password: string;
  vhost: string;
  tls: boolean;
}
export type BrokerField = 'host' | 'port' | 'username' | 'password' | 'vhost';
export type FieldError = { key: 'required' } | { key: 'port' } | { key: 'tooLong'; max: number };

/**
 * Client-side check mirroring BrokerSettingsInputSchema (which the hub applies again), so mistakes
 * show next to the field before anything is sent. The password is sent only when typed and allowed:
 * empty means "keep the stored one".
 */
export function validateBrokerForm(
  form: BrokerForm,
  passwordAllowed: boolean,
): { input: BrokerSettingsInput | null; errors: Partial<Record<BrokerField, FieldError>> } {
  const errors: Partial<Record<BrokerField, FieldError>> = {};
  const text = (field: BrokerField, value: string, max: number, required = true) => {
    if (required && value.length === 0) errors[field] = { key: 'required' };
    else if (value.length > max) errors[field] = { key: 'tooLong', max };
  };
  const host = form.host.trim();
  text('host', host, 255);
  text('username', form.username, 255);
  text('vhost', form.vhost, 255);
  if (passwordAllowed) text('password', form.password, 1024, false);
  const portText = form.port.trim();
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (portText.length === 0) errors.port = { key: 'required' };
  else if (!(port >= 1 && port <= 65535)) errors.port = { key: 'port' };
  if (Object.keys(errors).length > 0) return { input: null, errors };
  const input: BrokerSettingsInput = {
    host,
    port,
    username: form.username,
    vhost: form.vhost,
    tls: form.tls,
  };
  if (passwordAllowed && form.password.length > 0) input.password = form.password;
  return { input, errors };
}

function formFrom(view: BrokerSettingsView): BrokerForm {
  return {
    host: view.host,
    port: view.port > 0 ? String(view.port) : '5672',
    username: view.username,
    password: '',
    vhost: view.vhost || '/',
    tls: view.tls,
  };
}

type Result =
  | { kind: 'test'; value: TestConnectionResult }
  | { kind: 'save'; value: BrokerStatus }
  | { kind: 'error'; message: string };

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function TextField({
  id,
  label,
  testId,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  testId: string;
  error?: string;
  hint?: ReactNode;
  children: (props: {
    id: string;
    'data-testid': string;
    'aria-invalid': true | undefined;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={`form-field${error ? ' invalid' : ''}`}>
      <label htmlFor={id} className="form-label">
        {label}
      </label>
      {children({
        id,
        'data-testid': testId,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy,
      })}
      {error ? (
        <p id={`${id}-error`} className="field-error" data-testid={`${testId}-error`}>
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="muted small">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function BrokerResult({ result }: { result: Result }) {
  const { t } = useTranslation();
  if (result.kind === 'error') {
    return (
      <div className="result result-bad" role="alert" data-testid="broker-result" data-result="error">
        {t('settings.broker.result.requestFailed', { message: result.message })}
      </div>
    );
  }
  if (result.kind === 'save') {
    const s = result.value;
    const good = s.state === 'connected' || s.state === 'connecting';
    return (
      <div
        className={`result ${good ? 'result-good' : 'result-bad'}`}
        role="status"
        data-testid="broker-result"
        data-result="saved"
        data-broker-state={s.state}
      >
        <div>
          <strong>{t('settings.broker.result.saved', { state: t(`broker.state.${s.state}`) })}</strong>
          {s.reason && s.state !== 'connected' && <span> · {t(`broker.reason.${s.reason}`)}</span>}
        </div>
        {s.reasonText && <p>{s.reasonText}</p>}
      </div>
    );
  }
  const r = result.value;
  if (r.ok) {
    const version = [r.product, r.serverVersion].filter(Boolean).join(' ');
    return (
      <div className="result result-good" role="status" data-testid="broker-result" data-result="ok">
        <div>
          <strong>{t('settings.broker.result.ok')}</strong>
          <span> · {t('settings.broker.result.latency', { ms: Math.round(r.latencyMs) })}</span>
          {version && <span> · {version}</span>}
        </div>
        <p className="muted small">
          <code>{r.url}</code>
        </p>
      </div>
    );
  }
  return (
    <div
      className="result result-bad"
      role="alert"
      data-testid="broker-result"
      data-result="failed"
      data-reason={r.diagnosis.code}
    >
      <strong>
        {t('settings.broker.result.failed')}: {t(`broker.reason.${r.diagnosis.code}`)}
      </strong>
      <p>{r.diagnosis.message}</p>
      {r.diagnosis.detail && (
        <details className="notice-details">
          <summary>{t('settings.broker.result.detail')}</summary>
          <code>{r.diagnosis.detail}</code>
        </details>
      )}
    </div>
  );
}

function BrokerSettingsSection() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const ids = useId();
  const broker = useFleet((s) => s.status?.broker);
  const [view, setView] = useState<BrokerSettingsView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setForm] = useState<BrokerForm | null>(null);
  const [showErrors, setShowErrors] = useState(false);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [result, setResult] = useState<Result | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.call('getBrokerSettings', undefined).then(
      (value) => {
        if (cancelled) return;
        setView(value);
        setForm(formFrom(value));
        setLoadError(null);
      },
      (e: unknown) => {
        if (!cancelled) setLoadError(errorMessage(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const passwordAllowed = view?.secretBackend !== 'unavailable';
  const checked = form ? validateBrokerForm(form, passwordAllowed) : null;
  const errorText = (field: BrokerField): string | undefined => {
    const e = showErrors ? checked?.errors[field] : undefined;
    if (!e) return undefined;
    return e.key === 'tooLong'
      ? t('settings.broker.errors.tooLong', { max: e.max })
      : t(`settings.broker.errors.${e.key}`);
  };

  async function run(action: 'test' | 'save') {
    setShowErrors(true);
    if (!checked?.input || busy) return;
    const input = checked.input;
    setBusy(action);
    setResult(null);
    try {
      if (action === 'test') {
        setResult({ kind: 'test', value: await api.call('testBrokerConnection', input) });
      } else {
        const status = await api.call('saveBrokerSettings', input);
        setResult({ kind: 'save', value: status });
        setForm((f) => (f ? { ...f, password: '' } : f));
        // Source and "password stored" changed: show what the hub now holds.
        api.call('getBrokerSettings', undefined).then(setView, () => {});
      }
    } catch (e) {
      setResult({ kind: 'error', message: errorMessage(e) });
    } finally {
      setBusy(null);
    }
  }

  const update = (patch: Partial<BrokerForm>) => setForm((f) => (f ? { ...f, ...patch } : f));

  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="broker-settings">
      <header className="card-header">
        <h2 id={`${ids}-title`} className="card-title">
          {t('settings.broker.title')}
        </h2>
        {broker && <BrokerStateBadge broker={broker} />}
      </header>
      <p className="muted">{t('settings.broker.intro')}</p>
      {broker?.reasonText && broker.state !== 'connected' && broker.state !== 'not_configured' && (
        <p
          className={broker.state === 'disconnected' ? 'error-text small' : 'warn-text small'}
          data-testid="broker-settings-reason"
        >
          {broker.reason && `${t(`broker.reason.${broker.reason}`)}: `}
          {broker.reasonText}
        </p>
      )}
      {loadError && (
        <p className="error-text" role="alert">
          {t('settings.broker.loadFailed', { message: loadError })}
        </p>
      )}
      {!form || !view ? (
        !loadError && <p className="muted">{t('settings.broker.loading')}</p>
      ) : (
        <form
          className="settings-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void run('save');
          }}
        >
          <p className="small" data-testid="broker-source" data-source={view.source}>
            <span className="muted">{t('settings.broker.source.label')}:</span>{' '}
            <strong>{t(`settings.broker.source.${view.source}`)}</strong>
          </p>
          {view.secretBackend === 'basic_text' && (
            <p className="notice notice-warn small" role="note" data-testid="broker-basic-text">
              {t('settings.broker.basicText')}
            </p>
          )}
          <div className="form-grid">
            <TextField
              id={`${ids}-host`}
              label={t('settings.broker.fields.host')}
              testId="broker-host"
              error={errorText('host')}
            >
              {(p) => (
                <input
                  {...p}
                  className="input"
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  value={form.host}
                  onChange={(e) => update({ host: e.target.value })}
                />
              )}
            </TextField>
            <TextField
              id={`${ids}-port`}
              label={t('settings.broker.fields.port')}
              testId="broker-port"
              error={errorText('port')}
            >
              {(p) => (
                <input
                  {...p}
                  className="input input-port"
                  type="text"
                  inputMode="numeric"
                  autoComplete="off"
                  value={form.port}
                  onChange={(e) => update({ port: e.target.value })}
                />
              )}
            </TextField>
            <TextField
              id={`${ids}-user`}
              label={t('settings.broker.fields.username')}
              testId="broker-user"
              error={errorText('username')}
            >
              {(p) => (
                <input
                  {...p}
                  className="input"
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  value={form.username}
                  onChange={(e) => update({ username: e.target.value })}
                />
              )}
            </TextField>
            <TextField
              id={`${ids}-password`}
              label={t('settings.broker.fields.password')}
              testId="broker-password"
              error={errorText('password')}
              hint={passwordAllowed ? undefined : t('settings.broker.passwordUnavailable')}
            >
              {(p) => (
                <input
                  {...p}
                  className="input"
                  type="password"
                  autoComplete="new-password"
                  disabled={!passwordAllowed}
                  placeholder={
                    !passwordAllowed
                      ? t('settings.broker.passwordFromEnv')
                      : view.hasPassword
                        ? t('settings.broker.passwordStored')
                        : undefined
                  }
                  value={passwordAllowed ? form.password : ''}
                  onChange={(e) => update({ password: e.target.value })}
                />
              )}
            </TextField>
            <TextField
              id={`${ids}-vhost`}
              label={t('settings.broker.fields.vhost')}
              testId="broker-vhost"
              error={errorText('vhost')}
            >
              {(p) => (
                <input
                  {...p}
                  className="input"
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  value={form.vhost}
                  onChange={(e) => update({ vhost: e.target.value })}
                />
              )}
            </TextField>
            <div className="form-field form-check">
              <label>
                <input
                  type="checkbox"
                  data-testid="broker-tls"
                  checked={form.tls}
                  onChange={(e) => update({ tls: e.target.checked })}
                />{' '}
                {t('settings.broker.fields.tls')}
              </label>
            </div>
          </div>
          <div className="form-actions">
            <button
              type="button"
              className="btn"
              data-testid="broker-test"
              disabled={busy !== null}
              onClick={() => void run('test')}
            >
              {busy === 'test' ? t('settings.broker.testing') : t('settings.broker.test')}
            </button>
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="broker-save"
              disabled={busy !== null}
            >
              {busy === 'save' ? t('settings.broker.saving') : t('settings.broker.save')}
            </button>
            {busy && <span className="spinner" aria-hidden="true" />}
          </div>
          {result && <BrokerResult result={result} />}
        </form>
      )}
    </section>
  );
}

function GatewaySection() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const ids = useId();
  const gateway = useFleet((s) => s.status?.gateway);
  if (!gateway) return null;
  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="gateway-settings">
      <h2 id={`${ids}-title`} className="card-title">
        {t('settings.gateway.title')}
      </h2>
      <p className="muted">{t('settings.gateway.intro')}</p>
      <Fields>
        <Field label={t('settings.gateway.state')}>
          <span className={`sb-item sb-${gateway.state}`}>
            <span className="sb-dot" aria-hidden="true" />
            {t(`settings.gateway.state_${gateway.state}`)}
            {gateway.error && <span className="error-text"> · {gateway.error}</span>}
          </span>
        </Field>
        <Field label={t('settings.gateway.listen')}>
          <code data-testid="gateway-listen">
            {gateway.host}:{gateway.port}
          </code>
        </Field>
        <Field label={t('settings.gateway.urls')}>
          {gateway.urls.length === 0 ? (
            <span className="muted">{t('connect.noUrls')}</span>
          ) : (
            <ul className="plain-list">
              {gateway.urls.map((u) => (
                <li key={u}>
                  <code>{u}</code>
                </li>
              ))}
            </ul>
          )}
        </Field>
        <Field label={t('settings.gateway.ping')}>
          {t('settings.gateway.every', { duration: fmt.duration(gateway.pingIntervalSec * 1000) })}
        </Field>
        <Field label={t('settings.gateway.metrics')}>
          {t('settings.gateway.every', { duration: fmt.duration(gateway.metricsIntervalSec * 1000) })}
        </Field>
        <Field label={t('settings.gateway.connections')}>{fmt.number(gateway.connections)}</Field>
      </Fields>
    </section>
  );
}

export function SettingsView() {
  const { t } = useTranslation();
  return (
    <div className="page" data-testid="settings-view">
      <header className="page-header">
        <div>
          <h1>{t('settings.title')}</h1>
          <p className="muted">{t('settings.subtitle')}</p>
        </div>
      </header>
      <LanguageSection />
      <BrokerSettingsSection />
      <div className="overview-columns">
        <GatewaySection />
        <ConnectPanel />
      </div>
      <EnrollmentSection />
      <div className="overview-columns">
        <GatewaySecurity />
        <GatewayLimits />
      </div>
      <SettingSources />
    </div>
  );
}
