/**
 * Tiny hash router (works from app://console/ in Electron and behind the headless server alike):
 * #/overview, #/agents, #/agents/<id>, #/servers, #/servers/<id>, #/jobs, #/jobs/<tab>, #/jobs/<tab>/<agentId>,
 * #/settings, #/profiles, #/bulk, #/audit, #/alerts, #/alerts/<tab>.
 */
import { useSyncExternalStore } from 'react';

/** The Jobs view's tabs; part of the address so the overview tiles can link straight to one. */
export type JobTab = 'running' | 'recent' | 'failed';
export const JOB_TABS: readonly JobTab[] = ['running', 'recent', 'failed'];

/** The Alerts view's tabs; in the address so a notification click can open Active directly. */
export type AlertTab = 'active' | 'history' | 'rules' | 'channels' | 'mutes' | 'deliveries';
export const ALERT_TABS: readonly AlertTab[] = [
  'active',
  'history',
  'rules',
  'channels',
  'mutes',
  'deliveries',
];

export type Route =
  | { view: 'overview' }
  | { view: 'jobs'; tab?: JobTab; agent?: string }
  | { view: 'settings' }
  | { view: 'profiles' }
  | { view: 'bulk' }
  | { view: 'audit' }
  | { view: 'alerts'; tab?: AlertTab }
  | { view: 'agents' }
  | { view: 'servers' }
  | { view: 'agent'; id: string }
  | { view: 'server'; id: string };

export function parseRoute(hash: string): Route {
  const [section, id] = hash.replace(/^#\/?/, '').split('/', 2);
  const decoded = id ? safeDecode(id) : undefined;
  if (section === 'agents') return decoded ? { view: 'agent', id: decoded } : { view: 'agents' };
  if (section === 'servers') return decoded ? { view: 'server', id: decoded } : { view: 'servers' };
  if (section === 'jobs') {
    const tab = JOB_TABS.find((x) => x === decoded);
    if (!tab) return { view: 'jobs' };
    // The agent id may contain '/', so take everything after the tab.
    const rest = hash.replace(/^#\/?/, '').split('/').slice(2).join('/');
    const agent = rest ? safeDecode(rest) : undefined;
    return agent ? { view: 'jobs', tab, agent } : { view: 'jobs', tab };
  }
  if (section === 'settings') return { view: 'settings' };
  if (section === 'profiles') return { view: 'profiles' };
  if (section === 'bulk') return { view: 'bulk' };
  if (section === 'audit') return { view: 'audit' };
  if (section === 'alerts') {
    const tab = ALERT_TABS.find((x) => x === decoded);
    return tab ? { view: 'alerts', tab } : { view: 'alerts' };
  }
  return { view: 'overview' };
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'overview':
      return '#/overview';
    case 'agents':
    case 'servers':
    case 'settings':
    case 'profiles':
    case 'bulk':
    case 'audit':
      return `#/${route.view}`;
    case 'jobs':
      if (route.agent) return `#/jobs/${route.tab ?? 'recent'}/${encodeURIComponent(route.agent)}`;
      return route.tab ? `#/jobs/${route.tab}` : '#/jobs';
    case 'alerts':
      return route.tab ? `#/alerts/${route.tab}` : '#/alerts';
    case 'agent':
      return `#/agents/${encodeURIComponent(route.id)}`;
    case 'server':
      return `#/servers/${encodeURIComponent(route.id)}`;
  }
}

export function navigate(route: Route): void {
  location.hash = routeHref(route);
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

let lastHash: string | null = null;
let lastRoute: Route = { view: 'overview' };
function snapshot(): Route {
  if (location.hash !== lastHash) {
    lastHash = location.hash;
    lastRoute = parseRoute(lastHash);
  }
  return lastRoute;
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, snapshot);
}
