/**
 * What an alert is about (an agent, a server or an agent's job), with the labels used by rule
 * selectors and label mutes. Read from the fleet state on demand so renames and label changes apply
 * immediately. A server has the union of its agents' labels: `env=prod` matches a server when any of
 * its agents carries it.
 */
import type { FleetState } from '../fleet/fleet-state';
import { serverIdOf } from '../fleet/fleet-state';

/** Label key → the values seen for it (one for an agent, possibly several for a server). */
export type LabelSet = ReadonlyMap<string, ReadonlySet<string>>;

export interface Subject {
  kind: 'agent' | 'server' | 'job';
  id: string;
  name: string;
  labels: LabelSet;
  /** Agents concerned: the agent itself, all agents of a server, the agent that ran a job. */
  agentIds: string[];
  /** Servers concerned: the server itself or the server of the agent. */
  serverIds: string[];
}

export function labelSet(...records: Record<string, string>[]): LabelSet {
  const set = new Map<string, Set<string>>();
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      let values = set.get(key);
      if (!values) set.set(key, (values = new Set()));
      values.add(value);
    }
  }
  return set;
}

export function matchesSelector(selector: Record<string, string>, labels: LabelSet): boolean {
  return Object.entries(selector).every(([key, value]) => labels.get(key)?.has(value) === true);
}

export const jobSubjectId = (agentId: string, jobName: string): string => `${agentId}/${jobName}`;

export class Subjects {
  constructor(private readonly fleet: () => FleetState) {}

  agent(agentId: string): Subject | undefined {
    const known = this.fleet().known(agentId);
    if (!known) return undefined;
    return {
      kind: 'agent',
      id: agentId,
      name: known.name,
      labels: labelSet(known.labels),
      agentIds: [agentId],
      serverIds: [serverIdOf(known.hostname)],
    };
  }

  server(serverId: string): Subject | undefined {
    const fleet = this.fleet();
    const view = fleet.serverView(serverId);
    if (!view) return undefined;
    const labels = view.agentIds.map((id) => fleet.known(id)?.labels ?? {});
    return {
      kind: 'server',
      id: serverId,
      name: view.hostname,
      labels: labelSet(...labels),
      agentIds: view.agentIds,
      serverIds: [serverId],
    };
  }

  /** Jobs may be reported over the broker by an agent the gateway never saw: still a subject. */
  job(agentId: string, jobName: string): Subject {
    const agent = this.agent(agentId);
    return {
      kind: 'job',
      id: jobSubjectId(agentId, jobName),
      name: `${jobName} on ${agent?.name ?? agentId}`,
      labels: agent?.labels ?? new Map(),
      agentIds: [agentId],
      serverIds: agent?.serverIds ?? [],
    };
  }

  /** Current presence of an agent or server, for seeding offline conditions. */
  presence(
    kind: 'agent' | 'server',
    id: string,
  ): { state: string; since: number; reason: string } | undefined {
    const fleet = this.fleet();
    const view = kind === 'server' ? fleet.serverView(id) : fleet.agentView(id);
    return view && { state: view.presence, since: view.since, reason: view.reason };
  }

  ids(kind: 'agent' | 'server'): string[] {
    const fleet = this.fleet();
    return kind === 'agent' ? [...fleet.agentIds()] : fleet.serverViews().map((s) => s.serverId);
  }
}
