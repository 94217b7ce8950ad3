/**
 * Configuration over the WebSocket against the REAL hub (createHub, headless, no broker configured, so
 * the hub delivers configurations over the agent's socket): the console's sendConfig / bulkApply reach
 * the reference AgentClient and the simulator, which apply them and answer `config.report`.
 *
 * The hub's half of `config.report` over the WebSocket (gateway onConfigReport → the delivery ledger)
 * was still being wired when these tests were written: the ledger assertions run only when a raw
 * protocol probe shows the hub records WebSocket reports, and are skipped (visibly) otherwise. The
 * agent's side of the report is covered against the fake hub in agent-ws-config.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentConfigDetail, BulkView } from '../../src-shared';
import { AgentClient } from '../../src-agent/client';
import { ConfigApplier, MemoryConfigStore } from '../../src-agent/config-apply';
import { REFERENCE_CONFIG_SCHEMA, agentConfigValidator } from '../../src-agent/config-schema';
import { createMetricsSampler } from '../../src-agent/metrics';
import { startSimulator, type SimulatorHandle } from '../../src-agent/simulator';
import { TEST_TOKEN, rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';

let t: TestHub;
const clients: AgentClient[] = [];
let sim: SimulatorHandle | undefined;

beforeEach(async () => {
  t = await startTestHub();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await sim?.stop();
  sim = undefined;
  await t.close();
});

function agent(agentId: string) {
  const applier = new ConfigApplier({
    agentId,
    store: new MemoryConfigStore(),
    validate: agentConfigValidator(REFERENCE_CONFIG_SCHEMA),
  });
  const sampler = createMetricsSampler();
  const client = new AgentClient({
    url: t.url,
    token: TEST_TOKEN,
    identity: {
      agentId,
      name: agentId,
      hostname: 'srv-config',
      platform: process.platform,
      agentVersion: '0.1.0-test',
      configSchema: REFERENCE_CONFIG_SCHEMA,
    },
    metrics: () => sampler.sample(),
    configApplier: applier,
    backoff: { initialMs: 50, maxMs: 300 },
  });
  client.on('error', () => undefined);
  clients.push(client);
  client.start();
  return { client, applier };
}

/**
 * Does this hub record a WebSocket `config.report` in its ledger? Probed with a raw protocol client,
 * independent of the agent code under test. Cached per run (the hub code does not change mid-run).
 */
let recordsReports: boolean | undefined;
async function hubRecordsWsReports(): Promise<boolean> {
  if (recordsReports !== undefined) return recordsReports;
  const raw = rawAgent(t.url);
  try {
    await raw.opened;
    raw.send({
      type: 'hello',
      protocol: 1,
      agentId: 'ledger-probe',
      name: 'probe',
      hostname: 'probe',
      platform: 'linux',
      agentVersion: '0',
    });
    await waitFor(() => raw.received.some((m) => m.type === 'welcome'), 5000, 'probe welcome');
    const { revision } = await send('ledger-probe', { probe: true });
    await waitFor(() => raw.received.some((m) => m.type === 'config'), 5000, 'probe config');
    raw.send({ type: 'config.report', revision, status: 'applied', ts: Date.now() });
    recordsReports = await waitFor(
      async () => (await detail('ledger-probe')).ledger[0]?.state === 'applied',
      1000,
      'probe ledger',
    ).then(
      () => true,
      () => false,
    );
    return recordsReports;
  } finally {
    raw.ws.close();
  }
}

const detail = (agentId: string) =>
  t.hub.console.request('getAgentConfig', { agentId }) as Promise<AgentConfigDetail>;
const send = (agentId: string, config: Record<string, unknown>) =>
  t.hub.console.request('sendConfig', { agentId, config }) as Promise<{ revision: number }>;

describe('agent ⇄ real hub: configuration over the WebSocket', () => {
  it('the hub knows the schema; a config sent from the console is applied, reported and in sync', async (ctx) => {
    const { client, applier } = agent('cfg-1');
    await waitFor(() => client.state === 'online', 5000, 'online');
    await waitFor(async () => (await detail('cfg-1')).schema !== undefined, 5000, 'schema at the hub');
    expect((await detail('cfg-1')).schema).toEqual(REFERENCE_CONFIG_SCHEMA);

    const { revision } = await send('cfg-1', { logLevel: 'debug', metricsLabels: { team: 'ops' } });
    await waitFor(() => applier.revision === revision, 5000, 'applied by the agent');
    expect(applier.current?.config).toMatchObject({ logLevel: 'debug', metricsLabels: { team: 'ops' } });
    // The heartbeat with the new revision: the hub sees the agent in sync.
    await waitFor(async () => (await detail('cfg-1')).status === 'in_sync', 5000, 'in sync');
    // The config.report frame passed the hub's parser (a bad one would count as a violation).
    expect(t.hub.status().gateway.violations).toBe(0);
    if (!(await hubRecordsWsReports()))
      return ctx.skip('the hub does not record WebSocket config.report yet');
    const d = await waitFor(
      async () => {
        const v = await detail('cfg-1');
        return v.ledger[0]?.state === 'applied' && v;
      },
      5000,
      'ledger applied',
    );
    expect(d).toMatchObject({ status: 'in_sync', reportedRevision: revision, desiredRevision: revision });
    expect(d.ledger[0]).toMatchObject({ revision, path: 'websocket', state: 'applied' });
  });

  it('a refused config is reported rejected with its error; the agent keeps the previous one', async (ctx) => {
    const { client, applier } = agent('cfg-2');
    await waitFor(() => client.state === 'online', 5000, 'online');
    await waitFor(async () => (await detail('cfg-2')).schema !== undefined, 5000, 'schema at the hub');
    const first = await send('cfg-2', { logLevel: 'info' });
    await waitFor(() => applier.revision === first.revision, 5000, 'first applied');
    const second = await send('cfg-2', { logLevel: 'info', rejectReason: 'maintenance window closed' });
    await waitFor(() => client.stats().configsRejected === 1, 5000, 'refused by the agent');
    expect(applier.revision).toBe(first.revision);
    expect(client.currentConfigRevision).toBe(first.revision);
    expect(t.hub.status().gateway.violations).toBe(0);
    if (!(await hubRecordsWsReports()))
      return ctx.skip('the hub does not record WebSocket config.report yet');
    const d = await waitFor(
      async () => {
        const v = await detail('cfg-2');
        return v.ledger.find((l) => l.revision === second.revision)?.state === 'rejected' && v;
      },
      5000,
      'ledger rejected',
    );
    expect(d.ledger.find((l) => l.revision === second.revision)?.error).toBe('maintenance window closed');
    expect(d.status).toBe('failed');
  });

  it('simulator without a broker: a 50-agent bulk change over the WebSocket, --reject 3', async (ctx) => {
    sim = startSimulator({
      url: t.url,
      token: TEST_TOKEN,
      count: 50,
      prefix: 'bulk',
      connectRatePerSec: 1000,
      summaryEverySec: 0,
      configSchema: true,
      rejectFirst: 3,
      log: () => undefined,
    });
    await sim.waitForOnline(50, 10_000);
    await waitFor(
      async () => (await t.snapshot()).agents.filter((a) => a.presence === 'online').length === 50,
      5000,
      'all online at the hub',
    );
    const bulk = (await t.hub.console.request('bulkApply', {
      target: { filter: { labels: { simulated: 'true' } } },
      action: { kind: 'patch', patch: { logLevel: 'warn' } },
    })) as BulkView;
    expect(bulk.total).toBe(50);
    await waitFor(
      () => sim!.stats().configsApplied + sim!.stats().configsRejected === 50,
      10_000,
      'all handled',
    );
    expect(sim.stats()).toMatchObject({ configsApplied: 47, configsRejected: 3 });
    expect(sim.configAppliers.filter((a) => a.revision > 0)).toHaveLength(47);
    for (const id of ['bulk-00004', 'bulk-00050']) {
      await waitFor(async () => (await detail(id)).status === 'in_sync', 5000, `${id} in sync`);
    }
    expect(t.hub.status().gateway.violations).toBe(0);
    if (!(await hubRecordsWsReports()))
      return ctx.skip('the hub does not record WebSocket config.report yet');
    const entry = await waitFor(
      async () => {
        const b = (await detail('bulk-00001')).ledger[0];
        return b?.state === 'rejected' && b;
      },
      5000,
      'rejection in the ledger',
    );
    expect(entry.error).toBe('simulated agent bulk-00001 refuses configurations (--reject)');
    for (const id of ['bulk-00004', 'bulk-00050']) {
      await waitFor(async () => (await detail(id)).ledger[0]?.state === 'applied', 5000, `${id} applied`);
    }
  });
});
