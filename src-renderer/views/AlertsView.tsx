/**
 * Alerts: what is firing now (live from the store), the history (from the hub, kept live by the
 * store's changes), and the configuration behind them: rules, channels, mutes, deliveries. One view
 * with tabs in the address (#/alerts/<tab>) so a notification click lands on Active.
 */
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertView } from '../../src-shared/monitoring';
import { errorMessage } from '../components/alerts/AlertParts';
import { AlertList } from '../components/alerts/AlertList';
import { compareAlerts } from '../state/alert-order';
import { ChannelsPanel } from '../components/alerts/ChannelsPanel';
import { DeliveryLog } from '../components/alerts/DeliveryLog';
import { DesktopNotificationsToggle } from '../components/alerts/DesktopNotificationsToggle';
import { MutesPanel } from '../components/alerts/MutesPanel';
import { RulesPanel } from '../components/alerts/RulesPanel';
import { useAlertSettings } from '../components/alerts/use-alert-settings';
import { SearchBox } from '../components/SearchBox';
import { ruleDisplayName } from '../i18n/rule-names';
import { useConsole, useFleet } from '../state/context';
import { ALERT_TABS, navigate, routeHref, type AlertTab } from '../state/router';

function ActiveAlerts() {
  const { t } = useTranslation();
  const alerts = useFleet((s) => s.alerts);
  const sorted = useMemo(() => [...alerts.values()].sort(compareAlerts), [alerts]);
  const firing = sorted.filter((a) => a.state === 'firing');
  const resolved = sorted.filter((a) => a.state !== 'firing');
  return (
    <div className="stack" data-testid="alerts-active">
      <section className="card stack" aria-labelledby="alerts-firing-title">
        <h2 id="alerts-firing-title" className="card-title">
          {t('alerts.active.firing')}
          {firing.length > 0 && <span className="count-chip count-chip-bad">{firing.length}</span>}
        </h2>
        {firing.length === 0 ? (
          <p className="muted" data-testid="alerts-none-firing">
            {t('alerts.active.none')}
          </p>
        ) : (
          <AlertList alerts={firing} label={t('alerts.active.firing')} />
        )}
      </section>
      {resolved.length > 0 && (
        <section className="card stack" aria-labelledby="alerts-recent-title">
          <h2 id="alerts-recent-title" className="card-title">
            {t('alerts.active.recentlyResolved')}
          </h2>
          <AlertList alerts={resolved} label={t('alerts.active.recentlyResolved')} />
        </section>
      )}
    </div>
  );
}

type HistoryFilter = 'all' | 'firing' | 'resolved';
const HISTORY_FILTERS: readonly HistoryFilter[] = ['all', 'firing', 'resolved'];
/** The most the hub returns at once (AlertListQuerySchema). */
const HISTORY_LIMIT = 1000;

export function matchesAlert(alert: AlertView, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return [
    alert.subject.name,
    alert.subject.id,
    alert.ruleName,
    ruleDisplayName(alert.ruleId, alert.ruleName),
    alert.message,
  ].some((x) => x.toLowerCase().includes(q));
}

function AlertHistory() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const live = useFleet((s) => s.alerts);
  const [filter, setFilter] = useState<HistoryFilter>('all');
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query.trim());
  const [fetched, setFetched] = useState<AlertView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const mine = ++latest.current;
    api.call('listAlerts', { state: filter, limit: HISTORY_LIMIT }).then(
      (list) => {
        if (mine !== latest.current) return;
        setFetched(list);
        setError(null);
      },
      (e: unknown) => {
        if (mine === latest.current) setError(errorMessage(e));
      },
    );
  }, [api, filter, reloads]);

  // The store holds the latest view of every retained alert: newer than what was fetched.
  const rows = useMemo(() => {
    const byId = new Map((fetched ?? []).map((a) => [a.id, a]));
    for (const a of live.values()) byId.set(a.id, a);
    return [...byId.values()]
      .filter((a) => (filter === 'all' || a.state === filter) && matchesAlert(a, deferredQuery))
      .sort((a, b) => b.firedAt - a.firedAt || a.id.localeCompare(b.id));
  }, [fetched, live, filter, deferredQuery]);

  return (
    <section className="card stack" aria-labelledby="alerts-history-title" data-testid="alerts-history">
      <div className="card-header">
        <h2 id="alerts-history-title" className="card-title">
          {t('alerts.history.title')}
        </h2>
        <div className="toolbar">
          <div className="segmented" role="group" aria-label={t('alerts.history.filterLabel')}>
            {HISTORY_FILTERS.map((f) => (
              <button
                key={f}
                type="button"
                aria-pressed={filter === f}
                className={filter === f ? 'active' : ''}
                data-testid={`history-filter-${f}`}
                onClick={() => setFilter(f)}
              >
                {t(`alerts.history.filter.${f}`)}
              </button>
            ))}
          </div>
          <SearchBox
            value={query}
            onChange={setQuery}
            placeholder={t('alerts.history.search')}
            label={t('alerts.history.searchLabel')}
          />
          <button type="button" className="btn btn-small" onClick={() => setReloads((n) => n + 1)}>
            {t('alerts.refresh')}
          </button>
        </div>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {t('alerts.loadFailed', { message: error })}
        </p>
      )}
      {fetched && rows.length === 0 ? (
        <p className="muted">
          {deferredQuery ? t('alerts.history.noMatch', { query: deferredQuery }) : t('alerts.history.empty')}
        </p>
      ) : (
        <AlertList alerts={rows} label={t('alerts.history.title')} />
      )}
    </section>
  );
}

function SettingsTab({ tab }: { tab: 'rules' | 'channels' | 'mutes' }) {
  const { t } = useTranslation();
  const { settings, error, reload } = useAlertSettings();
  if (!settings) {
    return error ? (
      <p className="error-text" role="alert">
        {t('alerts.loadFailed', { message: error })}
      </p>
    ) : (
      <p className="muted">{t('alerts.loading')}</p>
    );
  }
  if (tab === 'rules') return <RulesPanel settings={settings} reload={reload} />;
  if (tab === 'channels') return <ChannelsPanel settings={settings} reload={reload} />;
  return <MutesPanel settings={settings} reload={reload} />;
}

export function AlertsView({ tab }: { tab: AlertTab }) {
  const { t } = useTranslation();
  const counters = useFleet((s) => s.status?.alerts);
  const active = counters?.active ?? 0;
  const failedDeliveries = counters?.failedDeliveries ?? 0;
  return (
    <div className="page" data-testid="alerts-view" data-tab={tab}>
      <header className="page-header">
        <div>
          <h1>{t('alerts.title')}</h1>
          <p className="muted" data-testid="alerts-summary">
            {t('alerts.summary', { count: active, critical: counters?.critical ?? 0 })}
          </p>
        </div>
        <div className="toolbar">
          <DesktopNotificationsToggle />
        </div>
      </header>
      {failedDeliveries > 0 && tab !== 'deliveries' && (
        <div className="notice notice-error" role="status" data-testid="alerts-failed-deliveries">
          <div className="notice-main">
            <span className="notice-title">{t('alerts.failedDeliveries', { count: failedDeliveries })}</span>
          </div>
          <a className="btn btn-small" href={routeHref({ view: 'alerts', tab: 'deliveries' })}>
            {t('alerts.showDeliveries')}
          </a>
        </div>
      )}
      <div className="segmented alert-tabs" role="group" aria-label={t('alerts.tabs.label')}>
        {ALERT_TABS.map((x) => (
          <button
            key={x}
            type="button"
            aria-pressed={tab === x}
            className={tab === x ? 'active' : ''}
            data-testid={`alerts-tab-${x}`}
            onClick={() => navigate({ view: 'alerts', tab: x })}
          >
            {t(`alerts.tabs.${x}`)}
            {x === 'active' && active > 0 && <span className="tab-count">{active}</span>}
            {x === 'deliveries' && failedDeliveries > 0 && (
              <span className="tab-count tab-count-bad">{failedDeliveries}</span>
            )}
          </button>
        ))}
      </div>
      {tab === 'active' && <ActiveAlerts />}
      {tab === 'history' && <AlertHistory />}
      {(tab === 'rules' || tab === 'channels' || tab === 'mutes') && <SettingsTab key={tab} tab={tab} />}
      {tab === 'deliveries' && <DeliveryLog />}
    </div>
  );
}
