/** An in-memory ConfigService world: agents, persistence and delivery recorders. */
import type { AuditEntry } from '../../src-shared';
import {
  ConfigService,
  type AgentFacts,
  type ConfigPersistence,
} from '../../src-main/hub/configs/config-service';
import type { JsonObject } from '../../src-shared/json-doc';
import { silentLogger } from '../../src-main/hub/logger';

export function memoryPersistence(): ConfigPersistence & {
  data: Map<string, Map<string, unknown>>;
  audit: AuditEntry[];
  batches: number;
} {
  const data = new Map<string, Map<string, unknown>>();
  const audit: AuditEntry[] = [];
  const p = {
    data,
    audit,
    batches: 0,
    all<T>(collection: string): Iterable<[string, T]> {
      return [...(data.get(collection) ?? new Map()).entries()].map(([k, v]) => [k, structuredClone(v) as T]);
    },
    write(ops: { collection: string; key: string; value?: unknown }[]) {
      p.batches++;
      for (const op of ops) {
        const coll = data.get(op.collection) ?? new Map<string, unknown>();
        data.set(op.collection, coll);
        if (op.value === undefined) coll.delete(op.key);
        else coll.set(op.key, structuredClone(op.value));
      }
    },
    appendAudit(entries: AuditEntry[]) {
      audit.push(...structuredClone(entries));
    },
    readAudit: () => structuredClone(audit),
  };
  return p;
}

export function configWorld(
  options: {
    viaBroker?: boolean;
    persistence?: ReturnType<typeof memoryPersistence>;
    agents?: Map<string, AgentFacts>;
  } = {},
) {
  const agents = options.agents ?? new Map<string, AgentFacts>();
  const persistence = options.persistence ?? memoryPersistence();
  const broker: { agentId: string; revision: number; config: JsonObject }[] = [];
  const ws: { agentId: string; revision: number; config: JsonObject }[] = [];
  const changedAgents = new Set<string>();
  const changedBulks = new Set<string>();
  let now = 1_000_000;
  const service = new ConfigService({
    persistence,
    delivery: {
      viaBroker: () => options.viaBroker ?? true,
      enqueueBroker: (agentId, revision, config) => broker.push({ agentId, revision, config }),
      sendWebSocket: (agentId, revision, _issuedAt, config) => {
        if (agents.get(agentId)?.presence !== 'online') return false;
        ws.push({ agentId, revision, config });
        return true;
      },
    },
    facts: (id) => agents.get(id),
    allAgents: () => agents.values(),
    onAgentChanged: (id) => changedAgents.add(id),
    onBulkChanged: (id) => changedBulks.add(id),
    user: 'operator',
    logger: silentLogger,
    now: () => now++,
  });
  const addAgent = (agentId: string, o: Partial<AgentFacts> = {}) => {
    agents.set(agentId, {
      agentId,
      name: agentId,
      hostname: `${agentId}-host`,
      labels: {},
      presence: 'online',
      reportedRevision: 0,
      ...o,
    });
  };
  /** The agent applies a revision: reports it and runs it. */
  const apply = (agentId: string, revision: number) => {
    const a = agents.get(agentId);
    if (a) a.reportedRevision = revision;
    service.report(agentId, revision, 'applied');
  };
  return { service, agents, persistence, broker, ws, changedAgents, changedBulks, addAgent, apply };
}
