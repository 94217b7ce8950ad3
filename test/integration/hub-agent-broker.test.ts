/**
 * Real agent processes (the built reference agent) with the hub and a real broker: a wrapped
 * command's lifecycle shows up as a job, and a configuration sent from the console is applied by
 * the agent, written to its file and reported back.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBroker } from '../helpers/broker';
import { startTestHub, TEST_TOKEN, waitFor, type TestHub } from '../helpers/hub';
import { ROOT, startNode, type Proc } from '../helpers/processes';

const PREFIX = `realagent-${process.pid}`;
let url: string;
let t: TestHub;
let dir: string;
const procs: Proc[] = [];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/agent.js')))
    throw new Error('build first: npm run build (npm test does it)');
  url = await ensureBroker();
  dir = mkdtempSync(join(tmpdir(), 'ac-real-agent-'));
  t = await startTestHub({
    RABBITMQ_URL: url,
    CENTRALIZER_TOPOLOGY_PREFIX: PREFIX,
    CENTRALIZER_BROKER_RETRY_MAX_SEC: '1',
  });
  await waitFor(
    async () => (await t.snapshot()).status.broker.state === 'connected',
    15_000,
    'broker connected',
  );
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const agentEnv = { CENTRALIZER_TOPOLOGY_PREFIX: PREFIX };

describe('a real agent process with the hub and the broker', () => {
  it('runs a command as a job: running, then finished with its exit code', async () => {
    const run = startNode(
      'dist/main/agent.js',
      [
        'run',
        '--name',
        'real-backup',
        '--id',
        'real-jobs',
        '--state-dir',
        join(dir, 'jobs'),
        '--amqp-url',
        url,
        '--',
        process.execPath,
        '-e',
        'setTimeout(() => process.exit(0), 1500)',
      ],
      agentEnv,
    );
    procs.push(run);
    const running = await waitFor(
      () => t.deltas.flatMap((d) => d.jobs).find((j) => j.agentId === 'real-jobs' && j.state === 'running'),
      10_000,
      'running',
    );
    expect(running.name).toBe('real-backup');
    const finished = await waitFor(
      async () => (await t.snapshot()).jobs.find((j) => j.key === running.key && j.state !== 'running'),
      10_000,
      'finished',
    );
    expect(finished).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect(finished.durationMs).toBeGreaterThanOrEqual(1000);
    await waitFor(() => run.child.exitCode !== null, 10_000, 'exit');
    expect(await run.stop()).toBe(0);
  });

  it('reports a failing command as failed with its exit code, and exits with it', async () => {
    const run = startNode(
      'dist/main/agent.js',
      [
        'run',
        '--name',
        'real-fail',
        '--id',
        'real-jobs',
        '--state-dir',
        join(dir, 'jobs'),
        '--amqp-url',
        url,
        '--',
        process.execPath,
        '-e',
        'process.exit(3)',
      ],
      agentEnv,
    );
    procs.push(run);
    const failed = await waitFor(
      async () => (await t.snapshot()).jobs.find((j) => j.name === 'real-fail' && j.state === 'failed'),
      10_000,
      'failed',
    );
    expect(failed.exitCode).toBe(3);
    await waitFor(() => run.child.exitCode !== null, 10_000, 'exit');
    expect(await run.stop()).toBe(3);
  });

  it('applies a configuration sent from the console and reports the revision it runs', async () => {
    const configFile = join(dir, 'cfg', 'config.json');
    const agent = startNode(
      'dist/main/agent.js',
      [
        '--url',
        t.url,
        '--token',
        TEST_TOKEN,
        '--id',
        'real-config',
        '--state-dir',
        join(dir, 'cfg'),
        '--config-file',
        configFile,
        '--amqp-url',
        url,
      ],
      agentEnv,
    );
    procs.push(agent);
    await waitFor(
      async () =>
        (await t.snapshot()).agents.find((a) => a.agentId === 'real-config' && a.presence === 'online'),
      10_000,
      'online',
    );
    const { revision } = (await t.hub.console.request('sendConfig', {
      agentId: 'real-config',
      config: { logLevel: 'debug' },
    })) as { revision: number };
    await waitFor(
      async () =>
        (await t.snapshot()).agents.find((a) => a.agentId === 'real-config' && a.configRevision === revision),
      10_000,
      'applied revision',
    );
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toMatchObject({
      revision,
      config: { logLevel: 'debug' },
    });
  });
});
