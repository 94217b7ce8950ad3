import { timingSafeEqual, createHash } from 'node:crypto';
import type { Enrolled, Hello } from '../../../src-shared';

/** Token from an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** SHA-256 of a credential, hex: the only form in which the hub keeps agent credentials. */
export function credentialHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Who a connection is, decided before the WebSocket upgrade from its bearer token: a new agent
 * holding the enrollment token (its `hello` is an enrollment request), or an enrolled agent holding
 * its own credential (its `hello` must name the agent the credential was issued to).
 */
export type AgentSession =
  { kind: 'enrollment' } | { kind: 'credential'; agentId: string; credentialHash: string };

export type UpgradeDecision =
  | { ok: true; session: AgentSession }
  /** Refused before the upgrade: no socket. `log` is safe to log (never a secret). */
  | { ok: false; status: 401 | 403; message: string; log: string; agentId?: string };

/** What the gateway does with a `hello`, decided by the authenticator. */
export type HelloAdmission =
  /** Process the hello; `enrolled` (if any) is sent first, before `welcome`. */
  | { ok: true; enrolled?: Enrolled }
  /**
   * Process nothing: send `enrolled` (if any), then close with `closeCode`. `refused` counts as a
   * refused authentication (pending approval does not).
   */
  | { ok: false; closeCode: number; reason: string; enrolled?: Enrolled; refused: boolean };

export interface AgentAuthenticator {
  /** Check the `Authorization` header at the upgrade. Never throws. */
  authenticate(authorization: string | undefined): UpgradeDecision;
  /** Decide about a `hello` on an authenticated session (may persist a new credential first). */
  admit(
    session: AgentSession,
    hello: Hello,
    remoteAddress?: string,
  ): HelloAdmission | Promise<HelloAdmission>;
}

/**
 * The pre-enrollment behaviour: one shared token, every hello accepted. Only for hubs built without
 * enrollment (benchmarks of the bare gateway); the hub itself always uses Enrollment.
 */
export function sharedTokenAuthenticator(token: string): AgentAuthenticator {
  return {
    authenticate(authorization) {
      const bearer = bearerToken(authorization);
      if (bearer && tokensEqual(bearer, token)) return { ok: true, session: { kind: 'enrollment' } };
      return {
        ok: false,
        status: 401,
        message: 'missing or wrong agent token',
        log: 'agent refused: bad or missing token',
      };
    },
    admit: () => ({ ok: true }),
  };
}
