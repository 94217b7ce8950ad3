/**
 * The hub's registry on disk: known agents, profiles, desired configurations with revisions and
 * ledger, bulk changes (a JournalStore), and the audit trail (an AppendLog). See
 * docs/adr/0001-registry-store.md for why this store.
 */
import { join } from 'node:path';
import type { AuditEntry } from '../../../src-shared';
import type { ConfigPersistence } from '../configs/config-service';
import type { KnownAgent } from '../fleet/fleet-state';
import type { Logger } from '../logger';
import { AppendLog, JournalStore, type JournalOpenReport, type StoreOp } from './journal-store';

type PersistOp = Parameters<ConfigPersistence['write']>[0][number];

const C_AGENTS = 'agents';
/** Known-agent records are written in one batch at most this often (2,000 reconnects ≠ 2,000 fsyncs). */
const AGENT_FLUSH_MS = 1000;

export interface RegistryOpenReport extends JournalOpenReport {
  auditEntries: number;
}

export interface Registry {
  persistence: ConfigPersistence;
  knownAgents(): KnownAgent[];
  /** Remember an agent (debounced, batched). */
  rememberAgent(agent: KnownAgent): void;
  /** Forget an agent (revoked): durable at once. */
  forgetAgent(agentId: string): void;
  report: RegistryOpenReport;
  close(): void;
}

export function openRegistry(dataDir: string, logger: Logger): Registry {
  const dir = join(dataDir, 'registry');
  const store = JournalStore.open(dir, { logger });
  const audit = AppendLog.open(join(dir, 'audit.jsonl'), { logger });
  const auditEntries = audit.readAll() as AuditEntry[];
  const report: RegistryOpenReport = { ...store.openReport, auditEntries: auditEntries.length };
  if (report.corruptFilesKeptAside.length > 0) {
    logger.error('registry files were damaged; kept aside and loaded what was valid', {
      files: report.corruptFilesKeptAside,
    });
  }
  logger.info('registry loaded', {
    agents: store.size(C_AGENTS),
    auditEntries: auditEntries.length,
    loadMs: report.loadMs,
  });

  const pending = new Map<string, KnownAgent>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    if (pending.size === 0) return;
    store.batch(
      [...pending.values()].map((agent) => ({
        op: 'put' as const,
        coll: C_AGENTS,
        key: agent.agentId,
        value: agent,
      })),
    );
    pending.clear();
  };

  const toStoreOp = (o: PersistOp): StoreOp =>
    o.value === undefined
      ? { op: 'del' as const, coll: o.collection, key: o.key }
      : { op: 'put' as const, coll: o.collection, key: o.key, value: o.value };

  // Group commit for `soon` writes: everything written in one turn of the event loop (e.g. 200
  // prefetched agent reports) becomes one journal batch and one audit append, one fsync each,
  // instead of one per message. The latest value per key wins.
  const soonOps = new Map<string, PersistOp>();
  let soonAudit: AuditEntry[] = [];
  let soonTimer: NodeJS.Immediate | undefined;
  const flushSoon = (): void => {
    soonTimer = undefined;
    if (soonOps.size > 0) {
      const ops = [...soonOps.values()].map(toStoreOp);
      soonOps.clear();
      store.batch(ops);
    }
    if (soonAudit.length > 0) {
      const entries = soonAudit;
      soonAudit = [];
      audit.append(entries);
    }
  };
  const scheduleSoon = (): void => {
    soonTimer ??= setImmediate(() => {
      try {
        flushSoon();
      } catch (error) {
        logger.error('registry: grouped write failed', { error: String(error) });
      }
    });
  };

  return {
    persistence: {
      all: <T>(collection: string) => store.entries<T>(collection),
      write: (ops, options) => {
        if (options?.soon) {
          for (const o of ops) soonOps.set(`${o.collection}\u0000${o.key}`, o);
          scheduleSoon();
          return;
        }
        // A durable write must not be overtaken by an older grouped value of the same key.
        for (const o of ops) soonOps.delete(`${o.collection}\u0000${o.key}`);
        store.batch(ops.map(toStoreOp));
      },
      appendAudit: (entries, options) => {
        if (options?.soon) {
          soonAudit.push(...entries);
          scheduleSoon();
          return;
        }
        audit.append(entries);
      },
      readAudit: () => auditEntries.splice(0),
    },
    knownAgents: () => [...store.entries<KnownAgent>(C_AGENTS)].map(([, agent]) => agent),
    rememberAgent(agent) {
      pending.set(agent.agentId, agent);
      timer ??= setTimeout(flush, AGENT_FLUSH_MS);
      timer.unref?.();
    },
    forgetAgent(agentId) {
      pending.delete(agentId);
      store.batch([{ op: 'del', coll: C_AGENTS, key: agentId }]);
    },
    report,
    close() {
      if (timer) clearTimeout(timer);
      if (soonTimer) clearImmediate(soonTimer);
      flushSoon();
      flush();
      store.close();
      audit.close();
    },
  };
}
