/** Which alerts the overview lists, in which order: pure, shared by the dashboard and its tests. */
import type { AlertState, AlertView } from '../../src-shared/monitoring';
import type { Route } from './router';

const STATE_RANK: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2 };

/** When the alert last changed state: what "newest" means in the list. */
export function alertChangedAt(alert: AlertView): number {
  return alert.state === 'resolved' ? (alert.resolvedAt ?? alert.firedAt) : alert.firedAt;
}

/**
 * The `limit` alerts an operator should see first: firing before resolved (a problem still going on
 * beats a newer one already over), newest first within each.
 */
export function latestAlerts(alerts: Iterable<AlertView>, limit = 10): AlertView[] {
  return [...alerts]
    .sort(
      (a, b) =>
        STATE_RANK[a.state] - STATE_RANK[b.state] ||
        alertChangedAt(b) - alertChangedAt(a) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, limit);
}

/**
 * Where an alert's subject lives in the console. A job's id is its key `<agentId>/<jobId>` (agent ids
 * hold no '/'), so it opens that agent's failed jobs.
 */
export function alertSubjectRoute(alert: AlertView): Route {
  const { kind, id } = alert.subject;
  if (kind === 'agent') return { view: 'agent', id };
  if (kind === 'server') return { view: 'server', id };
  const slash = id.indexOf('/');
  return slash > 0
    ? { view: 'jobs', tab: 'failed', agent: id.slice(0, slash) }
    : { view: 'jobs', tab: 'failed' };
}
