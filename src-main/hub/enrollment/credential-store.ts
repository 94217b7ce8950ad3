/**
 * Per-agent credentials, kept as SHA-256 hashes only, plus the approval setting and the work a
 * revocation still owes (queue deletions while the broker was down). Two owner-only files in the
 * data directory: `enrollment.json`, a snapshot rewritten atomically, and `enrollment.journal`, the
 * credentials issued since that snapshot (checksummed lines, append-only).
 *
 * Writes: operator actions (accept, reject, revoke, approval mode) rewrite the snapshot at once,
 * before the call returns, and empty the journal. New credentials are group-committed: the
 * enrollments of a short window share one append + fsync to the journal, and a credential is handed
 * to its agent only after that write, so a crash can never leave an agent holding a credential the
 * hub does not know. Why a journal: rewriting the whole file per group made a fleet's first
 * connection quadratic (15,000 agents took 130 s to enroll, mostly JSON.stringify + fsync of a
 * file growing to 4 MB); appends keep each group's cost to its own records. The journal is folded
 * into the snapshot once it holds as many records as the snapshot (bounded write amplification)
 * and when the hub stops.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentIdSchema } from '../../../src-shared';
import { credentialHash } from '../gateway/auth';
import type { Logger } from '../logger';
import { AppendLog } from '../store/append-log';
import { readJsonFile, writeJsonFileAtomic } from '../store/json-file';

export const CREDENTIALS_FILE = 'enrollment.json';
/** Credentials issued since the snapshot, one checksummed line `{id, r}` each. */
export const CREDENTIALS_JOURNAL = 'enrollment.journal';
/** The journal is folded into the snapshot past max(this, records in the snapshot). */
const MIN_COMPACT_RECORDS = 1024;
/** Revoked credential hashes remembered (to tell an agent "revoked" rather than "unknown"). */
const MAX_REVOKED = 10_000;
/** New credentials issued within this window share one write. */
const COMMIT_WINDOW_MS = 20;

const RecordSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  status: z.enum(['active', 'pending']),
  enrolledAt: z.number(),
  acceptedAt: z.number().optional(),
  name: z.string().max(128),
  hostname: z.string().max(255),
  platform: z.string().max(32).optional(),
  remoteAddress: z.string().max(64).optional(),
});
export type CredentialRecord = z.infer<typeof RecordSchema>;

const FileSchema = z.object({
  version: z.literal(1),
  approvalMode: z.boolean(),
  agents: z.record(AgentIdSchema, RecordSchema),
  revoked: z.array(z.object({ hash: z.string(), agentId: z.string(), at: z.number() })),
  /** Agents whose RabbitMQ queue must still be deleted (revoked while the broker was away). */
  queueDeletes: z.array(z.string()),
});
type CredentialFile = z.infer<typeof FileSchema>;
const JournalEntrySchema = z.object({ id: AgentIdSchema, r: RecordSchema });
type JournalEntry = z.infer<typeof JournalEntrySchema>;

const empty = (): CredentialFile => ({
  version: 1,
  approvalMode: false,
  agents: Object.create(null) as CredentialFile['agents'],
  revoked: [],
  queueDeletes: [],
});

/** `ac1_` + 32 random bytes, base64url: the prefix lets secret scanners recognise a leaked one. */
export function newCredential(): string {
  return `ac1_${randomBytes(32).toString('base64url')}`;
}

export type CredentialLookup =
  /** `hash`: the credential's hash, for the session (hashed once per connection). */
  | { state: 'active' | 'pending'; agentId: string; hash: string }
  | { state: 'revoked'; agentId: string }
  | { state: 'unknown' };

export class CredentialStore {
  readonly file: string;
  private data: CredentialFile;
  private readonly byHash = new Map<string, string>();
  private readonly revokedByHash = new Map<string, string>();
  /** Agents waiting for approval: the hub status asks for their count ten times a second. */
  private readonly pendingIds = new Set<string>();
  private commit?: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void };
  private readonly journal: AppendLog<unknown>;
  /** Records in the journal file, and issued records waiting for the next group commit. */
  private journalRecords = 0;
  private unwritten: JournalEntry[] = [];

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.file = join(dataDir, CREDENTIALS_FILE);
    // A corrupt file is kept aside (readJsonFile logs where): every agent then has to enroll again.
    this.data = readJsonFile(this.file, FileSchema, empty, logger);
    // Agent ids are keys: without a prototype, ids such as "constructor" or "__proto__" are plain keys.
    this.data.agents = Object.assign(Object.create(null) as CredentialFile['agents'], this.data.agents);
    for (const r of this.data.revoked) this.revokedByHash.set(r.hash, r.agentId);
    this.journal = AppendLog.open(join(dataDir, CREDENTIALS_JOURNAL), { logger });
    // Replay what was issued after the snapshot. A record whose hash the snapshot lists as revoked
    // is skipped: the hub stopped between a revocation's snapshot and the journal's truncation.
    let skipped = 0;
    for (const line of this.journal.iterate()) {
      const entry = JournalEntrySchema.safeParse(line);
      this.journalRecords++;
      if (!entry.success) {
        skipped++;
        continue;
      }
      if (!this.revokedByHash.has(entry.data.r.hash)) this.data.agents[entry.data.id] = entry.data.r;
    }
    if (skipped > 0) {
      // The agents concerned get 401 and enroll again with the enrollment token.
      logger.error('enrollment journal: records not understood were skipped', {
        file: this.journal.file,
        records: skipped,
      });
    }
    for (const [agentId, record] of Object.entries(this.data.agents)) {
      this.byHash.set(record.hash, agentId);
      if (record.status === 'pending') this.pendingIds.add(agentId);
    }
  }

  get approvalMode(): boolean {
    return this.data.approvalMode;
  }

  setApprovalMode(enabled: boolean): void {
    this.data.approvalMode = enabled;
    this.writeNow();
  }

  /** What a presented credential is. Hash lookup: the secret itself is never compared or stored. */
  lookup(secret: string): CredentialLookup {
    const hash = credentialHash(secret);
    const agentId = this.byHash.get(hash);
    const record = agentId === undefined ? undefined : this.get(agentId);
    if (agentId !== undefined && record?.hash === hash) return { state: record.status, agentId, hash };
    const revoked = this.revokedByHash.get(hash);
    return revoked === undefined ? { state: 'unknown' } : { state: 'revoked', agentId: revoked };
  }

  /** The state of the credential with this hash right now (it may have changed since the upgrade). */
  stateOf(agentId: string, hash: string): 'active' | 'pending' | 'revoked' {
    const record = this.get(agentId);
    return record?.hash === hash ? record.status : 'revoked';
  }

  get(agentId: string): CredentialRecord | undefined {
    return Object.hasOwn(this.data.agents, agentId) ? this.data.agents[agentId] : undefined;
  }

  has(agentId: string): boolean {
    return Object.hasOwn(this.data.agents, agentId);
  }

  /**
   * Issue a credential to a new agent. Resolves with the secret once its hash is on disk (grouped
   * with the other enrollments of this turn); the secret itself is never stored.
   */
  async issue(
    agentId: string,
    facts: Omit<CredentialRecord, 'hash' | 'status' | 'enrolledAt' | 'acceptedAt'>,
    status: CredentialRecord['status'],
    now: number,
  ): Promise<string> {
    if (this.has(agentId)) throw new Error(`agent ${agentId} is already enrolled`);
    const secret = newCredential();
    const hash = credentialHash(secret);
    const record: CredentialRecord = {
      ...facts,
      hash,
      status,
      enrolledAt: now,
      ...(status === 'active' ? { acceptedAt: now } : {}),
    };
    this.data.agents[agentId] = record;
    this.byHash.set(hash, agentId);
    if (status === 'pending') this.pendingIds.add(agentId);
    this.unwritten.push({ id: agentId, r: record });
    try {
      await this.writeSoon();
    } catch (error) {
      // Not on disk, so not issued: the agent gets an error and may try again.
      if (this.data.agents[agentId]?.hash === hash) {
        delete this.data.agents[agentId];
        this.pendingIds.delete(agentId);
      }
      this.byHash.delete(hash);
      throw error;
    }
    return secret;
  }

  pending(): [string, CredentialRecord][] {
    return [...this.pendingIds].map((id) => [id, this.data.agents[id]!]);
  }

  get pendingCount(): number {
    return this.pendingIds.size;
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Pending → active. False when the agent is not pending. */
  accept(agentId: string, now: number): boolean {
    const record = this.get(agentId);
    if (!record || record.status !== 'pending') return false;
    record.status = 'active';
    this.pendingIds.delete(agentId);
    record.acceptedAt = now;
    this.writeNow();
    return true;
  }

  /**
   * Delete an agent's credential (reject a pending one, revoke an active one): it stops working at
   * once. Its hash is remembered as revoked, bounded. False when the agent had no credential.
   */
  remove(agentId: string, now: number): boolean {
    const record = this.get(agentId);
    if (!record) return false;
    delete this.data.agents[agentId];
    this.pendingIds.delete(agentId);
    this.byHash.delete(record.hash);
    this.data.revoked.push({ hash: record.hash, agentId, at: now });
    this.revokedByHash.set(record.hash, agentId);
    while (this.data.revoked.length > MAX_REVOKED) {
      const old = this.data.revoked.shift();
      if (old) this.revokedByHash.delete(old.hash);
    }
    this.writeNow();
    return true;
  }

  get queueDeletes(): readonly string[] {
    return this.data.queueDeletes;
  }

  /** Remember (durably) that an agent's queue must be deleted, or that it was. */
  setQueueDelete(agentId: string, owed: boolean): void {
    const has = this.data.queueDeletes.includes(agentId);
    if (owed === has) return;
    this.data.queueDeletes = owed
      ? [...this.data.queueDeletes, agentId]
      : this.data.queueDeletes.filter((id) => id !== agentId);
    this.writeNow();
  }

  /** Write anything a grouped commit still holds and fold the journal into the snapshot (hub stop). */
  flush(): void {
    if (this.commit || this.journalRecords > 0) this.writeNow();
  }

  /** Stop: flush, then release the journal file. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.journal.close();
    }
  }

  private writeSoon(): Promise<void> {
    if (!this.commit) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.commit = { promise, resolve, reject };
      // A short window rather than one event-loop turn: a thousand agents enrolling at once arrive
      // over many turns, and one fsynced rewrite per turn would make them wait for each other.
      setTimeout(() => {
        if (this.commit?.promise !== promise) return; // written meanwhile by an operator action
        try {
          this.appendNow();
        } catch {
          // appendNow rejected the waiters and logged.
        }
      }, COMMIT_WINDOW_MS);
    }
    return this.commit.promise;
  }

  /** Group commit of issued credentials: one append + fsync; a full snapshot when the journal is long. */
  private appendNow(): void {
    const journalAfter = this.journalRecords + this.unwritten.length;
    if (journalAfter > Math.max(MIN_COMPACT_RECORDS, this.size - journalAfter)) {
      this.writeNow();
      return;
    }
    const commit = this.commit;
    this.commit = undefined;
    const entries = this.unwritten;
    this.unwritten = [];
    try {
      this.journal.append(entries);
      this.journalRecords += entries.length;
      commit?.resolve();
    } catch (error) {
      this.logger.error('could not write the agent credentials', {
        file: this.journal.file,
        error: String(error),
      });
      commit?.reject(error);
      throw error;
    }
  }

  /** Everything in memory → a new snapshot; then the journal is empty. */
  private writeNow(): void {
    const commit = this.commit;
    this.commit = undefined;
    this.unwritten = [];
    try {
      writeJsonFileAtomic(this.file, this.data);
      // The snapshot holds every journal record now. Truncating is safe in any order with a crash:
      // a replayed record equals the snapshot's, or its hash is listed as revoked.
      try {
        this.journal.clear();
        this.journalRecords = 0;
      } catch (error) {
        // Harmless: what the journal holds is in the snapshot too; the next snapshot tries again.
        this.logger.warn('could not empty the enrollment journal', { error: String(error) });
      }
      commit?.resolve();
    } catch (error) {
      this.logger.error('could not write the agent credentials', { file: this.file, error: String(error) });
      commit?.reject(error);
      throw error;
    }
  }
}
