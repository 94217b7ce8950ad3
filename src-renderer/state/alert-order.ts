/**
 * Alert order and alert links, shared by the overview's latest alerts, the Alerts view and the toasts.
 * Pure, so the order is tested once.
 */
import type { AlertState, AlertView, Severity } from '../../src-shared/monitoring';
import type { Route } from './router';

const STATE_RANK: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1 };

/** When the alert last changed state: what "newest" means in the lists. */
export function alertChangedAt(alert: AlertView): number {
  return alert.state === 'resolved' ? (alert.resolvedAt ?? alert.firedAt) : alert.firedAt;
}

/**
 * Firing before resolved (a problem still going on beats a newer one already over), critical before
 * warning, then newest first.
 */
export function compareAlerts(a: AlertView, b: AlertView): number {
  return (
    STATE_RANK[a.state] - STATE_RANK[b.state] ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    alertChangedAt(b) - alertChangedAt(a) ||
    a.id.localeCompare(b.id)
  );
}

/** The `limit` alerts an operator should see first. */
export function latestAlerts(alerts: Iterable<AlertView>, limit = 10): AlertView[] {
  return [...alerts].sort(compareAlerts).slice(0, limit);
}

/**
 * Where an alert's subject lives in the console. A job subject's id is `<agentId>/<jobName>` (agent
 * ids hold no '/'), so it opens that agent's failed jobs.
 */
export function subjectRoute(subject: AlertView['subject']): Route {
  const { kind, id } = subject;
  if (kind === 'agent') return { view: 'agent', id };
  if (kind === 'server') return { view: 'server', id };
  const slash = id.indexOf('/');
  return slash > 0
    ? { view: 'jobs', tab: 'failed', agent: id.slice(0, slash) }
    : { view: 'jobs', tab: 'failed' };
}
