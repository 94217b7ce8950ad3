/**
 * Central configuration management: the desired configuration of every agent (profiles selected by
 * label or assigned by hand, merged in name order, then the agent's own override), its revisions,
 * the delivery ledger (queued → delivered → applied | rejected | superseded), bulk changes and the
 * audit log.
 *
 * Rules that make it trustworthy:
 * - Every change that alters an agent's effective configuration gives it a new revision; a change
 *   that does not (same effective document) gives none.
 * - Latest wins: a new revision supersedes undelivered older ones (the outbox keeps one message per
 *   agent, the per-agent queue drops its head), so an agent back after a week applies one revision.
 * - The agent's own word decides "applied": its report, and the revision it says it runs in hello and
 *   heartbeats; a mismatch with no delivery pending is shown as drift.
 * - Nothing is lost on a crash: every decision is written in one store batch before it is acted on.
 */
import { randomUUID } from 'node:crypto';
import { Validator } from '@cfworker/json-schema';
import type {
  AgentConfigDetail,
  AgentConfigSummary,
  AgentFilter,
  AuditEntry,
  AuditQuery,
  BulkAction,
  BulkTarget,
  BulkView,
  ConfigStatus,
  ConfigValidationResult,
  LedgerEntry,
  Profile,
  RevisionEntry,
} from '../../../src-shared';
import { MAX_CONFIG_BYTES } from '../../../src-shared';
import type { Logger } from '../logger';
import { jsonDiff, jsonEqual, mergeLayers, mergePatch, type JsonObject } from '../../../src-shared/json-doc';

export const MAX_REVISIONS_KEPT = 10;
export const MAX_LEDGER_KEPT = 20;
export const MAX_BULKS_KEPT = 50;

/** What the config service needs to know about an agent (from the fleet / registry). */
export interface AgentFacts {
  agentId: string;
  name: string;
  hostname: string;
  labels: Record<string, string>;
  presence: 'online' | 'offline' | 'unknown';
  /** Revision the agent says it runs (hello / heartbeat / metrics / report). */
  reportedRevision: number;
  schema?: Record<string, unknown>;
}

export interface ConfigDelivery {
  /** True when configurations travel over RabbitMQ (a broker is configured). */
  viaBroker(): boolean;
  /** Durable hand-over to the broker path; `onDelivered` is called when the broker confirmed it. */
  enqueueBroker(agentId: string, revision: number, config: JsonObject): void;
  /** Write to the agent's live WebSocket; false when it is not connected. */
  sendWebSocket(agentId: string, revision: number, issuedAt: number, config: JsonObject): boolean;
}

/** Persistence of the registry (see src-main/hub/store). Values are plain JSON. */
export interface ConfigPersistence {
  all<T>(collection: string): Iterable<[string, T]>;
  /**
   * One atomic, durable batch; `value: undefined` deletes. `soon`: may be grouped with the other
   * writes of the same moment into one batch written right after (group commit). Used for delivery
   * and agent reports, which arrive by the hundred and can be re-learned from agents after a crash;
   * an operator's change is always written before it is delivered.
   */
  write(ops: { collection: string; key: string; value?: unknown }[], options?: WriteOptions): void;
  appendAudit(entries: AuditEntry[], options?: WriteOptions): void;
  readAudit(): AuditEntry[];
}

export interface WriteOptions {
  soon?: boolean;
}
const SOON: WriteOptions = { soon: true };

interface DesiredState {
  agentId: string;
  override: JsonObject;
  assignedProfiles: string[];
  revision: number;
  revisions: RevisionEntry[];
  ledger: LedgerEntry[];
}

interface BulkRecord {
  bulkId: string;
  createdAt: number;
  by: string;
  action: BulkAction;
  /** agentId → revision this bulk produced (0 = unchanged). */
  revisions: Record<string, number>;
}

export interface ConfigServiceOptions {
  persistence: ConfigPersistence;
  delivery: ConfigDelivery;
  facts: (agentId: string) => AgentFacts | undefined;
  allAgents: () => Iterable<AgentFacts>;
  /** An agent's summary changed (status, desired revision): push it to consoles. */
  onAgentChanged: (agentId: string) => void;
  onBulkChanged: (bulkId: string) => void;
  user: string;
  logger: Logger;
  now?: () => number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const C_DESIRED = 'desired';
const C_PROFILES = 'profiles';
const C_BULKS = 'bulks';

export class ConfigService {
  private readonly desired = new Map<string, DesiredState>();
  private readonly profiles = new Map<string, Profile>();
  private readonly bulks = new Map<string, BulkRecord>();
  private audit: AuditEntry[];
  private readonly now: () => number;
  private readonly validators = new WeakMap<object, Validator>();

  constructor(private readonly o: ConfigServiceOptions) {
    this.now = o.now ?? Date.now;
    for (const [, d] of o.persistence.all<DesiredState>(C_DESIRED)) this.desired.set(d.agentId, d);
    for (const [, p] of o.persistence.all<Profile>(C_PROFILES)) this.profiles.set(p.name, p);
    for (const [, b] of o.persistence.all<BulkRecord>(C_BULKS)) this.bulks.set(b.bulkId, b);
    this.audit = o.persistence.readAudit();
  }

  // ---- queries ---------------------------------------------------------------------------------

  summary(agentId: string): AgentConfigSummary {
    const d = this.desired.get(agentId);
    const reported = this.o.facts(agentId)?.reportedRevision ?? 0;
    return {
      status: this.status(d, reported),
      desiredRevision: d?.revision ?? 0,
      reportedRevision: reported,
    };
  }

  detail(agentId: string): AgentConfigDetail {
    const facts = this.o.facts(agentId);
    const d = this.desired.get(agentId);
    const summary = this.summary(agentId);
    const applied = d?.revisions.find((r) => r.revision === summary.reportedRevision)?.config;
    return {
      ...summary,
      agentId,
      override: d?.override ?? {},
      assignedProfiles: d?.assignedProfiles ?? [],
      profiles: this.profilesFor(facts?.labels ?? {}, d?.assignedProfiles ?? []).map((p) => ({
        name: p.profile.name,
        via: p.via,
      })),
      effective: d ? this.effective(agentId, d) : {},
      schema: facts?.schema,
      applied,
      revisions: d?.revisions ?? [],
      ledger: d?.ledger ?? [],
    };
  }

  listProfiles(): Profile[] {
    return [...this.profiles.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  bulkViews(): BulkView[] {
    return [...this.bulks.values()].map((b) => this.bulkView(b)).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Progress of one bulk change, or undefined when it is unknown (e.g. dropped from the kept list). */
  findBulkView(bulkId: string): BulkView | undefined {
    const bulk = this.bulks.get(bulkId);
    return bulk ? this.bulkView(bulk) : undefined;
  }

  bulkView(b: BulkRecord | string): BulkView {
    const bulk = typeof b === 'string' ? this.bulks.get(b) : b;
    if (!bulk) throw new ConfigError(`no bulk change ${b as string}`);
    let applied = 0;
    let pending = 0;
    let unchanged = 0;
    const failed: BulkView['failed'] = [];
    for (const [agentId, revision] of Object.entries(bulk.revisions)) {
      if (revision === 0) {
        unchanged++;
        continue;
      }
      const entry = this.desired.get(agentId)?.ledger.find((l) => l.revision === revision);
      if (entry?.state === 'applied') applied++;
      else if (entry?.state === 'rejected')
        failed.push({ agentId, revision, error: entry.error ?? 'rejected' });
      else if (entry?.state === 'superseded') {
        // A later change replaced this one; count it by what happened to the agent since.
        const d = this.desired.get(agentId);
        if (d && this.status(d, this.o.facts(agentId)?.reportedRevision ?? 0) === 'in_sync') applied++;
        else pending++;
      } else pending++;
    }
    const total = Object.keys(bulk.revisions).length;
    return {
      bulkId: bulk.bulkId,
      createdAt: bulk.createdAt,
      by: bulk.by,
      action: bulk.action,
      total,
      unchanged,
      applied,
      pending,
      failed,
      done: pending === 0,
    };
  }

  queryAudit(q: AuditQuery): AuditEntry[] {
    const text = q.text?.toLowerCase();
    const out: AuditEntry[] = [];
    for (let i = this.audit.length - 1; i >= 0 && out.length < (q.limit ?? 500); i--) {
      const e = this.audit[i] as AuditEntry;
      if (q.agentId && !e.agentIds.includes(q.agentId)) continue;
      if (q.since !== undefined && e.at < q.since) continue;
      if (q.until !== undefined && e.at > q.until) continue;
      if (text) {
        const hay =
          `${e.user} ${e.action} ${e.summary} ${e.outcome ?? ''} ${e.agentIds.join(' ')}`.toLowerCase();
        if (!hay.includes(text)) continue;
      }
      out.push(e);
    }
    return out;
  }

  /** Validate a configuration against the JSON Schema the agent declared (none → only size/shape). */
  validate(agentId: string, config: JsonObject): ConfigValidationResult {
    const errors: ConfigValidationResult['errors'] = [];
    if (JSON.stringify(config).length > MAX_CONFIG_BYTES) {
      errors.push({ path: '', message: `configuration exceeds ${MAX_CONFIG_BYTES} bytes` });
    }
    const schema = this.o.facts(agentId)?.schema;
    if (schema) {
      let validator = this.validators.get(schema);
      try {
        if (!validator) {
          validator = new Validator(structuredClone(schema) as never, '2020-12', false);
          this.validators.set(schema, validator);
        }
        const result = validator.validate(config);
        for (const e of result.errors) {
          // cfworker reports each failing keyword up the tree; keep the leaf-most, readable ones.
          if (e.keyword === 'properties' || e.keyword === 'allOf' || e.keyword === '$ref') continue;
          errors.push({ path: e.instanceLocation.replace(/^#/, ''), message: e.error });
        }
      } catch (error) {
        errors.push({ path: '', message: `the agent's schema cannot be used: ${(error as Error).message}` });
      }
    }
    return { ok: errors.length === 0, errors };
  }

  // ---- changes ---------------------------------------------------------------------------------

  /** Validate an override as the agent would get it: merged over its profiles. */
  validateOverride(agentId: string, override: JsonObject): ConfigValidationResult {
    return this.validate(
      agentId,
      mergeLayers([...this.profileLayers(agentId, this.state(agentId)), override]),
    );
  }

  /** Replace an agent's override (the editor's "Send"). Validated against the agent's schema. */
  setOverride(
    agentId: string,
    override: JsonObject,
  ): { agentId: string; revision: number; changed: boolean } {
    const d = this.state(agentId);
    const check = this.validateOverride(agentId, override);
    if (!check.ok) {
      throw new ConfigError(
        `configuration is not valid: ${check.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`,
      );
    }
    const before = this.effective(agentId, d);
    const next = { ...d, override };
    return this.commit([{ before, next }], { action: 'config.set', cause: 'edited' }).results[0] as {
      agentId: string;
      revision: number;
      changed: boolean;
    };
  }

  /** One-click re-send: a new revision with the same content, so even a drifted agent applies it. */
  resend(agentId: string): { agentId: string; revision: number } {
    const d = this.desired.get(agentId);
    if (!d || d.revision === 0) throw new ConfigError(`agent ${agentId} has no configuration to re-send`);
    const result = this.commit([{ before: undefined, next: { ...d } }], {
      action: 'config.resend',
      cause: 'resent',
      force: true,
    });
    return { agentId, revision: result.results[0]?.revision ?? d.revision };
  }

  saveProfile(profile: Profile): { affected: number } {
    const before = this.snapshotEffective();
    this.profiles.set(profile.name, profile);
    return this.afterProfileChange(before, 'profile.save', `profile ${profile.name} saved`, {
      collection: C_PROFILES,
      key: profile.name,
      value: profile,
    });
  }

  deleteProfile(name: string): { affected: number } {
    if (!this.profiles.has(name)) throw new ConfigError(`no profile named ${name}`);
    const before = this.snapshotEffective();
    this.profiles.delete(name);
    for (const d of this.desired.values()) d.assignedProfiles = d.assignedProfiles.filter((p) => p !== name);
    return this.afterProfileChange(before, 'profile.delete', `profile ${name} deleted`, {
      collection: C_PROFILES,
      key: name,
    });
  }

  bulk(target: BulkTarget, action: BulkAction): BulkView {
    const agentIds = 'agentIds' in target ? [...new Set(target.agentIds)] : this.select(target.filter);
    if (agentIds.length === 0) throw new ConfigError('no agent matches this selection');
    if (action.kind !== 'patch' && !this.profiles.has(action.profile))
      throw new ConfigError(`no profile named ${action.profile}`);
    const changes = agentIds.map((agentId) => {
      const d = this.state(agentId);
      const before = this.effective(agentId, d);
      let next: DesiredState;
      if (action.kind === 'patch')
        next = { ...d, override: mergePatch(d.override, action.patch) as JsonObject };
      else if (action.kind === 'assignProfile')
        next = { ...d, assignedProfiles: [...new Set([...d.assignedProfiles, action.profile])] };
      else next = { ...d, assignedProfiles: d.assignedProfiles.filter((p) => p !== action.profile) };
      return { before, next };
    });
    const invalid = changes
      .map(({ next }) => ({
        agentId: next.agentId,
        check: this.validate(next.agentId, this.effective(next.agentId, next)),
      }))
      .filter((v) => !v.check.ok);
    if (invalid.length > 0) {
      const first = invalid[0] as (typeof invalid)[number];
      throw new ConfigError(
        `${invalid.length} agent(s) would get an invalid configuration, e.g. ${first.agentId}: ${first.check.errors[0]?.message ?? ''}`,
      );
    }
    const bulkId = randomUUID().slice(0, 8);
    this.commit(changes, {
      action: 'bulk.apply',
      cause: `bulk ${bulkId} (${describeAction(action)})`,
      bulk: (revisions) => ({ bulkId, createdAt: this.now(), by: this.o.user, action, revisions }),
    });
    return this.bulkView(bulkId);
  }

  /** Re-send the revisions a bulk change failed to apply (as new revisions). */
  retryBulk(bulkId: string): BulkView {
    const bulk = this.bulks.get(bulkId);
    if (!bulk) throw new ConfigError(`no bulk change ${bulkId}`);
    const failed = this.bulkView(bulk).failed.map((f) => f.agentId);
    if (failed.length === 0) return this.bulkView(bulk);
    const changes = failed.map((agentId) => ({ before: undefined, next: { ...this.state(agentId) } }));
    this.commit(changes, {
      action: 'bulk.retry',
      cause: `retry of bulk ${bulkId}`,
      force: true,
      retryOf: bulk,
    });
    return this.bulkView(bulk);
  }

  // ---- what agents say -------------------------------------------------------------------------

  /** The agent applied or refused a revision (RabbitMQ report or WebSocket report). */
  report(agentId: string, revision: number, status: 'applied' | 'rejected', error?: string): void {
    const d = this.desired.get(agentId);
    const entry = d?.ledger.find((l) => l.revision === revision);
    if (!d || !entry || entry.state === 'applied' || entry.state === 'rejected') return; // duplicate or unknown
    const now = this.now();
    entry.deliveredAt ??= now;
    if (status === 'applied') {
      entry.state = 'applied';
      entry.appliedAt = now;
      for (const older of d.ledger) {
        if (older.revision < revision && (older.state === 'queued' || older.state === 'delivered')) {
          older.state = 'superseded';
          older.supersededAt = now;
        }
      }
    } else {
      entry.state = 'rejected';
      entry.rejectedAt = now;
      entry.error = error ?? 'rejected by the agent';
    }
    this.o.persistence.write([{ collection: C_DESIRED, key: agentId, value: d }], SOON);
    this.appendAudit(
      [
        {
          id: randomUUID(),
          at: now,
          user: 'agent',
          action: 'config.report',
          agentIds: [agentId],
          summary: `revision ${revision} ${status}`,
          outcome: status === 'applied' ? 'applied' : `rejected: ${entry.error}`,
        },
      ],
      SOON,
    );
    this.touch(agentId);
  }

  /** The broker confirmed a configuration into the agent's queue. */
  delivered(agentId: string, revision: number): void {
    const entry = this.desired.get(agentId)?.ledger.find((l) => l.revision === revision);
    if (!entry || entry.state !== 'queued') return;
    entry.state = 'delivered';
    entry.deliveredAt = this.now();
    this.o.persistence.write(
      [{ collection: C_DESIRED, key: agentId, value: this.desired.get(agentId) }],
      SOON,
    );
    this.touch(agentId);
  }

  /**
   * An agent connected (hello). Over the WebSocket path, send it the desired revision if it runs an
   * older one; over RabbitMQ its queue already holds it.
   */
  agentConnected(agentId: string): void {
    const d = this.desired.get(agentId);
    const facts = this.o.facts(agentId);
    if (!d || !facts || d.revision === 0) return this.touch(agentId);
    const latest = d.ledger.find((l) => l.revision === d.revision);
    if (
      !this.o.delivery.viaBroker() &&
      facts.reportedRevision < d.revision &&
      latest &&
      latest.state !== 'rejected'
    ) {
      this.sendWs(d, latest);
    }
    this.touch(agentId);
  }

  // ---- internals -------------------------------------------------------------------------------

  private status(d: DesiredState | undefined, reported: number): ConfigStatus {
    if (!d || d.revision === 0) return reported > 0 ? 'drift' : 'none';
    const latest = d.ledger.find((l) => l.revision === d.revision);
    if (latest?.state === 'rejected') return 'failed';
    if (reported === d.revision) return 'in_sync';
    if (latest && (latest.state === 'queued' || latest.state === 'delivered')) return 'pending';
    return 'drift';
  }

  private state(agentId: string): DesiredState {
    return (
      this.desired.get(agentId) ?? {
        agentId,
        override: {},
        assignedProfiles: [],
        revision: 0,
        revisions: [],
        ledger: [],
      }
    );
  }

  private profilesFor(labels: Record<string, string>, assigned: string[]) {
    const out: { profile: Profile; via: 'selector' | 'assigned' }[] = [];
    for (const profile of this.listProfiles()) {
      const selector = Object.entries(profile.selector);
      if (assigned.includes(profile.name)) out.push({ profile, via: 'assigned' });
      else if (selector.length > 0 && selector.every(([k, v]) => labels[k] === v))
        out.push({ profile, via: 'selector' });
    }
    return out;
  }

  private profileLayers(agentId: string, d: DesiredState): JsonObject[] {
    const labels = this.o.facts(agentId)?.labels ?? {};
    return this.profilesFor(labels, d.assignedProfiles).map((p) => p.profile.config);
  }

  private effective(agentId: string, d: DesiredState): JsonObject {
    return mergeLayers([...this.profileLayers(agentId, d), d.override]);
  }

  private snapshotEffective(): Map<string, JsonObject> {
    const out = new Map<string, JsonObject>();
    for (const facts of this.o.allAgents())
      out.set(facts.agentId, this.effective(facts.agentId, this.state(facts.agentId)));
    return out;
  }

  private afterProfileChange(
    before: Map<string, JsonObject>,
    action: string,
    summary: string,
    op: { collection: string; key: string; value?: unknown },
  ): { affected: number } {
    const changes = [...before.entries()]
      .map(([agentId, eff]) => ({ before: eff, next: { ...this.state(agentId) } }))
      .filter(({ before: eff, next }) => !jsonEqual(eff, this.effective(next.agentId, next)));
    this.commit(changes, { action, cause: summary, extraOps: [op], summary });
    return { affected: changes.length };
  }

  private select(filter: AgentFilter): string[] {
    const search = filter.search?.toLowerCase();
    const out: string[] = [];
    for (const a of this.o.allAgents()) {
      if (filter.presence && (a.presence === 'online') !== (filter.presence === 'online')) continue;
      if (filter.labels && !Object.entries(filter.labels).every(([k, v]) => a.labels[k] === v)) continue;
      if (filter.configStatus && this.summary(a.agentId).status !== filter.configStatus) continue;
      if (search && !`${a.agentId} ${a.name} ${a.hostname}`.toLowerCase().includes(search)) continue;
      out.push(a.agentId);
    }
    return out;
  }

  /**
   * Apply a set of desired-state changes: new revisions where the effective config changed (or
   * `force`), ledger entries, audit, one durable batch, then delivery.
   */
  private commit(
    changes: { before: JsonObject | undefined; next: DesiredState }[],
    meta: {
      action: string;
      cause: string;
      force?: boolean;
      summary?: string;
      extraOps?: { collection: string; key: string; value?: unknown }[];
      bulk?: (revisions: Record<string, number>) => BulkRecord;
      retryOf?: BulkRecord;
    },
  ): { results: { agentId: string; revision: number; changed: boolean }[] } {
    const now = this.now();
    const viaBroker = this.o.delivery.viaBroker();
    const ops = [...(meta.extraOps ?? [])];
    const results: { agentId: string; revision: number; changed: boolean }[] = [];
    const toDeliver: { d: DesiredState; entry: LedgerEntry; config: JsonObject }[] = [];
    const diffs: Record<string, [unknown, unknown]> = {};
    const revisions: Record<string, number> = {};
    for (const { before, next } of changes) {
      const config = this.effective(next.agentId, next);
      const current = next.revisions[0]?.config;
      // A first revision needs a non-empty document; later ones need a different one (or `force`).
      const changed =
        meta.force ||
        (next.revision === 0 ? Object.keys(config).length > 0 : !jsonEqual(config, current ?? {}));
      if (!changed) {
        // Persist settings that do not change the document (e.g. an assignment of an empty profile).
        this.desired.set(next.agentId, next);
        ops.push({ collection: C_DESIRED, key: next.agentId, value: next });
        results.push({ agentId: next.agentId, revision: next.revision, changed: false });
        revisions[next.agentId] = 0;
        continue;
      }
      const revision = next.revision + 1;
      for (const entry of next.ledger) {
        if (entry.state === 'queued' || entry.state === 'delivered') {
          entry.state = 'superseded';
          entry.supersededAt = now;
        }
      }
      const entry: LedgerEntry = {
        agentId: next.agentId,
        revision,
        state: 'queued',
        path: viaBroker ? 'broker' : 'websocket',
        queuedAt: now,
      };
      const d: DesiredState = {
        ...next,
        revision,
        revisions: [
          { revision, createdAt: now, by: this.o.user, cause: meta.cause, config },
          ...next.revisions,
        ].slice(0, MAX_REVISIONS_KEPT),
        ledger: [entry, ...next.ledger].slice(0, MAX_LEDGER_KEPT),
      };
      this.desired.set(d.agentId, d);
      ops.push({ collection: C_DESIRED, key: d.agentId, value: d });
      results.push({ agentId: d.agentId, revision, changed: true });
      revisions[d.agentId] = revision;
      toDeliver.push({ d, entry, config });
      if (changes.length <= 50) {
        for (const [path, pair] of Object.entries(jsonDiff(before ?? current ?? {}, config))) {
          diffs[changes.length === 1 ? path : `${d.agentId}${path}`] = pair;
        }
      }
    }
    let bulkId: string | undefined;
    if (meta.bulk) {
      const bulk = meta.bulk(revisions);
      bulkId = bulk.bulkId;
      this.bulks.set(bulk.bulkId, bulk);
      ops.push({ collection: C_BULKS, key: bulk.bulkId, value: bulk });
      for (const old of [...this.bulks.values()]
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(0, -MAX_BULKS_KEPT)) {
        this.bulks.delete(old.bulkId);
        ops.push({ collection: C_BULKS, key: old.bulkId });
      }
    }
    if (meta.retryOf) {
      Object.assign(
        meta.retryOf.revisions,
        Object.fromEntries(results.filter((r) => r.changed).map((r) => [r.agentId, r.revision])),
      );
      ops.push({ collection: C_BULKS, key: meta.retryOf.bulkId, value: meta.retryOf });
    }
    const changedIds = results.filter((r) => r.changed).map((r) => r.agentId);
    // Durable first: a crash after this line redelivers from the store; before it, nothing happened.
    this.o.persistence.write(ops);
    this.appendAudit([
      {
        id: randomUUID(),
        at: now,
        user: this.o.user,
        action: meta.action,
        agentIds: changes.map((c) => c.next.agentId),
        summary:
          meta.summary ??
          `${meta.cause}: ${changedIds.length} of ${changes.length} agent(s) get a new revision${bulkId ? ` (bulk ${bulkId})` : ''}`,
        diff: Object.keys(diffs).length ? diffs : undefined,
        outcome: changedIds.length ? 'queued' : 'unchanged',
      },
    ]);
    for (const { d, entry, config } of toDeliver) {
      if (viaBroker) this.o.delivery.enqueueBroker(d.agentId, entry.revision, config);
      else if (this.o.facts(d.agentId)?.presence === 'online') this.sendWs(d, entry, config);
    }
    for (const r of results) this.touch(r.agentId);
    if (bulkId) this.o.onBulkChanged(bulkId);
    if (meta.retryOf) this.o.onBulkChanged(meta.retryOf.bulkId);
    return { results };
  }

  private sendWs(
    d: DesiredState,
    entry: LedgerEntry,
    config = d.revisions.find((r) => r.revision === entry.revision)?.config,
  ): void {
    if (!config) return;
    if (
      this.o.delivery.sendWebSocket(d.agentId, entry.revision, entry.queuedAt, config) &&
      entry.state === 'queued'
    ) {
      entry.state = 'delivered';
      entry.deliveredAt = this.now();
      entry.path = 'websocket';
      this.o.persistence.write([{ collection: C_DESIRED, key: d.agentId, value: d }], SOON);
    }
  }

  private appendAudit(entries: AuditEntry[], options?: WriteOptions): void {
    this.o.persistence.appendAudit(entries, options);
    this.audit.push(...entries);
  }

  /** Notify consoles; also refreshes bulks that include the agent. */
  /**
   * An agent was revoked: say so in the audit log and, with `purge`, forget its desired configuration
   * and delivery ledger. The audit log is append-only: its earlier entries stay either way.
   */
  agentRevoked(agentId: string, purge: boolean): void {
    if (purge && this.desired.delete(agentId)) {
      this.o.persistence.write([{ collection: C_DESIRED, key: agentId }]);
    }
    this.appendAudit([
      {
        id: randomUUID(),
        at: this.now(),
        user: this.o.user,
        action: 'agent.revoke',
        agentIds: [agentId],
        summary: purge ? 'agent revoked; its configuration and history purged' : 'agent revoked',
        outcome: 'applied',
      },
    ]);
  }

  private touch(agentId: string): void {
    this.o.onAgentChanged(agentId);
    for (const bulk of this.bulks.values()) if (agentId in bulk.revisions) this.o.onBulkChanged(bulk.bulkId);
  }
}

function describeAction(action: BulkAction): string {
  if (action.kind === 'patch') return `patch ${Object.keys(action.patch).join(', ')}`;
  return `${action.kind === 'assignProfile' ? 'assign' : 'unassign'} profile ${action.profile}`;
}
