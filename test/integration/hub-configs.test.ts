/**
 * Configuration management end to end at the console API, with real agents (the simulator's
 * virtual agents and the built reference agent): bulk changes with progress and failures, latest
 * revision for an agent that was offline, and a registry that survives a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfigDetail, BulkView } from '../../src-shared';
import { startSimulator } from '../../src-agent/simulator';
import { ensureBroker } from '../helpers/broker';
import { startTestHub, TEST_TOKEN, waitFor, type TestHub } from '../helpers/hub';

const quiet = () => {};
const detail = (t: TestHub, agentId: string) =>
  t.hub.console.request('getAgentConfig', { agentId }) as Promise<AgentConfigDetail>;
const bulkOf = async (t: TestHub, bulkId: string): Promise<BulkView | undefined> =>
  (await t.snapshot()).bulks.find((b) => b.bulkId === bulkId);

describe('over the WebSocket (no broker)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(() => t.close());

  it('a bulk change to 50 agents shows progress, ends applied, lists the rejecting ones, and retries them', async () => {
    const sim = startSimulator({
      url: t.url,
      token: TEST_TOKEN,
      count: 50,
      prefix: 'bulk',
      rejectFirst: 3,
      summaryEverySec: 0,
      log: quiet,
      labels: { fleet: 'bulk' },
    });
    try {
      await sim.waitForOnline(50, 20_000);
      const bulk = (await t.hub.console.request('bulkApply', {
        target: { filter: { labels: { fleet: 'bulk' } } },
        action: { kind: 'patch', patch: { logLevel: 'debug' } },
      })) as BulkView;
      expect(bulk.total).toBe(50);
      const progress: number[] = [];
      const done = await waitFor(
        async () => {
          const b = await bulkOf(t, bulk.bulkId);
          if (b) progress.push(b.applied);
          return b && b.pending === 0 ? b : undefined;
        },
        20_000,
        'bulk done',
      );
      expect(done.applied).toBe(47);
      expect(done.failed.map((f) => f.agentId).sort()).toEqual(['bulk-00001', 'bulk-00002', 'bulk-00003']);
      expect(done.failed[0]?.error).toMatch(/refuse/i);
      const retried = (await t.hub.console.request('retryBulk', { bulkId: bulk.bulkId })) as BulkView;
      expect(retried.pending + retried.failed.length).toBe(3);
      const again = await waitFor(
        async () => {
          const b = await bulkOf(t, bulk.bulkId);
          return b && b.pending === 0 ? b : undefined;
        },
        10_000,
        'retry done',
      );
      expect(again.failed.map((f) => f.revision)).toEqual([2, 2, 2]); // retried as new revisions, refused again
      expect((await detail(t, 'bulk-00010')).status).toBe('in_sync');
    } finally {
      await sim.stop();
    }
  });

  it('a bulk change to 1,000 simulated agents: time until every one applied (printed)', async () => {
    const sim = startSimulator({
      url: t.url,
      token: TEST_TOKEN,
      count: 1000,
      prefix: 'k',
      connectRatePerSec: 1000,
      summaryEverySec: 0,
      log: quiet,
      labels: { fleet: 'k' },
    });
    try {
      await sim.waitForOnline(1000, 60_000);
      const started = Date.now();
      const bulk = (await t.hub.console.request('bulkApply', {
        target: { filter: { labels: { fleet: 'k' } } },
        action: { kind: 'patch', patch: { interval: 30 } },
      })) as BulkView;
      const accepted = Date.now();
      const done = await waitFor(
        async () => {
          const b = await bulkOf(t, bulk.bulkId);
          return b && b.pending === 0 ? b : undefined;
        },
        60_000,
        'bulk of 1000 done',
      );
      console.log(
        `[hub-configs] bulk change to 1,000 agents over the WebSocket: accepted in ${accepted - started} ms, all ${done.applied} applied after ${Date.now() - started} ms`,
      );
      expect(done.applied).toBe(1000);
    } finally {
      await sim.stop();
    }
  }, 120_000);
});

describe('an agent offline while its configuration changes', () => {
  it.each(['websocket', 'broker'] as const)(
    'gets only the latest revision, once, when it reconnects (%s)',
    async (path) => {
      const env: Record<string, string> = {};
      if (path === 'broker') {
        Object.assign(env, {
          RABBITMQ_URL: await ensureBroker(),
          CENTRALIZER_TOPOLOGY_PREFIX: `cfg-${process.pid}`,
          CENTRALIZER_BROKER_RETRY_MAX_SEC: '1',
        });
      }
      const t = await startTestHub(env);
      const broker =
        path === 'broker'
          ? {
              url: env.RABBITMQ_URL as string,
              topologyPrefix: env.CENTRALIZER_TOPOLOGY_PREFIX,
              consumeConfig: true,
            }
          : undefined;
      try {
        if (broker)
          await waitFor(
            async () => (await t.snapshot()).status.broker.state === 'connected',
            15_000,
            'broker',
          );
        // The same agent comes back: it keeps its credential between the two runs.
        const credentialsDir = mkdtempSync(join(tmpdir(), 'ac-credentials-'));
        const first = startSimulator({
          url: t.url,
          token: TEST_TOKEN,
          count: 1,
          prefix: `away-${path}`,
          summaryEverySec: 0,
          log: quiet,
          broker,
          credentialsDir,
        });
        await first.waitForOnline(1, 10_000);
        const agentId = `away-${path}-00001`;
        await first.stop();
        await waitFor(
          async () =>
            (await t.snapshot()).agents.find((a) => a.agentId === agentId && a.presence === 'offline'),
          5000,
          'offline',
        );
        for (const level of ['info', 'warn', 'debug'])
          await t.hub.console.request('sendConfig', { agentId, config: { logLevel: level } });

        const back = startSimulator({
          url: t.url,
          token: TEST_TOKEN,
          count: 1,
          prefix: `away-${path}`,
          summaryEverySec: 0,
          log: quiet,
          broker,
          credentialsDir,
        });
        try {
          const d = await waitFor(
            async () => {
              const c = await detail(t, agentId);
              return c.status === 'in_sync' && c.ledger[0]?.state === 'applied' ? c : undefined;
            },
            15_000,
            'in sync and reported',
          );
          expect(d.reportedRevision).toBe(3);
          expect(d.effective).toEqual({ logLevel: 'debug' });
          expect(d.ledger.map((l) => [l.revision, l.state])).toEqual([
            [3, 'applied'],
            [2, 'superseded'],
            [1, 'superseded'],
          ]);
          const applied = d.ledger[0];
          expect(applied?.path).toBe(path);
          expect(applied?.queuedAt).toBeLessThanOrEqual(applied?.deliveredAt as number);
          expect(applied?.deliveredAt).toBeLessThanOrEqual(applied?.appliedAt as number);
          // Exactly once: the agent reported one application, of revision 3.
          const reports = (await t.hub.console.request('queryAudit', { agentId, text: 'config.report' })) as {
            summary: string;
          }[];
          expect(reports.map((r) => r.summary)).toEqual(['revision 3 applied']);
          expect(back.configAppliers[0]?.revision).toBe(3);
        } finally {
          await back.stop();
          rmSync(credentialsDir, { recursive: true, force: true });
        }
      } finally {
        await t.close();
      }
    },
  );
});

describe('the registry survives a restart', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ac-registry-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps agents, profiles, revisions, ledger and audit', async () => {
    const t1 = await startTestHub({}, { dataDir, keepDataDir: true });
    const sim = startSimulator({
      url: t1.url,
      token: TEST_TOKEN,
      count: 2,
      prefix: 'keep',
      summaryEverySec: 0,
      log: quiet,
      labels: { env: 'prod' },
    });
    await sim.waitForOnline(2, 10_000);
    await t1.hub.console.request('saveProfile', {
      name: 'prod-defaults',
      selector: { env: 'prod' },
      config: { logLevel: 'warn' },
    });
    await t1.hub.console.request('sendConfig', { agentId: 'keep-00001', config: { extra: true } });
    await waitFor(async () => (await detail(t1, 'keep-00001')).status === 'in_sync', 10_000, 'applied');
    const before = await detail(t1, 'keep-00001');
    const auditBefore = await t1.hub.console.request('queryAudit', {});
    await sim.stop();
    await t1.close();

    const t2 = await startTestHub({}, { dataDir, keepDataDir: true });
    try {
      const after = await detail(t2, 'keep-00001');
      expect(after.revisions).toEqual(before.revisions);
      expect(after.ledger).toEqual(before.ledger);
      expect(after.effective).toEqual({ logLevel: 'warn', extra: true });
      expect(await t2.hub.console.request('listProfiles', undefined)).toHaveLength(1);
      expect(await t2.hub.console.request('queryAudit', {})).toEqual(auditBefore);
      // Known agents are listed before they reconnect, presence unknown.
      const agents = (await t2.snapshot()).agents.filter((a) => a.agentId.startsWith('keep-'));
      expect(agents.map((a) => [a.agentId, a.presence]).sort()).toEqual([
        ['keep-00001', 'unknown'],
        ['keep-00002', 'unknown'],
      ]);
    } finally {
      await t2.close();
    }
  });
});
