/**
 * The console's store update alone, in V8 (the engine of Chromium and Electron's renderer), without a
 * browser: the real `src-renderer/state/fleet-store.ts` (bundled on the fly with rolldown) takes a
 * snapshot of N agents on N servers, then batches that flip every agent and server (as when every
 * agent drops at once). Next to it, two floors in plain JavaScript: a copy-on-write update (copy a Map
 * of N entries and set N new values, twice: agents and servers), which the store did until it moved
 * to maps updated in place (map-view.ts), and the same sets in place. Figures per batch, ms; p50/p99
 * skip the first 5 rounds (warm), "store first" is the very first batch (cold code, as in a console
 * where a whole-fleet batch is a rare event).
 *
 *   node bench/renderer-store.mjs [--agents 10000] [--rounds 40]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { build } from 'rolldown';
import { percentile, ROOT, round } from './lib.mjs';

export async function rendererStore({ agents: n = 10_000, rounds = 40 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ac-store-bench-'));
  try {
    const file = join(dir, 'fleet-store.mjs');
    await build({
      input: join(ROOT, 'src-renderer/state/fleet-store.ts'),
      platform: 'node',
      logLevel: 'silent',
      output: { file, format: 'esm' },
    });
    const { createFleetStore } = await import(pathToFileURL(file).href);
    const T0 = Date.now();
    const agents = Array.from({ length: n }, (_, i) => ({
      agentId: `agent-${i}`,
      name: `agent-${i}`,
      serverId: `host-${i}`,
      hostname: `host-${i}`,
      platform: 'linux',
      arch: 'x64',
      agentVersion: '1.0.0',
      labels: { env: 'prod' },
      presence: 'online',
      since: T0,
      reason: 'connected',
      lastSeen: T0,
      configRevision: 0,
      desiredRevision: 0,
      configStatus: 'none',
      hasConfigSchema: false,
      violations: 0,
    }));
    const servers = agents.map((a) => ({
      serverId: a.serverId,
      hostname: a.hostname,
      platform: 'linux',
      presence: 'online',
      since: T0,
      reason: 'agent_online',
      agentIds: [a.agentId],
      onlineAgents: 1,
    }));
    const store = createFleetStore();
    store
      .getState()
      .applySnapshot({ seq: 0, status: null, agents, servers, jobs: [], bulks: [], alerts: [] });
    // Batches are built before timing (in the console they arrive parsed from the transport).
    const batches = Array.from({ length: rounds }, (_, r) => {
      const presence = r % 2 ? 'online' : 'offline';
      return {
        seq: r + 1,
        agents: agents.map((a) => ({ ...a, presence, since: T0 + r })),
        servers: servers.map((s) => ({ ...s, presence, onlineAgents: r % 2 })),
        jobs: [],
        removedAgents: [],
        removedServers: [],
        removedJobs: [],
        bulks: [],
        alerts: [],
        removedAlerts: [],
      };
    });
    const storeMs = [];
    for (const batch of batches) {
      const t = performance.now();
      store.getState().applyDelta(batch);
      storeMs.push(performance.now() - t);
    }
    let agentMap = store.getState().agents;
    let serverMap = store.getState().servers;
    const floorMs = [];
    for (const batch of batches) {
      const t = performance.now();
      agentMap = new Map(agentMap);
      for (const a of batch.agents) agentMap.set(a.agentId, a);
      serverMap = new Map(serverMap);
      for (const s of batch.servers) serverMap.set(s.serverId, s);
      floorMs.push(performance.now() - t);
    }
    // The floor without copying: the same sets on maps updated in place.
    const inPlaceAgents = new Map(agentMap);
    const inPlaceServers = new Map(serverMap);
    const inPlaceMs = [];
    for (const batch of batches) {
      const t = performance.now();
      for (const a of batch.agents) inPlaceAgents.set(a.agentId, a);
      for (const s of batch.servers) inPlaceServers.set(s.serverId, s);
      inPlaceMs.push(performance.now() - t);
    }
    const warm = (xs) => xs.slice(Math.min(5, xs.length - 1));
    return [
      {
        agents: n,
        'batch entities': 2 * n,
        rounds,
        'store p50 ms': round(percentile(warm(storeMs), 50), 2),
        'store p99 ms': round(percentile(warm(storeMs), 99), 2),
        'store first ms': round(storeMs[0], 2),
        'copy floor p50 ms': round(percentile(warm(floorMs), 50), 2),
        'copy floor p99 ms': round(percentile(warm(floorMs), 99), 2),
        'in-place floor p50 ms': round(percentile(warm(inPlaceMs), 50), 2),
        'in-place floor p99 ms': round(percentile(warm(inPlaceMs), 99), 2),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { agents: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '40' } },
  });
  const rows = await rendererStore({ agents: Number(values.agents), rounds: Number(values.rounds) });
  console.table(rows);
}
