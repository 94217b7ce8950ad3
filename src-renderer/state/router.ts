/**
 * Tiny hash router (works from file:// in Electron and behind the headless server alike):
 * #/overview, #/agents, #/agents/<id>, #/servers, #/servers/<id>.
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { view: 'overview' }
  | { view: 'agents' }
  | { view: 'servers' }
  | { view: 'agent'; id: string }
  | { view: 'server'; id: string };

export function parseRoute(hash: string): Route {
  const [section, id] = hash.replace(/^#\/?/, '').split('/', 2);
  const decoded = id ? safeDecode(id) : undefined;
  if (section === 'agents') return decoded ? { view: 'agent', id: decoded } : { view: 'agents' };
  if (section === 'servers') return decoded ? { view: 'server', id: decoded } : { view: 'servers' };
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
      return `#/${route.view}`;
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
