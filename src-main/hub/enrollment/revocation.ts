/**
 * Revoke / decommission an agent: its credential stops working at once, its live connection is
 * closed with REVOKED, its RabbitMQ queue is deleted (or, with the broker away, recorded and deleted
 * when it is back), it leaves the fleet and the registry, and its history is kept or purged.
 */
import type { RevokeResult } from '../../../src-shared';
import type { BrokerConnection, BrokerSession } from '../broker/connection-manager';
import type { TopologyNames } from '../broker/topology';
import type { Logger } from '../logger';
import type { CredentialStore } from './credential-store';

export interface RevocationDeps {
  store: CredentialStore;
  /** Delete the credential (Enrollment.revoke: logs and notifies consoles). */
  deleteCredential(agentId: string): boolean;
  disconnect(agentId: string): boolean;
  broker: BrokerConnection;
  names: TopologyNames;
  /**
   * Remove the agent from the fleet, the registry, pending config deliveries… Returns the id of its
   * server when that server left the fleet with it.
   */
  forget(agentId: string): string | undefined;
  /** Remove its history (and its server's, when `serverGone`). */
  purgeHistory(agentId: string, serverGone: string | undefined): void;
  /** The revocation is done (audit log; with `purge`, the configuration ledger goes too). */
  recorded(agentId: string, purge: boolean): void;
  logger: Logger;
}

export interface Revocation {
  revoke(agentId: string, purgeHistory: boolean): Promise<RevokeResult>;
  /** Delete the queues owed since the broker was away, now and on every new broker session. */
  start(): () => void;
}

export function createRevocation(deps: RevocationDeps): Revocation {
  const deleteQueue = async (session: BrokerSession, agentId: string): Promise<void> => {
    // A plain channel of its own: a failure here must not recycle the hub's broker session.
    const channel = await session.publishConnection.createChannel();
    channel.on('error', () => {});
    try {
      await channel.deleteQueue(deps.names.agentQueue(agentId));
    } finally {
      await channel.close().catch(() => {});
    }
  };

  const deleteOwed = async (session: BrokerSession): Promise<void> => {
    for (const agentId of [...deps.store.queueDeletes]) {
      if (session.signal.aborted) return;
      try {
        await deleteQueue(session, agentId);
        deps.store.setQueueDelete(agentId, false);
        deps.logger.info('queue of a revoked agent deleted', { agentId });
      } catch (error) {
        deps.logger.warn('could not delete the queue of a revoked agent yet', {
          agentId,
          error: String(error),
        });
      }
    }
  };

  return {
    async revoke(agentId, purgeHistory) {
      const credentialDeleted = deps.deleteCredential(agentId);
      const connectionClosed = deps.disconnect(agentId);
      const serverGone = deps.forget(agentId);
      if (purgeHistory) deps.purgeHistory(agentId, serverGone);
      deps.recorded(agentId, purgeHistory);
      let queue: RevokeResult['queue'] = 'no_broker';
      if (deps.broker.getStatus().state !== 'not_configured') {
        // Recorded first, so a crash or a failure below still deletes it on the next session.
        deps.store.setQueueDelete(agentId, true);
        queue = 'deferred';
        const session = deps.broker.currentSession();
        if (session) {
          try {
            await deleteQueue(session, agentId);
            deps.store.setQueueDelete(agentId, false);
            queue = 'deleted';
          } catch (error) {
            deps.logger.warn('could not delete the queue of a revoked agent; will retry', {
              agentId,
              error: String(error),
            });
          }
        }
      }
      deps.logger.info('agent revoked', { agentId, connectionClosed, queue, purgeHistory });
      return { agentId, credentialDeleted, connectionClosed, queue, historyPurged: purgeHistory };
    },
    start() {
      const off = deps.broker.onReady('revoked-agent-queues', async (session) => {
        // Outside the ready hook: deleting queues must not delay "connected".
        setImmediate(() => void deleteOwed(session));
      });
      return off;
    },
  };
}
