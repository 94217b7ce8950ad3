/**
 * "Gateway limits": each limit the gateway enforces, its value, the close code (or HTTP status) an
 * agent gets when it hits it, and how many times that happened since the hub started. A counter
 * above zero is highlighted: it usually means a misbehaving or misconfigured agent.
 */
import { useId } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { CloseCode, type GatewayLimitsStatus } from '../../src-shared';
import { useFormat } from '../i18n/format';
import { useFleet } from '../state/context';

type CounterKey = keyof GatewayLimitsStatus['counters'];

interface Row {
  key: CounterKey;
  /** What the agent sees: a WebSocket close code or an HTTP status. */
  outcome: string;
  value: (s: GatewayLimitsStatus['settings'], f: ReturnType<typeof useFormat>, t: TFunction) => string;
}

const ROWS: Row[] = [
  {
    key: 'rateLimited',
    outcome: String(CloseCode.RATE_LIMITED),
    value: (s, f, t) =>
      t('gatewayLimits.values.rate', {
        rate: f.number(s.messageRatePerSec),
        burst: f.number(s.messageBurst),
      }),
  },
  {
    key: 'frameTooLarge',
    outcome: String(CloseCode.MESSAGE_TOO_BIG),
    value: (s, f) => f.bytes(s.maxFrameBytes),
  },
  {
    key: 'helloRejected',
    outcome: String(CloseCode.PROTOCOL_VIOLATION),
    value: (s, f, t) =>
      t('gatewayLimits.values.hello', {
        labels: f.number(s.maxLabels),
        schema: f.bytes(s.maxConfigSchemaBytes),
      }),
  },
  { key: 'connectionCap', outcome: 'HTTP 503', value: (s, f) => f.number(s.maxConnections) },
  {
    key: 'slowConsumer',
    outcome: String(CloseCode.SLOW_CONSUMER),
    value: (s, f) => f.bytes(s.maxBufferedBytes),
  },
  {
    key: 'helloTimeout',
    outcome: String(CloseCode.HELLO_TIMEOUT),
    value: (s, f) => f.duration(s.helloTimeoutMs),
  },
  { key: 'protocolViolation', outcome: String(CloseCode.PROTOCOL_VIOLATION), value: () => '' },
];

export function GatewayLimits({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const ids = useId();
  const limits = useFleet((s) => s.status?.gateway.limits);
  const refusedAuth = useFleet((s) => s.status?.gateway.refusedAuth);
  if (!limits) return null;
  const Heading = `h${headingLevel}` as const;
  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="gateway-limits">
      <Heading id={`${ids}-title`} className="card-title">
        {t('gatewayLimits.title')}
      </Heading>
      <p className="muted small">{t('gatewayLimits.intro')}</p>
      <div className="table-scroll">
        <table className="simple-table">
          <thead>
            <tr>
              <th scope="col">{t('gatewayLimits.limit')}</th>
              <th scope="col">{t('gatewayLimits.value')}</th>
              <th scope="col">{t('gatewayLimits.outcome')}</th>
              <th scope="col">{t('gatewayLimits.count')}</th>
            </tr>
          </thead>
          <tbody>
            {ROWS.map((row) => {
              const count = limits.counters[row.key];
              return (
                <tr key={row.key} data-testid={`limit-${row.key}`}>
                  <th scope="row">{t(`gatewayLimits.rows.${row.key}`)}</th>
                  <td>{row.value(limits.settings, fmt, t)}</td>
                  <td>
                    <code>{row.outcome}</code>
                  </td>
                  <td
                    className={`tabular${count > 0 ? ' warn-text' : ''}`}
                    data-testid={`limit-${row.key}-count`}
                  >
                    {fmt.number(count)}
                  </td>
                </tr>
              );
            })}
            {refusedAuth !== undefined && (
              <tr data-testid="limit-refusedAuth">
                <th scope="row">{t('gatewayLimits.rows.refusedAuth')}</th>
                <td />
                <td>
                  <code>HTTP 401</code>
                </td>
                <td className={`tabular${refusedAuth > 0 ? ' warn-text' : ''}`}>{fmt.number(refusedAuth)}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
