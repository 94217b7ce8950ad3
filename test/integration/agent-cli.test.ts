/**
 * The built agent and simulator as real processes against a real ws hub (test/unit/agent/fake-hub.ts).
 * The entries are built first with the project's vite config into a private folder (see build-agent.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, HelloSchema, MetricsSchema } from '../../src-shared/agent-protocol';
import { buildAgentEntries, runBuilt } from '../unit/agent/build-agent';
import { FakeHub } from '../unit/agent/fake-hub';

let build: { dir: string; cleanup: () => void };
let hub: FakeHub;
let stateDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  build = await buildAgentEntries();
}, 120_000);
afterAll(() => build?.cleanup());

beforeEach(async () => {
  hub = new FakeHub({ token: 'cli-secret-token-42', metricsIntervalSec: 0.2 });
  await hub.start();
  stateDir = mkdtempSync(join(os.tmpdir(), 'agent-cli-state-'));
});
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await hub.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const run = (script: 'agent.js' | 'simulator.js', args: string[], env: NodeJS.ProcessEnv = {}) =>
  runBuilt(build.dir, script, args, { home: stateDir, env, children });

describe('agent CLI (node agent.js)', () => {
  it('connects, says hello, reports metrics, and exits 0 with close 1000 on SIGTERM', async () => {
    const agent = run('agent.js', [
      '--url',
      `ws://127.0.0.1:${hub.port}`,
      '--token',
      hub.token,
      '--name',
      'CLI agent',
      '--label',
      'env=test',
      '--label',
      'role=web',
      '--state-dir',
      stateDir,
    ]);
    await hub.waitFor(
      () => (hub.connections[0]?.metrics.length ?? 0) >= 2,
      10_000,
      'metrics from the CLI agent',
    );
    const conn = hub.connections[0]!;
    expect(conn.headers.authorization).toBe(`Bearer ${hub.token}`);
    expect(conn.invalid).toEqual([]);
    const hello = HelloSchema.parse(conn.messages[0]);
    const storedId = readFileSync(join(stateDir, 'agent-id'), 'utf8').trim();
    expect(hello).toMatchObject({
      agentId: storedId,
      name: 'CLI agent',
      hostname: os.hostname(),
      platform: process.platform,
      arch: process.arch,
      labels: { env: 'test', role: 'web' },
      configRevision: 0,
    });
    for (const { message } of conn.metrics) expect(MetricsSchema.safeParse(message).success).toBe(true);

    agent.child.kill('SIGTERM');
    const exit = await agent.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await conn.closed).code).toBe(CloseCode.NORMAL);
    const log = agent.stderr();
    expect(log).toContain('online (metrics every 0.2 s');
    expect(log).toContain('SIGTERM');
    expect(log).not.toContain(hub.token);
  });

  it('keeps the generated id across restarts, reads options from the environment', async () => {
    const env = {
      CENTRALIZER_URL: `ws://127.0.0.1:${hub.port}`,
      CENTRALIZER_TOKEN: hub.token,
      AGENT_STATE_DIR: stateDir,
      AGENT_LABELS: 'zone=eu,tier=1',
    };
    for (let i = 0; i < 2; i++) {
      const agent = run('agent.js', [], env);
      await hub.waitFor(() => hub.connections[i]?.hello !== undefined, 10_000, `hello ${i}`);
      agent.child.kill('SIGINT');
      expect((await agent.exited).code).toBe(0);
    }
    const [a, b] = hub.connections.map((c) => c.hello!);
    expect(a!.agentId).toBe(b!.agentId);
    expect(a!.labels).toEqual({ zone: 'eu', tier: '1' });
    expect(readFileSync(join(stateDir, 'agent-id'), 'utf8').trim()).toBe(a!.agentId);
  });

  it('exits 3 without retrying when replaced by another connection (4004)', async () => {
    const agent = run('agent.js', ['--url', hub.url, '--token', hub.token, '--id', 'dup-agent']);
    await hub.waitFor(() => hub.connections[0]?.hello !== undefined, 10_000, 'hello');
    expect(hub.connections[0]!.hello!.agentId).toBe('dup-agent');
    hub.connections[0]!.ws.close(CloseCode.REPLACED, 'replaced by a newer connection');
    expect((await agent.exited).code).toBe(3);
    expect(hub.connections).toHaveLength(1);
  });

  it('says so when the token is refused, never printing it', async () => {
    const agent = run('agent.js', ['--url', hub.url, '--token', 'wrong-secret-xyz', '--id', 'a1']);
    await hub.waitFor(() => hub.refused >= 1, 10_000, 'a refused upgrade');
    await new Promise((r) => setTimeout(r, 200));
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    expect(agent.stderr()).toContain('HTTP 401');
    expect(agent.stderr()).not.toContain('wrong-secret-xyz');
  });

  it('prints usage with --help (exit 0) and exits 2 on bad arguments', async () => {
    const help = run('agent.js', ['--help']);
    expect((await help.exited).code).toBe(0);
    expect(help.stdout()).toContain('Usage: node dist/main/agent.js');

    const bad = run('agent.js', ['--url', 'ws://127.0.0.1:1', '--token', 't', '--frobnicate']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toContain("Unknown option '--frobnicate'");

    const missing = run('agent.js', ['--token', 't']);
    expect((await missing.exited).code).toBe(2);
    expect(missing.stderr()).toContain('missing --url');
  });
});

describe('simulator CLI (node simulator.js)', () => {
  it('runs N agents over H hosts and exits 0 with close 1000 on SIGTERM', async () => {
    const sim = run('simulator.js', [
      '--url',
      `ws://127.0.0.1:${hub.port}`,
      '--token',
      hub.token,
      '--count',
      '12',
      '--hosts',
      '3',
      '--prefix',
      'cli',
      '--interval-jitter',
    ]);
    await hub.waitFor(
      () => hub.connections.length === 12 && hub.connections.every((c) => c.metrics.length >= 1),
      15_000,
      '12 agents reporting',
    );
    expect(new Set(hub.connections.map((c) => c.hello!.agentId)).size).toBe(12);
    expect(new Set(hub.connections.map((c) => c.hello!.hostname))).toEqual(
      new Set(['cli-host-001', 'cli-host-002', 'cli-host-003']),
    );
    expect(hub.connections.every((c) => c.invalid.length === 0)).toBe(true);
    sim.child.kill('SIGTERM');
    expect((await sim.exited).code).toBe(0);
    const closes = await Promise.all(hub.connections.map((c) => c.closed));
    expect(closes.every((c) => c.code === CloseCode.NORMAL)).toBe(true);
  });

  it('exits 2 on bad arguments', async () => {
    const bad = run('simulator.js', ['--url', 'ws://127.0.0.1:1', '--token', 't', '--count', 'many']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toContain('--count');
    const badAddress = run('simulator.js', [
      '--url',
      'ws://127.0.0.1:1',
      '--token',
      't',
      '--count',
      '1',
      '--local-address',
      'loopback-2',
    ]);
    expect((await badAddress.exited).code).toBe(2);
    expect(badAddress.stderr()).toContain('--local-address must be an IP address');
  });
});
