/**
 * The built agent (`agent.js`, `agent.js run`) and simulator against a real broker (and, for the
 * long-running agent, the FakeHub WebSocket). Built into a private folder under .tmp/ (build-agent.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HelloSchema } from '../../src-shared/agent-protocol';
import { Headers, JobEventSchema } from '../../src-shared/broker-protocol';
import { ensureBroker, stopBroker } from '../helpers/broker';
import { BrokerFixture, waitUntil } from '../unit/agent/broker-fixture';
import { buildAgentEntries, runBuilt } from '../unit/agent/build-agent';
import { FakeHub } from '../unit/agent/fake-hub';

let build: { dir: string; cleanup: () => void };
let url: string;
let fx: BrokerFixture;
let stateDir: string;
const children: ChildProcess[] = [];
const cleanup: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  [build, url] = await Promise.all([buildAgentEntries(), ensureBroker()]);
}, 180_000);
afterAll(async () => {
  build?.cleanup();
  await stopBroker();
});
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function fixture(...agents: string[]): Promise<void> {
  fx = await new BrokerFixture(url).open();
  cleanup.push(() => fx.close());
  await fx.declareAgents(...agents);
  stateDir = mkdtempSync(join(os.tmpdir(), 'agent-broker-cli-'));
  cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
}

const run = (script: 'agent.js' | 'simulator.js', args: string[], env: NodeJS.ProcessEnv = {}) =>
  runBuilt(build.dir, script, args, { home: stateDir, env, children });

const jobs = (agentId: string) =>
  fx.events
    .filter((e) => e.event.type === 'job' && e.event.agentId === agentId)
    .map((e) => ({ ...e, event: JobEventSchema.parse(e.event) }));

describe('agent run', () => {
  it('publishes started + failed with the exit code and exits with it', async () => {
    await fixture();
    const agent = run(
      'agent.js',
      ['run', '--id', 'run-1', '--name', 'exit three', '--', process.execPath, '-e', 'process.exit(3)'],
      { AGENT_AMQP_URL: url, CENTRALIZER_TOPOLOGY_PREFIX: fx.prefix },
    );
    expect(await agent.exited).toEqual({ code: 3, signal: null });
    await waitUntil(() => jobs('run-1').length === 2, 10_000, 'two job events');
    const [started, failed] = jobs('run-1');
    expect(started!.event).toMatchObject({ event: 'started', name: 'exit three', agentId: 'run-1' });
    expect(failed!.event).toMatchObject({ event: 'failed', exitCode: 3, jobId: started!.event.jobId });
    expect(failed!.event.startedAt).toBe(started!.event.startedAt);
    for (const e of [started!, failed!]) {
      expect(e.routingKey).toBe('agent.run-1.job');
      expect(e.properties).toMatchObject({
        messageId: e.event.eventId,
        deliveryMode: 2,
        contentType: 'application/json',
        headers: { [Headers.agentId]: 'run-1' },
      });
    }
    expect(agent.stderr()).not.toContain('guest:guest');
  });

  it('publishes started + finished 0 for a successful command (id from the state dir)', async () => {
    await fixture();
    const agent = run(
      'agent.js',
      ['run', '--state-dir', stateDir, '--amqp-url', url, '--', process.execPath, '-e', '1'],
      { CENTRALIZER_TOPOLOGY_PREFIX: fx.prefix },
    );
    expect((await agent.exited).code).toBe(0);
    const id = readFileSync(join(stateDir, 'agent-id'), 'utf8').trim();
    await waitUntil(() => jobs(id).length === 2, 10_000, 'two job events');
    expect(jobs(id).map((e) => [e.event.event, e.event.exitCode])).toEqual([
      ['started', undefined],
      ['finished', 0],
    ]);
    expect(jobs(id)[0]!.event.name).toBe(`${process.execPath} -e 1`);
  });

  it('reports a command that cannot start as failed (127) and refuses bad usage (2)', async () => {
    await fixture();
    const agent = run('agent.js', ['run', '--id', 'run-3', '--', '/nonexistent/command-xyz'], {
      RABBITMQ_URL: url,
      CENTRALIZER_TOPOLOGY_PREFIX: fx.prefix,
    });
    expect((await agent.exited).code).toBe(127);
    await waitUntil(() => jobs('run-3').length === 1, 10_000, 'the failed event');
    expect(jobs('run-3')[0]!.event).toMatchObject({ event: 'failed', exitCode: 127 });
    expect(jobs('run-3')[0]!.event.message).toMatch(/ENOENT/);

    const noUrl = run('agent.js', ['run', '--id', 'x', '--', 'true']);
    expect((await noUrl.exited).code).toBe(2);
    expect(noUrl.stderr()).toContain('missing --amqp-url');
  });
});

describe('agent with --amqp-url', () => {
  it('applies a config: file, report, heartbeat with the revision; hello carries it after a restart', async () => {
    await fixture('cli-agent-1');
    const hub = new FakeHub({ metricsIntervalSec: 60 });
    await hub.start();
    cleanup.push(() => hub.stop());
    const args = ['--url', hub.url, '--token', hub.token, '--id', 'cli-agent-1', '--state-dir', stateDir];
    const env = { AGENT_AMQP_URL: url, CENTRALIZER_TOPOLOGY_PREFIX: fx.prefix };

    const first = run('agent.js', args, env);
    await hub.waitFor(() => hub.connections[0]?.hello !== undefined, 10_000, 'hello');
    expect(hub.connections[0]!.hello!.configRevision).toBe(0);
    await waitUntil(
      async () => (await fx.consumerCount(fx.names.agentQueue('cli-agent-1'))) === 1,
      10_000,
      'the config consumer',
    );
    await fx.publishConfig('cli-agent-1', 2, { logLevel: 'info' });
    await waitUntil(() => fx.eventsOf('config.report').length === 1, 10_000, 'the report');
    expect(fx.eventsOf('config.report')[0]).toMatchObject({ revision: 2, status: 'applied' });
    expect(JSON.parse(readFileSync(join(stateDir, 'config.json'), 'utf8'))).toMatchObject({
      revision: 2,
      config: { logLevel: 'info' },
    });
    await hub.waitFor(
      () => hub.connections[0]!.messages.some((m) => m.type === 'heartbeat' && m.configRevision === 2),
      5_000,
      'a heartbeat with revision 2',
    );
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(first.stderr()).toContain('config revision 2 applied');
    expect(first.stderr()).toContain('guest:***@');
    expect(first.stderr()).not.toContain('guest:guest');

    const second = run('agent.js', args, env);
    await hub.waitFor(() => hub.connections[1]?.hello !== undefined, 10_000, 'second hello');
    expect(HelloSchema.parse(hub.connections[1]!.messages[0]).configRevision).toBe(2);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
    await waitUntil(
      async () => (await fx.consumerCount(fx.names.agentQueue('cli-agent-1'))) === 0,
      5_000,
      'consumer gone',
    );
  });

  it('documents the broker options in --help', async () => {
    stateDir = mkdtempSync(join(os.tmpdir(), 'agent-broker-cli-'));
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const help = run('agent.js', ['--help']);
    expect((await help.exited).code).toBe(0);
    for (const word of ['--amqp-url', 'AGENT_AMQP_URL', '--config-file', 'agent.js run', '"rejectReason"'])
      expect(help.stdout()).toContain(word);
    const sim = run('simulator.js', ['--help']);
    expect((await sim.exited).code).toBe(0);
    expect(sim.stdout()).toContain('--consume-config');
    const bad = run('simulator.js', ['--url', 'ws://127.0.0.1:1', '--token', 't', '--count', '2', '--jobs']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toContain('need --amqp-url');
  });
});

describe('simulator CLI with --jobs', () => {
  it('publishes valid job events over one connection and stops cleanly on SIGTERM', async () => {
    await fixture();
    const hub = new FakeHub({ metricsIntervalSec: 60 });
    await hub.start();
    cleanup.push(() => hub.stop());
    const sim = run(
      'simulator.js',
      ['--url', hub.url, '--token', hub.token, '--count', '3', '--prefix', `${fx.prefix}-s`, '--jobs'],
      {
        AGENT_AMQP_URL: url,
        CENTRALIZER_TOPOLOGY_PREFIX: fx.prefix,
        SIM_JOB_INTERVAL: '0.2',
        SIM_JOB_STEP_MS: '20',
      },
    );
    await waitUntil(
      () => fx.eventsOf('job').filter((e) => e.event === 'finished').length >= 3,
      15_000,
      'jobs',
    );
    sim.child.kill('SIGTERM');
    expect((await sim.exited).code).toBe(0);
    expect(fx.invalidEvents).toEqual([]);
    for (const e of fx.eventsOf('job')) expect(JobEventSchema.safeParse(e).success).toBe(true);
    expect(sim.stderr()).toMatch(/\d+ jobs, \d+ events confirmed/);
  });
});
