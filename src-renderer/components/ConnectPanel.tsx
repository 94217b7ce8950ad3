/** How to connect an agent: gateway URLs, the shared token (masked until asked) and a ready command. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentConnectionInfo } from '../../src-shared/console-api';
import { useConsole } from '../state/context';
import { CopyButton } from './CopyButton';

const MASK = '•'.repeat(24);

export function ConnectPanel({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const [info, setInfo] = useState<AgentConnectionInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState(false);
  const gatewayUrls = useGatewayUrlsKey();

  useEffect(() => {
    let cancelled = false;
    api.call('getAgentConnectionInfo', undefined).then(
      (value) => {
        if (cancelled) return;
        setInfo(value);
        setError(null);
      },
      (e: unknown) => {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      cancelled = true;
    };
    // Refetch when the gateway's addresses change (it started listening, or the port moved).
  }, [api, gatewayUrls]);

  const Heading = `h${headingLevel}` as const;
  const command = info
    ? revealed
      ? info.exampleCommand
      : info.exampleCommand.split(info.token).join(MASK)
    : '';

  return (
    <section className="card connect" aria-labelledby="connect-title" data-testid="connect-panel">
      <Heading id="connect-title" className="card-title">
        {t('connect.title')}
      </Heading>
      <p className="muted">{t('connect.intro')}</p>
      {error && (
        <p className="error-text" role="alert">
          {t('connect.loadFailed', { message: error })}
        </p>
      )}
      {info && (
        <dl className="connect-grid">
          <dt>{t('connect.urls')}</dt>
          <dd>
            {info.urls.length === 0 ? (
              <span className="muted">{t('connect.noUrls')}</span>
            ) : (
              <ul className="url-list">
                {info.urls.map((url) => (
                  <li key={url}>
                    <code className="mono-chip">{url}</code>
                    <CopyButton text={url} what={url} />
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>{t('connect.token')}</dt>
          <dd>
            <div className="token-row">
              <code
                className="mono-chip token"
                data-testid="agent-token"
                aria-label={revealed ? undefined : t('connect.tokenMasked')}
              >
                {revealed ? info.token : MASK}
              </code>
              <button
                type="button"
                className="btn btn-small"
                aria-pressed={revealed}
                onClick={() => setRevealed((r) => !r)}
              >
                {revealed ? t('connect.hide') : t('connect.reveal')}
              </button>
              <CopyButton text={info.token} what={t('connect.token')} />
            </div>
            <div className="muted small">{t(`connect.tokenSource.${info.tokenSource}`)}</div>
          </dd>
          <dt>{t('connect.command')}</dt>
          <dd>
            <div className="command">
              <pre>
                <code>{command}</code>
              </pre>
              <CopyButton text={info.exampleCommand} what={t('connect.command')} />
            </div>
          </dd>
        </dl>
      )}
    </section>
  );
}

function useGatewayUrlsKey(): string {
  const { store } = useConsole();
  const [key, setKey] = useState(() => store.getState().status?.gateway.urls.join(' ') ?? '');
  useEffect(() => store.subscribe((s) => setKey(s.status?.gateway.urls.join(' ') ?? '')), [store]);
  return key;
}
