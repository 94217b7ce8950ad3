/**
 * Fault: the broker is SIGKILLed and restarted K times while the hub streams configuration changes
 * to N agents' durable queues (outbox + confirms) and the agents publish job events (confirm
 * channel, retried across outages). Afterwards:
 *  - configuration: every agent applied its latest revision; every revision the broker confirmed
 *    was either applied or superseded by a newer one that was (the queues keep the latest only,
 *    `x-max-length` 1 + `drop-head`: latest wins); lost = 0; redeliveries absorbed by the agent's
 *    revision check (revision ≤ current → ignored);
 *  - job events: every confirmed event is in the hub exactly once (one job per event, unique ids),
 *    duplicates counted by the hub's eventId check; lost = 0.
 * The figures are printed as a table. Longer runs: `node scripts/fault-long.mjs broker-kill --kills 20`
 * (the same file, parameters from FAULT_* variables).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfigDetail } from '../../src-shared';
import { BrokerLink, agentTopologyNames } from '../../src-agent/broker-link';
import { ConfigApplier, MemoryConfigStore } from '../../src-agent/config-apply';
import { ConfigConsumer } from '../../src-agent/config-consumer';
import { EventPublisher, jobEvent } from '../../src-agent/event-publisher';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub';
import { startFaultBroker, type FaultBroker } from './fault-broker';

/** 3 in the suite: each restart of a node takes 5–18 s on the shared 2-core machine. */
const KILLS = Number(process.env.FAULT_BROKER_KILLS ?? 3);
const AGENTS = Number(process.env.FAULT_AGENTS ?? 20);
/** Pause between two steps of the stream (one config change + one job event per step). */
const STEP_MS = Number(process.env.FAULT_STEP_MS ?? 15);
/** Broker up this long between two kills. */
const UP_MS = Number(process.env.FAULT_UP_MS ?? 1500);
const PREFIX = `fault-kill-${process.pid}`;

let broker: FaultBroker;
let t: TestHub;
const stops: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  broker = await startFaultBroker();
  t = await startTestHub({
    RABBITMQ_URL: broker.url,
    CENTRALIZER_TOPOLOGY_PREFIX: PREFIX,
    CENTRALIZER_BROKER_RETRY_MAX_SEC: '1',
    CENTRALIZER_JOB_HISTORY_MAX: '100000',
  });
  await waitFor(async () => (await t.snapshot()).status.broker.state === 'connected', 30_000, 'connected');
}, 300_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await t?.close();
  await broker?.stop();
});

/** N simulated agents on one connection, wired like the simulator (one link, one publisher, one consumer). */
function agents(count: number) {
  const names = agentTopologyNames(PREFIX);
  const log = (): void => undefined;
  const link = new BrokerLink({
    url: broker.url,
    name: 'fault-agents',
    backoff: { initialMs: 50, maxMs: 500 },
    log,
  });
  const publisher = new EventPublisher(link, { names, log, retryMs: 100, maxQueued: 100_000 });
  const ids = Array.from({ length: count }, (_, i) => `fk-${i}`);
  const applied = new Map<string, Set<number>>(ids.map((id) => [id, new Set<number>()]));
  let deliveries = 0;
  let ignored = 0;
  const appliers = ids.map(
    (agentId) =>
      new ConfigApplier({
        agentId,
        store: new MemoryConfigStore(),
        onApplied: (s) => applied.get(agentId)!.add(s.revision),
      }),
  );
  const consumer = new ConfigConsumer(link, publisher, appliers, {
    names,
    log,
    onDecision: (_id, decision) => {
      deliveries++;
      if (decision.action === 'ack' && decision.outcome === 'ignored') ignored++;
    },
  });
  publisher.start();
  consumer.start();
  link.start();
  stops.push(async () => {
    consumer.stop();
    publisher.stop();
    await link.stop();
  });
  return {
    ids,
    link,
    publisher,
    appliers,
    applied,
    counts: () => ({ deliveries, ignored }),
  };
}

describe(`broker SIGKILLed and restarted ${KILLS} times during a stream`, () => {
  it(
    'loses no confirmed configuration or job event and absorbs duplicates',
    { timeout: 90_000 + KILLS * 45_000 },
    async () => {
      const fleet = agents(AGENTS);
      await waitFor(() => fleet.link.state === 'connected', 30_000, 'agents connected');

      // The stream: one configuration change (round robin over the agents) and one job event per step.
      let running = true;
      let configsSent = 0;
      const latest = new Map<string, number>();
      const jobIds: string[] = [];
      const jobConfirms: Promise<void>[] = [];
      stops.push(() => (running = false)); // a timed-out test must not keep writing into a closed hub
      const stream = (async () => {
        for (let step = 0; running; step++) {
          const agentId = fleet.ids[step % fleet.ids.length]!;
          const res = (await t.hub.console.request('sendConfig', { agentId, config: { step } })) as {
            revision: number;
          };
          configsSent++;
          latest.set(agentId, res.revision);
          const jobId = `job-${step}`;
          jobIds.push(jobId);
          jobConfirms.push(
            fleet.publisher.publish(
              jobEvent({ event: 'finished', agentId, jobId, name: 'fault', exitCode: 0 }),
            ),
          );
          await new Promise((r) => setTimeout(r, STEP_MS));
        }
      })();

      // The ledger keeps the last 20 revisions per agent: poll it during the run so every revision the
      // broker confirmed (deliveredAt set) is seen, even after newer ones pushed it out.
      const confirmedSeen = new Map<string, Set<number>>(fleet.ids.map((id) => [id, new Set<number>()]));
      const pollLedger = async (): Promise<void> => {
        for (const agentId of fleet.ids) {
          const detail = (await t.hub.console.request('getAgentConfig', { agentId })) as AgentConfigDetail;
          for (const entry of detail.ledger)
            if (entry.deliveredAt !== undefined) confirmedSeen.get(agentId)!.add(entry.revision);
        }
      };
      const poller = setInterval(() => void pollLedger(), 400);
      stops.push(() => clearInterval(poller));

      const outages: { restartMs: number; reconnectMs: number }[] = [];
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, UP_MS));
        await broker.kill();
        await new Promise((r) => setTimeout(r, 300));
        const t0 = Date.now();
        await broker.restart();
        const t1 = Date.now();
        await waitFor(
          async () => (await t.snapshot()).status.broker.state === 'connected',
          30_000,
          'hub back',
        );
        outages.push({ restartMs: t1 - t0, reconnectMs: Date.now() - t1 });
      }
      await new Promise((r) => setTimeout(r, UP_MS));
      running = false;
      await stream;

      // Drain: the outbox empties (every latest revision confirmed), the agents confirm their events.
      await waitFor(async () => (await t.snapshot()).status.configOutbox === 0, 30_000, 'outbox empty');
      expect(await fleet.publisher.waitIdle(30_000)).toBe(true);
      await Promise.all(jobConfirms);
      await waitFor(
        () => fleet.appliers.every((a) => a.revision === latest.get(a.agentId)),
        30_000,
        'every agent at its latest revision',
      );
      await waitFor(
        async () => (await t.snapshot()).status.jobs.eventsProcessed >= jobIds.length,
        30_000,
        'every job event consumed',
      );

      // Configuration accounting, revision by revision, from the hub's ledger.
      clearInterval(poller);
      await pollLedger();
      let confirmed = 0;
      let appliedConfirmed = 0;
      let superseded = 0;
      let lost = 0;
      for (const agentId of fleet.ids) {
        const applied = fleet.applied.get(agentId)!;
        const newestApplied = Math.max(0, ...applied);
        for (const revision of confirmedSeen.get(agentId)!) {
          confirmed++;
          if (applied.has(revision)) appliedConfirmed++;
          else if (newestApplied > revision) superseded++;
          else lost++;
        }
        expect(newestApplied).toBe(latest.get(agentId));
      }
      const { deliveries, ignored } = fleet.counts();
      const appliedTotal = [...fleet.applied.values()].reduce((n, s) => n + s.size, 0);

      // Job events: exactly one job per event id, none missing.
      const snap = await t.snapshot();
      const jobs = snap.jobs.filter((j) => j.agentId.startsWith('fk-'));
      const seen = new Set(jobs.map((j) => j.jobId));
      const jobsLost = jobIds.filter((id) => !seen.has(id)).length;
      const stats = snap.status.jobs;

      const row = (k: string, v: string | number) => `  ${k.padEnd(52)} ${v}`;
      console.log(
        [
          `[fault broker-kill] ${KILLS} broker SIGKILLs, ${AGENTS} agents, step ${STEP_MS} ms`,
          row('broker restart (ms, each)', outages.map((o) => o.restartMs).join(', ')),
          row('hub reconnected after restart (ms, each)', outages.map((o) => o.reconnectMs).join(', ')),
          row('config changes sent (acknowledged)', configsSent),
          row('config revisions published + confirmed', confirmed),
          row('config revisions applied by agents', appliedTotal),
          row('  of the confirmed: applied', appliedConfirmed),
          row('  of the confirmed: superseded (latest wins)', superseded),
          row('config lost (confirmed, never applied nor superseded)', lost),
          row('config deliveries to agents', deliveries),
          row('config duplicates absorbed (revision ≤ current)', ignored),
          row('job events published + confirmed', jobIds.length),
          row('job events processed by the hub (unique)', stats.eventsProcessed),
          row('job events redelivered, absorbed by eventId', stats.duplicates),
          row('agent events nacked by the broker (resent)', fleet.publisher.counters.nacked),
          row('job events lost', jobsLost),
        ].join('\n'),
      );

      expect(lost).toBe(0);
      expect(confirmed).toBeGreaterThan(0);
      expect(jobsLost).toBe(0);
      expect(jobs.length).toBe(jobIds.length); // one record per event, no duplicate job
      expect(stats.eventsProcessed).toBe(jobIds.length);
      expect(outages.length).toBe(KILLS);
    },
  );
});
