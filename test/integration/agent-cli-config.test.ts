/**
 * The built agent and simulator as real processes: configuration schema in hello (--config-schema,
 * --no-config-schema, the built-in one), configuration over the WebSocket written to config.json,
 * simulator --schema / --reject. Against the test hub in test/unit/agent/fake-hub.ts; the entries
 * are built into a private folder under .tmp/ (see build-agent.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CONFIG_SCHEMA_BYTES, REFERENCE_CONFIG_SCHEMA } from '../../src-agent/config-schema';
import { buildAgentEntries, runBuilt } from '../unit/agent/build-agent';
import { FakeHub, type HubConnection } from '../unit/agent/fake-hub';

let build: { dir: string; cleanup: () => void };
let hub: FakeHub;
let stateDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  build = await buildAgentEntries();
}, 120_000);
afterAll(() => build?.cleanup());

beforeEach(async () => {
  hub = new FakeHub({ token: 'cli-config-token-7', metricsIntervalSec: 0.2 });
  await hub.start();
  stateDir = mkdtempSync(join(os.tmpdir(), 'agent-cli-config-'));
});
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await hub.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const run = (script: 'agent.js' | 'simulator.js', args: string[], env: NodeJS.ProcessEnv = {}) =>
  runBuilt(build.dir, script, args, { home: stateDir, env, children });

const agentArgs = (...extra: string[]) => [
  '--url',
  `ws://127.0.0.1:${hub.port}`,
  '--state-dir',
  stateDir,
  '--id',
  'cli-cfg-1',
  ...extra,
];
const env = () => ({ CENTRALIZER_TOKEN: hub.token });

async function helloOf(index: number): Promise<HubConnection> {
  await hub.waitFor(() => hub.connections[index]?.hello !== undefined, 10_000, 'hello');
  return hub.connections[index]!;
}

async function stop(p: ReturnType<typeof run>): Promise<void> {
  p.child.kill('SIGTERM');
  expect((await p.exited).code).toBe(0);
}

describe('agent CLI: configuration schema and WebSocket configuration', () => {
  it('declares the built-in schema by default, applies a WS config to config.json and reports it', async () => {
    const agent = run('agent.js', agentArgs(), env());
    const conn = await helloOf(0);
    expect(conn.hello!.configSchema).toEqual(REFERENCE_CONFIG_SCHEMA);
    expect(conn.hello!.configRevision).toBe(0);
    await hub.waitFor(() => conn.metrics.length > 0, 10_000, 'online');

    hub.sendConfig(conn, 3, { logLevel: 'debug', jobs: { backup: { command: 'tar', schedule: '@daily' } } });
    hub.sendConfig(conn, 2, { logLevel: 'error' });
    hub.sendConfig(conn, 4, { logLevel: 'shouty' });
    await hub.waitFor(() => conn.reports.length === 2, 10_000, 'two reports');
    expect(conn.reports.map((r) => [r.revision, r.status])).toEqual([
      [3, 'applied'],
      [4, 'rejected'],
    ]);
    expect(conn.reports[1]!.error).toMatch(/does not match the agent's schema: \/logLevel/);
    const file = join(stateDir, 'config.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      revision: 3,
      config: { logLevel: 'debug' },
    });
    await hub.waitFor(() => conn.metrics.some((m) => m.message.configRevision === 3), 10_000, 'rev 3');
    expect(agent.stderr()).toContain('config revision 3 applied (websocket)');
    expect(agent.stderr()).toContain('config revision 4 rejected (websocket)');
    await stop(agent);

    // Restarted: hello says revision 3, and the same revision again is reported applied (ledger closes).
    const again = run('agent.js', agentArgs(), env());
    const conn2 = await helloOf(1);
    expect(conn2.hello!.configRevision).toBe(3);
    hub.sendConfig(conn2, 3, { logLevel: 'debug' });
    await hub.waitFor(() => conn2.reports.length === 1, 10_000, 're-report');
    expect(conn2.reports[0]).toMatchObject({ revision: 3, status: 'applied' });
    expect(conn2.invalid).toEqual([]);
    await stop(again);
  });

  it('--config-schema FILE / AGENT_CONFIG_SCHEMA declare that schema; --no-config-schema none', async () => {
    const file = join(stateDir, 'schema.json');
    const custom = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { port: { type: 'integer', minimum: 1, maximum: 65535 } },
      required: ['port'],
    };
    writeFileSync(file, JSON.stringify(custom, null, 2));

    const a = run('agent.js', agentArgs('--config-schema', file), env());
    const c0 = await helloOf(0);
    expect(c0.hello!.configSchema).toEqual(custom);
    await hub.waitFor(() => c0.metrics.length > 0, 10_000, 'online');
    hub.sendConfig(c0, 1, { port: 'eighty' });
    hub.sendConfig(c0, 2, { port: 8080 });
    await hub.waitFor(() => c0.reports.length === 2, 10_000, 'reports');
    expect(c0.reports.map((r) => r.status)).toEqual(['rejected', 'applied']);
    expect(c0.reports[0]!.error).toMatch(/\/port/);
    await stop(a);

    const b = run('agent.js', agentArgs(), { ...env(), AGENT_CONFIG_SCHEMA: file });
    expect((await helloOf(1)).hello!.configSchema).toEqual(custom);
    await stop(b);

    const c = run('agent.js', agentArgs('--no-config-schema'), { ...env(), AGENT_CONFIG_SCHEMA: file });
    const c2 = await helloOf(2);
    expect(c2.hello!.configSchema).toBeUndefined();
    expect(c.stderr()).toContain('no configuration schema declared');
    await stop(c);
  });

  it.each([
    [
      'larger than the limit',
      JSON.stringify({ type: 'object', description: 'x'.repeat(MAX_CONFIG_SCHEMA_BYTES) }),
    ],
    ['not a JSON object', '["type", "object"]'],
    ['not JSON', '{type: object}'],
  ])('exits 2 with a clear message for a schema file %s', async (_what, text) => {
    const file = join(stateDir, 'schema.json');
    writeFileSync(file, text);
    const agent = run('agent.js', agentArgs('--config-schema', file), env());
    expect((await agent.exited).code).toBe(2);
    expect(agent.stderr()).toMatch(/^agent: --config-schema: .*schema\.json/);
    expect(agent.stderr()).toMatch(/at most \d+ fit in hello|must hold a JSON object|not valid JSON/);
    expect(hub.connections).toHaveLength(0);
  });
});

describe('simulator CLI: --schema, --reject', () => {
  it('--count 10 --reject 3 --schema: hellos carry the schema, three agents refuse', async () => {
    const sim = run('simulator.js', [
      '--url',
      `ws://127.0.0.1:${hub.port}`,
      '--token',
      hub.token,
      '--count',
      '10',
      '--schema',
      '--reject',
      '3',
    ]);
    await hub.waitFor(
      () => hub.connections.filter((c) => c.metrics.length > 0).length === 10,
      15_000,
      'online',
    );
    expect(hub.connections.every((c) => c.hello?.configSchema !== undefined)).toBe(true);
    for (const conn of hub.connections) hub.sendConfig(conn, 1, { logLevel: 'info' });
    await hub.waitFor(() => hub.connections.every((c) => c.reports.length === 1), 10_000, 'reports');
    const refused = hub.connections.filter((c) => c.reports[0]!.status === 'rejected');
    expect(refused.map((c) => c.hello!.agentId).sort()).toEqual(['sim-00001', 'sim-00002', 'sim-00003']);
    expect(refused[0]!.reports[0]!.error).toMatch(
      /^simulated agent sim-0000[123] refuses configurations \(--reject\)$/,
    );
    await stop(sim);
  });

  it('refuses --reject beyond --count', async () => {
    const sim = run('simulator.js', [
      '--url',
      'ws://127.0.0.1:1',
      '--token',
      't',
      '--count',
      '5',
      '--reject',
      '6',
    ]);
    expect((await sim.exited).code).toBe(2);
    expect(sim.stderr()).toContain('--reject must be an integer from 0 to 5');
  });
});
