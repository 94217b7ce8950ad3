/**
 * The reference AgentClient and the simulator against the real hub (createHub, headless, real gateway):
 * the two halves of agent protocol v1 agree. Uses the hub test helpers (test/helpers/hub.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src-shared';
import {
  AgentClient,
  memoryCredentials,
  type CredentialKeeper,
  type DisconnectInfo,
} from '../../src-agent/client';
import { createMetricsSampler } from '../../src-agent/metrics';
import { startSimulator } from '../../src-agent/simulator';
import { TEST_TOKEN, startTestHub, waitFor, type TestHub } from '../helpers/hub';

let t: TestHub;
const clients: AgentClient[] = [];

beforeEach(async () => {
  t = await startTestHub();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await t.close();
});

/** `credentials`: share one between two clients to play the same enrolled agent twice. */
function agent(agentId: string, hostname = 'srv-e2e', credentials?: CredentialKeeper): AgentClient {
  const sampler = createMetricsSampler();
  const client = new AgentClient({
    url: t.url,
    token: TEST_TOKEN,
    credentials,
    identity: { agentId, name: agentId, hostname, platform: process.platform, agentVersion: '0.1.0-test' },
    metrics: () => sampler.sample(),
    backoff: { initialMs: 50, maxMs: 300 },
  });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

const agentIn = async (id: string) => (await t.snapshot()).agents.find((a) => a.agentId === id);

describe('agent ⇄ real hub', () => {
  it('goes online, reports metrics without violations, and goes offline cleanly on stop()', async () => {
    const client = agent('e2e-1');
    const hubErrors: unknown[] = [];
    client.on('hubError', (f) => hubErrors.push(f));
    client.start();
    await waitFor(async () => (await agentIn('e2e-1'))?.presence === 'online', 5000, 'online');
    await waitFor(() => client.stats().metricsSent >= 3, 5000, 'metrics sent');
    expect(hubErrors).toEqual([]);
    expect(t.hub.status().gateway.violations).toBe(0);
    await client.stop();
    await waitFor(async () => (await agentIn('e2e-1'))?.presence === 'offline', 5000, 'offline');
    expect((await agentIn('e2e-1'))?.reason).toBe('clean_disconnect');
  });

  it('the older connection stops for good when another takes over the same id (4004)', async () => {
    // The same agent started twice (e.g. a second process with the same state dir): same credential.
    const credentials = memoryCredentials();
    const first = agent('e2e-dup', 'srv-e2e', credentials);
    const disconnects: DisconnectInfo[] = [];
    first.on('disconnected', (d) => disconnects.push(d));
    first.start();
    await waitFor(() => first.state === 'online', 5000, 'first online');
    const second = agent('e2e-dup', 'srv-e2e', credentials);
    second.start();
    await waitFor(() => first.state === 'stopped', 5000, 'first stopped');
    expect(disconnects[0]).toMatchObject({ code: CloseCode.REPLACED, willReconnect: false });
    await new Promise((r) => setTimeout(r, 700));
    expect(second.state).toBe('online');
    expect(t.hub.status().gateway.connections).toBe(1);
  });

  it('a simulated fleet comes online across servers', async () => {
    const sim = startSimulator({
      url: t.url,
      token: TEST_TOKEN,
      count: 50,
      hosts: 10,
      connectRatePerSec: 1000,
      summaryEverySec: 0,
    });
    try {
      await sim.waitForOnline(50, 10_000);
      await waitFor(
        async () => (await t.snapshot()).agents.filter((a) => a.presence === 'online').length === 50,
        5000,
        '50 online in the snapshot',
      );
      expect(t.hub.status().gateway.violations).toBe(0);
    } finally {
      await sim.stop();
    }
  });
});
