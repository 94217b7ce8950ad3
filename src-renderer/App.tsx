import { useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { Toasts } from './components/alerts/Toasts';
import { ConnectPanel } from './components/ConnectPanel';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Dialog } from './components/Dialog';
import { Sidebar } from './components/Sidebar';
import { StatusBar } from './components/StatusBar';
import { useConsole, useFleet } from './state/context';
import { useRoute, type Route } from './state/router';
import { AgentDetailView } from './views/AgentDetailView';
import { AgentsView } from './views/AgentsView';
import { AlertsView } from './views/AlertsView';
import { AuditView } from './views/AuditView';
import { BulkView } from './views/BulkView';
import { ProfilesView } from './views/ProfilesView';
import { JobsView } from './views/JobsView';
import { OverviewView } from './views/OverviewView';
import { ServerDetailView } from './views/ServerDetailView';
import { ServersView } from './views/ServersView';
import { SettingsView } from './views/SettingsView';

function CurrentView({ route }: { route: Route }) {
  switch (route.view) {
    case 'overview':
      return <OverviewView />;
    case 'agents':
      return <AgentsView />;
    case 'servers':
      return <ServersView />;
    case 'agent':
      return <AgentDetailView key={route.id} agentId={route.id} />;
    case 'server':
      return <ServerDetailView key={route.id} serverId={route.id} />;
    case 'jobs':
      // The sidebar's "Jobs" opens Recent: running and finished together, newest first.
      return <JobsView key={route.agent ?? ''} tab={route.tab ?? 'recent'} initialAgent={route.agent} />;
    case 'settings':
      return <SettingsView />;
    case 'profiles':
      return <ProfilesView />;
    case 'bulk':
      return <BulkView />;
    case 'audit':
      return <AuditView />;
    case 'alerts':
      return <AlertsView tab={route.tab ?? 'active'} />;
  }
}

function Loading({ onRetry }: { onRetry?: () => void }) {
  const { t } = useTranslation();
  const error = useFleet((s) => s.syncError);
  return (
    <div className="page loading-page" aria-busy={!error}>
      {error ? (
        <div className="card">
          <p className="error-text" role="alert">
            {t('app.loadFailed', { message: error })}
          </p>
          {onRetry && (
            <button type="button" className="btn" onClick={onRetry}>
              {t('app.retry')}
            </button>
          )}
        </div>
      ) : (
        <p className="muted">
          <span className="spinner" aria-hidden="true" /> {t('app.loading')}
        </p>
      )}
    </div>
  );
}

/** Which page is shown, ignoring tabs and filters: a change of it is a change of view. */
function viewKey(route: Route): string {
  return route.view === 'agent' || route.view === 'server' ? `${route.view}/${route.id}` : route.view;
}

/**
 * After a change of view, put keyboard focus at the start of the new page (like a page load would),
 * unless it is already inside it: the link that was used is gone with the old page, and focus would
 * otherwise fall back to the top of the document.
 */
function useFocusMainOnViewChange(route: Route, main: RefObject<HTMLElement | null>): void {
  const key = viewKey(route);
  const previous = useRef(key);
  useEffect(() => {
    if (previous.current === key) return;
    previous.current = key;
    const el = main.current;
    const focused = document.activeElement;
    if (el && (!focused || focused === document.body || !el.contains(focused))) el.focus();
  }, [key, main]);
}

export function App({ onRetry }: { onRetry?: () => void }) {
  const { t } = useTranslation();
  const route = useRoute();
  const loaded = useFleet((s) => s.loaded);
  const { transportKind } = useConsole();
  const [connectOpen, setConnectOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  useFocusMainOnViewChange(route, mainRef);

  return (
    <div className="app" data-transport={transportKind}>
      {/* The click is handled (the address belongs to the router); the href names the target for
          assistive tech and checkers that recognise skip links by it. */}
      <a
        className="skip-link"
        href="#main"
        data-testid="skip-link"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        {t('app.skipToMain')}
      </a>
      <Sidebar route={route} onConnect={() => setConnectOpen(true)} />
      <main className="main" id="main" ref={mainRef} tabIndex={-1}>
        <ConnectionBanner />
        {loaded ? <CurrentView route={route} /> : <Loading onRetry={onRetry} />}
      </main>
      <StatusBar />
      <Toasts />
      <Dialog open={connectOpen} onClose={() => setConnectOpen(false)} label={t('connect.title')}>
        <ConnectPanel headingLevel={2} />
      </Dialog>
    </div>
  );
}
