/**
 * Agent enrollment in the console API: the enrollment token, the approval mode, agents waiting for
 * approval, and revocation. See docs/adr/0002-agent-enrollment.md.
 */
import { z } from 'zod';
import { AgentIdSchema } from './agent-protocol';

export const enrollmentRequestInputs = {
  getEnrollment: z.undefined(),
  /** The enrollment token in clear (the view only carries it masked). */
  revealEnrollmentToken: z.undefined(),
  /** New enrollment token; the old one stops enrolling at once. Refused when pinned by the environment. */
  rotateEnrollmentToken: z.undefined(),
  /** On: new agents wait as pending until accepted. Off (default): new agents are accepted at once. */
  setApprovalMode: z.strictObject({ enabled: z.boolean() }),
  acceptAgent: z.strictObject({ agentId: AgentIdSchema }),
  /** Refuse a pending agent: its credential is deleted. */
  rejectAgent: z.strictObject({ agentId: AgentIdSchema }),
  /**
   * Revoke / decommission: credential deleted, live connection closed (REVOKED), queue deleted,
   * fleet entry removed; history kept unless `purgeHistory`.
   */
  revokeAgent: z.strictObject({ agentId: AgentIdSchema, purgeHistory: z.boolean() }),
};

export interface PendingAgentView {
  agentId: string;
  name: string;
  hostname: string;
  platform?: string;
  remoteAddress?: string;
  /** When it first asked to enroll (ms since epoch). */
  requestedAt: number;
}

export interface EnrollmentView {
  /** The token with most of it hidden; revealEnrollmentToken gives it in clear. */
  tokenMasked: string;
  /** 'env': pinned by CENTRALIZER_AGENT_TOKEN, so it cannot be rotated from the console. */
  tokenSource: 'generated' | 'env';
  approvalMode: boolean;
  /** Agents holding an accepted credential. */
  enrolledAgents: number;
  pending: PendingAgentView[];
}

export interface RevokeResult {
  agentId: string;
  /** Whether it had a credential (false: it was only known from history). */
  credentialDeleted: boolean;
  /** Whether a live connection was closed. */
  connectionClosed: boolean;
  /** Its RabbitMQ queue: deleted, to delete when the broker is back, or no broker configured. */
  queue: 'deleted' | 'deferred' | 'no_broker';
  historyPurged: boolean;
}

export interface EnrollmentRequestOutputs {
  getEnrollment: EnrollmentView;
  revealEnrollmentToken: { token: string };
  rotateEnrollmentToken: EnrollmentView;
  setApprovalMode: EnrollmentView;
  acceptAgent: EnrollmentView;
  rejectAgent: EnrollmentView;
  revokeAgent: RevokeResult;
}

/** In HubStatus, so consoles learn at once that an agent is waiting (and then fetch the list). */
export interface EnrollmentCounters {
  pending: number;
  approvalMode: boolean;
}

/** First 4 characters, then dots: enough to tell two tokens apart, useless to an onlooker. */
export function maskToken(token: string): string {
  return `${token.slice(0, 4)}${'•'.repeat(12)}`;
}
