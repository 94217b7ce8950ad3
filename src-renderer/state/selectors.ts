/** Pure derivations from fleet views, shared by the lists, the detail pages and the tests. */
import type { AgentView, MetricsView, PresenceState, ServerView } from '../../src-shared/fleet';
import type { Disk } from '../../src-shared/agent-protocol';

export function memoryPercent(m: MetricsView | undefined): number | undefined {
  if (!m || m.memoryTotalBytes <= 0) return undefined;
  return (m.memoryUsedBytes / m.memoryTotalBytes) * 100;
}

export function diskPercent(d: Disk): number {
  return d.totalBytes > 0 ? (d.usedBytes / d.totalBytes) * 100 : 0;
}

/** The fullest disk (what an operator worries about first). */
export function worstDisk(m: MetricsView | undefined): { disk: Disk; percent: number } | undefined {
  let worst: { disk: Disk; percent: number } | undefined;
  for (const disk of m?.disks ?? []) {
    const percent = diskPercent(disk);
    if (!worst || percent > worst.percent) worst = { disk, percent };
  }
  return worst;
}

/**
 * Metrics "now" for an agent: its server's latest sample, only while the agent is online (an
 * offline agent's figures would be stale, and showing them as current would mislead).
 */
export function liveMetricsFor(
  agent: AgentView,
  servers: ReadonlyMap<string, ServerView>,
): MetricsView | undefined {
  if (agent.presence !== 'online') return undefined;
  return servers.get(agent.serverId)?.metrics;
}

export function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Case-insensitive match on name, id, hostname, server id and labels (`key=value`). */
export function agentMatches(agent: AgentView, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return (
    agent.name.toLowerCase().includes(q) ||
    agent.agentId.toLowerCase().includes(q) ||
    agent.hostname.toLowerCase().includes(q) ||
    agent.serverId.toLowerCase().includes(q) ||
    labelsText(agent.labels).toLowerCase().includes(q)
  );
}

export function serverMatches(server: ServerView, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return server.hostname.toLowerCase().includes(q) || server.serverId.toLowerCase().includes(q);
}

const PRESENCE_ORDER: Record<PresenceState, number> = { offline: 0, unknown: 1, online: 2 };
export const presenceRank = (p: PresenceState): number => PRESENCE_ORDER[p];

export type SortDir = 'asc' | 'desc';
export interface SortState<K extends string> {
  key: K;
  dir: SortDir;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Compare for sorting; `undefined` always sorts last, whatever the direction. */
export function compareValues(
  a: string | number | undefined,
  b: string | number | undefined,
  dir: SortDir,
): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
  return dir === 'asc' ? c : -c;
}

export function sortBy<T, K extends string>(
  rows: T[],
  sort: SortState<K>,
  value: (row: T, key: K) => string | number | undefined,
  tieBreak: (row: T) => string,
): T[] {
  const keyed = rows.map((row) => ({ row, v: value(row, sort.key), t: tieBreak(row) }));
  keyed.sort((a, b) => compareValues(a.v, b.v, sort.dir) || collator.compare(a.t, b.t));
  return keyed.map((k) => k.row);
}
