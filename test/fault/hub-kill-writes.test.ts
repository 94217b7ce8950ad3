/**
 * Fault: the headless hub process is SIGKILLed at random moments while a console writes through the
 * bridge (configuration changes, profile edits, alert rules, mutes) and simulated agents connect,
 * apply the configurations sent over the WebSocket and report back. After each kill the hub is
 * started again on the same data folder: it must start, report no damaged file (a torn tail would be
 * repaired and reported), serve the bridge, and hold every change the bridge acknowledged before the
 * kill (a request in flight at the kill may or may not have landed; it was never acknowledged).
 * Longer runs: `node scripts/fault-long.mjs hub-kill --rounds 20`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentConfigDetail, AlertSettings, Profile } from '../../src-shared';
import { startNode, type Proc } from '../helpers/processes';
import {
  FAULT_AGENT_TOKEN,
  connectBridge,
  freePort,
  startHeadless,
  type BridgeClient,
  type HeadlessHub,
} from './headless-process';

const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 5);
const SIM_AGENTS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dataDir = mkdtempSync(join(tmpdir(), 'ac-fault-hubkill-'));
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the bridge acknowledged, newest value per key (writes to one key carry increasing seqs). */
interface Acked {
  config: Map<string, { revision: number; seq: number }>;
  profiles: Map<string, number>;
  rules: Map<string, number>;
  ruleIds: Map<string, string>;
  mutes: Set<string>;
}

/**
 * One write, chosen by seq; resolves after the bridge acknowledged it and records it in `acked`
 * (false: nothing written).
 */
async function write(bridge: BridgeClient, seq: number, acked: Acked): Promise<boolean> {
  const kind = seq % 10;
  if (kind < 5) {
    const agentId = `hk-${String((seq % SIM_AGENTS) + 1).padStart(5, '0')}`;
    const res = await bridge.request<{ revision: number }>('sendConfig', { agentId, config: { seq } });
    acked.config.set(agentId, { revision: res.revision, seq });
  } else if (kind < 8) {
    const name = `fault-${seq % 7}`;
    await bridge.request('saveProfile', { name, description: `seq ${seq}`, selector: {}, config: { seq } });
    acked.profiles.set(name, seq);
  } else if (kind === 8) {
    // At most 200 rules: 20 rules, each updated again and again (forSec carries the seq).
    const name = `fault rule ${seq % 20}`;
    const id = acked.ruleIds.get(name);
    const rule = await bridge.request<{ id: string }>('saveAlertRule', {
      ...(id ? { id } : {}),
      name,
      kind: 'cpu',
      threshold: 95,
      forSec: seq,
    });
    acked.ruleIds.set(name, rule.id);
    acked.rules.set(name, seq);
  } else if (seq > 9000) {
    return false; // at most 1,000 active mutes
  } else {
    const reason = `fault mute ${seq}`;
    await bridge.request('addMute', {
      target: { kind: 'agent', agentId: `hk-${seq}` },
      until: Date.now() + 3_600_000,
      reason,
    });
    acked.mutes.add(reason);
  }
  return true;
}

describe(`hub SIGKILLed during writes, ${ROUNDS} rounds`, () => {
  it(
    'restarts with every acknowledged change and nothing damaged',
    { timeout: 60_000 + ROUNDS * 30_000 },
    async () => {
      const gatewayPort = await freePort();
      const consolePort = await freePort();
      const env = { CENTRALIZER_GATEWAY_TLS: 'off', CENTRALIZER_LOG_LEVEL: 'info' };
      let hub: HeadlessHub | undefined;
      cleanup.push(() => hub?.kill());
      const sim: Proc = startNode(
        'dist/main/simulator.js',
        [
          '--url',
          `ws://127.0.0.1:${gatewayPort}`,
          '--token',
          FAULT_AGENT_TOKEN,
          '--count',
          String(SIM_AGENTS),
          '--prefix',
          'hk',
        ],
        {},
      );
      cleanup.push(() => sim.stop());

      const acked: Acked = {
        config: new Map(),
        profiles: new Map(),
        rules: new Map(),
        ruleIds: new Map(),
        mutes: new Set(),
      };
      let seq = 0;
      let ackedWrites = 0;
      let inFlightAtKills = 0;
      const startMs: number[] = [];
      const found = { config: 0, profiles: 0, rules: 0, mutes: 0 };
      let lost = 0;
      const damaged: string[] = [];

      for (let round = 0; round <= ROUNDS; round++) {
        const t0 = Date.now();
        hub = startHeadless({ dataDir, gatewayPort, consolePort, env });
        await hub.ready;
        startMs.push(Date.now() - t0);
        const bridge = await connectBridge(consolePort);

        // Everything acknowledged so far must be there.
        for (const [agentId, want] of acked.config) {
          const d = await bridge.request<AgentConfigDetail>('getAgentConfig', { agentId });
          const ok = d.desiredRevision >= want.revision && Number(d.override.seq) >= want.seq;
          if (ok) found.config++;
          else lost++;
        }
        const profiles = await bridge.request<Profile[]>('listProfiles');
        for (const [name, want] of acked.profiles) {
          const p = profiles.find((x) => x.name === name);
          if (p && Number(p.config.seq) >= want) found.profiles++;
          else lost++;
        }
        const alertSettings = await bridge.request<AlertSettings>('getAlertSettings');
        const ruleSeq = new Map<string, number>();
        for (const r of alertSettings.rules)
          ruleSeq.set(r.name, Math.max(ruleSeq.get(r.name) ?? 0, r.forSec));
        const muteReasons = new Set(alertSettings.mutes.map((m) => m.reason));
        for (const [name, want] of acked.rules)
          if ((ruleSeq.get(name) ?? -1) >= want) found.rules++;
          else lost++;
        for (const reason of acked.mutes)
          if (muteReasons.has(reason)) found.mutes++;
          else lost++;
        // The registry's open report is logged at info: present, and no damaged file kept aside.
        expect(hub.output()).toContain('registry loaded');
        if (/damaged|corrupt/i.test(hub.output())) damaged.push(`round ${round}: ${hub.output()}`);
        if (round === ROUNDS) {
          bridge.close();
          break;
        }

        // Writes, four in flight at a time, until a SIGKILL at a random moment.
        let writing = true;
        const writers = Array.from({ length: 4 }, async () => {
          while (writing) {
            const mine = ++seq;
            try {
              await write(bridge, mine, acked);
              ackedWrites++;
            } catch {
              if (!writing)
                inFlightAtKills++; // cut by the kill: never acknowledged
              else throw new Error(`write ${mine} failed while the hub was up`);
            }
          }
        });
        await sleep(500 + Math.random() * 2500);
        writing = false;
        await hub.kill('SIGKILL');
        await Promise.allSettled(writers);
        bridge.close();
      }

      const applied = await (async () => {
        // The simulated agents came back and applied their latest revisions over the WebSocket.
        const bridge = await connectBridge(consolePort);
        try {
          let inSync = 0;
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline) {
            inSync = 0;
            for (const [agentId, want] of acked.config) {
              const d = await bridge.request<AgentConfigDetail>('getAgentConfig', { agentId });
              if (d.reportedRevision >= want.revision) inSync++;
            }
            if (inSync === acked.config.size) break;
            await sleep(1000);
          }
          return inSync;
        } finally {
          bridge.close();
        }
      })();

      const row = (k: string, v: string | number) => `  ${k.padEnd(44)} ${v}`;
      console.log(
        [
          `[fault hub-kill] ${ROUNDS} SIGKILLs of the headless hub during writes, ${SIM_AGENTS} simulated agents`,
          row('writes acknowledged by the bridge', ackedWrites),
          row('writes cut by a kill (never acknowledged)', inFlightAtKills),
          row('hub start after a kill (ms, each)', startMs.join(', ')),
          row('checks after restarts: configs found', found.config),
          row('checks after restarts: profiles found', found.profiles),
          row('checks after restarts: alert rules found', found.rules),
          row('checks after restarts: mutes found', found.mutes),
          row('acknowledged changes lost', lost),
          row('agents at their latest revision at the end', `${applied} of ${acked.config.size}`),
          row('damaged files reported', damaged.length),
        ].join('\n'),
      );
      expect(lost).toBe(0);
      expect(damaged).toEqual([]);
      expect(ackedWrites).toBeGreaterThan(ROUNDS * 10);
      expect(applied).toBe(acked.config.size);
    },
  );
});
