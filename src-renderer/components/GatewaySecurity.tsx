/**
 * Settings → Gateway security: how agents reach the gateway (TLS mode), the certificate fingerprint
 * they pin (with a copy button and a ready `--fingerprint` command line), and a visible warning when
 * TLS is off. The hub decides everything; this only shows GatewayStatus.tls.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GatewayStatus } from '../../src-shared';
import { useFormat } from '../i18n/format';
import { useConsole, useFleet } from '../state/context';
import { CopyButton } from './CopyButton';
import { Field, Fields } from './DetailParts';

/** The agent command line that pins `fingerprint` (the token stays a placeholder on purpose). */
export function pinnedAgentCommand(gateway: GatewayStatus, fingerprint: string): string {
  const url = gateway.urls[0] ?? `wss://HOST:${gateway.port}/agent/v1`;
  return `npm run agent -- --url ${url} --fingerprint ${fingerprint} --token <token>`;
}

/** Status-bar chip shown on every screen while the gateway serves plain ws. */
export function PlainWsWarning() {
  const { t } = useTranslation();
  const mode = useFleet((s) => s.status?.gateway.tls?.mode);
  if (mode !== 'off') return null;
  return (
    <a
      className="sb-item sb-warn"
      href="#/settings"
      data-testid="status-tls-off"
      title={t('gatewaySecurity.offWarning')}
    >
      <span aria-hidden="true">⚠ </span>
      {t('status.tlsOff')}
    </a>
  );
}

export function GatewaySecurity() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const ids = useId();
  const gateway = useFleet((s) => s.status?.gateway);
  const tls = gateway?.tls;
  if (!gateway || !tls) return null;
  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="gateway-security">
      <h2 id={`${ids}-title`} className="card-title">
        {t('gatewaySecurity.title')}
      </h2>
      {tls.mode === 'off' && (
        <p className="notice notice-warn small" role="note" data-testid="tls-off-warning">
          {t('gatewaySecurity.offWarning')}
        </p>
      )}
      {tls.error && (
        <p className="notice notice-error small" role="alert" data-testid="tls-error">
          {t('gatewaySecurity.error', { error: tls.error })}
        </p>
      )}
      <Fields>
        <Field label={t('gatewaySecurity.mode')}>
          <span data-testid="tls-mode">{t(`gatewaySecurity.mode_${tls.mode}`)}</span>
        </Field>
        {tls.fingerprint && (
          <Field label={t('gatewaySecurity.fingerprint')}>
            <div className="token-row">
              <code className="mono-chip" data-testid="tls-fingerprint">
                {tls.fingerprint}
              </code>
              <CopyButton text={tls.fingerprint} what={t('gatewaySecurity.fingerprint')} />
            </div>
          </Field>
        )}
        {tls.fingerprint && (
          <Field label={t('gatewaySecurity.command')}>
            <div className="token-row">
              <code className="mono-chip" data-testid="tls-command">
                {pinnedAgentCommand(gateway, tls.fingerprint)}
              </code>
              <CopyButton
                text={pinnedAgentCommand(gateway, tls.fingerprint)}
                what={t('gatewaySecurity.command')}
              />
            </div>
            <p className="muted small">{t('gatewaySecurity.commandHint')}</p>
          </Field>
        )}
        {tls.notAfter !== undefined && (
          <Field label={t('gatewaySecurity.expires')}>{fmt.dateTime(tls.notAfter)}</Field>
        )}
        {tls.subjectAltNames && tls.subjectAltNames.length > 0 && (
          <Field label={t('gatewaySecurity.names')}>
            <span className="small">{tls.subjectAltNames.join(', ')}</span>
          </Field>
        )}
      </Fields>
      {tls.mode === 'self-signed' && <p className="muted small">{t('gatewaySecurity.selfSignedHint')}</p>}
      {tls.mode === 'self-signed' && !tls.error && <RegenerateCertificate />}
    </section>
  );
}

/**
 * Regenerate the self-signed certificate, behind an explicit confirmation: it locks out every agent
 * that pinned the current fingerprint until it is given the new one.
 */
function RegenerateCertificate() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const [step, setStep] = useState<'idle' | 'confirm' | 'working'>('idle');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const regenerate = () => {
    setStep('working');
    api.call('regenerateGatewayCertificate', undefined).then(
      ({ fingerprint }) => {
        setStep('idle');
        setResult({ ok: true, text: t('gatewaySecurity.regenerated', { fingerprint }) });
      },
      (error: unknown) => {
        setStep('idle');
        const message = error instanceof Error ? error.message : String(error);
        setResult({ ok: false, text: t('gatewaySecurity.regenerateFailed', { message }) });
      },
    );
  };
  return (
    <div data-testid="tls-regenerate">
      {step === 'idle' ? (
        <button type="button" className="btn" onClick={() => setStep('confirm')}>
          {t('gatewaySecurity.regenerate')}
        </button>
      ) : (
        <div className="notice notice-warn small" role="group" aria-label={t('gatewaySecurity.regenerate')}>
          <p>{t('gatewaySecurity.regenerateConfirm')}</p>
          <button
            type="button"
            className="btn btn-primary"
            disabled={step === 'working'}
            onClick={regenerate}
          >
            {t('gatewaySecurity.regenerateNow')}
          </button>{' '}
          <button type="button" className="btn" disabled={step === 'working'} onClick={() => setStep('idle')}>
            {t('gatewaySecurity.cancel')}
          </button>
        </div>
      )}
      {result && (
        <p className={result.ok ? 'muted small' : 'error-text'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
    </div>
  );
}
