/**
 * Agent enrollment (docs/adr/0002-agent-enrollment.md): the enrollment token lets a new agent
 * enroll once; the hub then issues it its own credential (only the hash is kept) which it uses from
 * then on. With approval mode on, new agents wait as pending until the operator accepts them.
 *
 * This is the gateway's AgentAuthenticator: `authenticate` runs before the WebSocket upgrade,
 * `admit` when a `hello` arrives; nothing an agent sends is processed before both said yes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloseCode,
  maskToken,
  type Enrolled,
  type EnrollmentCounters,
  type EnrollmentView,
  type Hello,
} from '../../../src-shared';
import {
  bearerToken,
  tokensEqual,
  type AgentAuthenticator,
  type AgentSession,
  type HelloAdmission,
  type UpgradeDecision,
} from '../gateway/auth';
import type { Logger } from '../logger';
import { writeFileAtomic } from '../store/atomic-file';
import { CredentialStore } from './credential-store';

export class EnrollmentError extends Error {
  override name = 'EnrollmentError';
}

export interface EnrollmentOptions {
  dataDir: string;
  /** The enrollment token the settings resolved (env override or generated). */
  token: string;
  tokenSource: 'generated' | 'env';
  logger: Logger;
  /** Pending list, approval mode or token changed (consoles refresh). */
  onChange: () => void;
  now?: () => number;
}

/** Key of the enrollment token in hub-secrets.json (the name predates enrollment). */
const TOKEN_KEY = 'agentToken';

export class Enrollment implements AgentAuthenticator {
  readonly store: CredentialStore;
  private token: string;
  private readonly now: () => number;

  constructor(private readonly options: EnrollmentOptions) {
    this.token = options.token;
    this.now = options.now ?? Date.now;
    this.store = new CredentialStore(options.dataDir, options.logger);
  }

  /** The current enrollment token (agents' `--token`). */
  get enrollmentToken(): string {
    return this.token;
  }

  // ---- gateway ---------------------------------------------------------------------------------

  authenticate(authorization: string | undefined): UpgradeDecision {
    const bearer = bearerToken(authorization);
    if (!bearer) {
      return {
        ok: false,
        status: 401,
        message: 'missing agent token or credential',
        log: 'agent refused: no token',
      };
    }
    const found = this.store.lookup(bearer);
    if (found.state === 'active' || found.state === 'pending') {
      // Pending credentials get through the upgrade only to be told, at hello, to wait.
      return {
        ok: true,
        session: { kind: 'credential', agentId: found.agentId, credentialHash: found.hash },
      };
    }
    if (found.state === 'revoked') {
      return {
        ok: false,
        status: 403,
        message: 'this agent credential was revoked',
        log: 'agent refused: revoked credential',
        agentId: found.agentId,
      };
    }
    if (tokensEqual(bearer, this.token)) return { ok: true, session: { kind: 'enrollment' } };
    return {
      ok: false,
      status: 401,
      message: 'wrong agent token or credential',
      log: 'agent refused: wrong token or unknown credential',
    };
  }

  admit(
    session: AgentSession,
    hello: Hello,
    remoteAddress?: string,
  ): HelloAdmission | Promise<HelloAdmission> {
    if (session.kind === 'credential') {
      if (hello.agentId !== session.agentId) {
        return {
          ok: false,
          refused: true,
          closeCode: CloseCode.UNAUTHORIZED,
          reason: 'this credential was issued to another agent id',
        };
      }
      const state = this.store.stateOf(session.agentId, session.credentialHash);
      if (state === 'active') return { ok: true };
      if (state === 'pending') return pendingAdmission();
      return { ok: false, refused: true, closeCode: CloseCode.REVOKED, reason: 'agent revoked' };
    }
    // The enrollment token: this hello asks to enroll a new agent.
    if (this.store.has(hello.agentId)) {
      // Handing a second credential to whoever knows the enrollment token would let them take over
      // an enrolled agent's identity (and its configurations).
      return {
        ok: false,
        refused: true,
        closeCode: CloseCode.UNAUTHORIZED,
        reason: 'agent id already enrolled: connect with its credential (or revoke it to enroll again)',
      };
    }
    return this.enroll(hello, remoteAddress);
  }

  private async enroll(hello: Hello, remoteAddress?: string): Promise<HelloAdmission> {
    const status = this.store.approvalMode ? 'pending' : 'active';
    let credential: string;
    try {
      credential = await this.store.issue(
        hello.agentId,
        {
          name: hello.name,
          hostname: hello.hostname,
          platform: hello.platform,
          remoteAddress: remoteAddress?.slice(0, 64),
        },
        status,
        this.now(),
      );
    } catch (error) {
      // The disk refused the write (admit() already turned away ids that are enrolled). The error
      // names hub files: it goes to the log, the agent gets a fixed reason and retries later.
      this.options.logger.error('could not enroll an agent', {
        agentId: hello.agentId,
        error: String(error),
      });
      return {
        ok: false,
        refused: true,
        closeCode: CloseCode.UNAUTHORIZED,
        reason: 'the hub could not record the enrollment; try again later',
      };
    }
    const enrolled: Enrolled = {
      type: 'enrolled',
      agentId: hello.agentId,
      credential,
      status: status === 'active' ? 'accepted' : 'pending',
    };
    this.options.logger.info(
      status === 'active' ? 'agent enrolled' : 'agent enrolled, waiting for approval',
      {
        agentId: hello.agentId,
        hostname: hello.hostname,
        remote: remoteAddress,
      },
    );
    if (status === 'pending') this.options.onChange();
    return status === 'active' ? { ok: true, enrolled } : { ...pendingAdmission(), enrolled };
  }

  // ---- console ---------------------------------------------------------------------------------

  view(): EnrollmentView {
    return {
      tokenMasked: maskToken(this.token),
      tokenSource: this.options.tokenSource,
      approvalMode: this.store.approvalMode,
      enrolledAgents: this.store.size - this.store.pendingCount,
      pending: this.store.pending().map(([agentId, r]) => ({
        agentId,
        name: r.name,
        hostname: r.hostname,
        platform: r.platform,
        remoteAddress: r.remoteAddress,
        requestedAt: r.enrolledAt,
      })),
    };
  }

  counters(): EnrollmentCounters {
    return { pending: this.store.pendingCount, approvalMode: this.store.approvalMode };
  }

  /** New enrollment token, stored with the hub's other generated secrets; the old one stops at once. */
  rotateToken(): void {
    if (this.options.tokenSource === 'env') {
      throw new EnrollmentError(
        'the enrollment token is set by CENTRALIZER_AGENT_TOKEN; change it there and restart the console',
      );
    }
    const token = randomBytes(24).toString('base64url');
    saveGeneratedSecret(this.options.dataDir, TOKEN_KEY, token);
    this.token = token;
    this.options.logger.info('enrollment token rotated');
    this.options.onChange();
  }

  setApprovalMode(enabled: boolean): void {
    this.store.setApprovalMode(enabled);
    this.options.logger.info('approval mode changed', { enabled });
    this.options.onChange();
  }

  accept(agentId: string): void {
    if (!this.store.accept(agentId, this.now())) throw new EnrollmentError(`agent ${agentId} is not pending`);
    this.options.logger.info('agent accepted', { agentId });
    this.options.onChange();
  }

  reject(agentId: string): void {
    if (this.store.get(agentId)?.status !== 'pending')
      throw new EnrollmentError(`agent ${agentId} is not pending`);
    this.store.remove(agentId, this.now());
    this.options.logger.info('agent rejected', { agentId });
    this.options.onChange();
  }

  /** Delete the agent's credential. False when it had none. */
  revoke(agentId: string): boolean {
    const had = this.store.remove(agentId, this.now());
    if (had) {
      this.options.logger.info('agent credential revoked', { agentId });
      this.options.onChange();
    }
    return had;
  }

  close(): void {
    this.store.close();
  }
}

function pendingAdmission(): Extract<HelloAdmission, { ok: false }> {
  return {
    ok: false,
    refused: false,
    closeCode: CloseCode.PENDING_APPROVAL,
    reason: 'waiting for the operator to accept this agent',
  };
}

/**
 * Update one key of hub-secrets.json (the file src-main/hub/settings.ts creates), atomically and
 * owner-only, keeping the other keys.
 */
function saveGeneratedSecret(dataDir: string, key: string, value: string): void {
  const file = join(dataDir, 'hub-secrets.json');
  let secrets: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      secrets = parsed as Record<string, unknown>;
  } catch {
    // Missing or unreadable: settings.ts already kept a corrupt one aside at start; write a fresh one.
  }
  secrets[key] = value;
  // writeFileSync on an fd writes everything (writeSync may write only part of a buffer).
  writeFileAtomic(file, (fd) => writeFileSync(fd, JSON.stringify(secrets, null, 2)), { mode: 0o600 });
}
