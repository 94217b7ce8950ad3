/**
 * The built reference agent against the real hub: it enrolls with the enrollment token, keeps its
 * credential in a 0600 file in its state dir, uses it after a restart, waits while pending, and
 * stops for good (exit 3, clear message) when revoked — live, and again at its next start.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildAgentEntries, runBuilt, type BuiltRun } from '../unit/agent/build-agent';
import { startTestHub, TEST_TOKEN, waitFor, type TestHub } from '../helpers/hub';

let build: { dir: string; cleanup: () => void };
let t: TestHub;
let stateDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  build = await buildAgentEntries();
}, 120_000);
afterAll(() => build?.cleanup());

beforeEach(async () => {
  t = await startTestHub();
  stateDir = mkdtempSync(join(os.tmpdir(), 'agent-enroll-state-'));
});
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await t.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const agent = (): BuiltRun =>
  runBuilt(
    build.dir,
    'agent.js',
    ['--url', t.url, '--token', TEST_TOKEN, '--id', 'cli-1', '--state-dir', stateDir, '--no-config-schema'],
    { home: stateDir, children },
  );
const output = (run: BuiltRun) => run.stdout() + run.stderr();
const waitForOutput = (run: BuiltRun, pattern: RegExp, what: string) =>
  waitFor(() => pattern.test(output(run)), 15_000, what);
const presence = async () => (await t.snapshot()).agents.find((a) => a.agentId === 'cli-1')?.presence;

describe('reference agent enrollment', () => {
  it('enrolls once, keeps its credential (0600, hash only on the hub), and uses it after a restart', async () => {
    const first = agent();
    await waitForOutput(first, /enrolled: credential stored in .*credential/, 'enrolled line');
    await waitForOutput(first, /online \(metrics every/, 'online');
    const file = join(stateDir, 'credential');
    const credential = readFileSync(file, 'utf8').trim();
    expect(credential).toMatch(/^ac1_[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(output(first)).not.toContain(credential);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const hubFiles = readdirSync(t.dataDir, { recursive: true, encoding: 'utf8' })
      .map((f) => join(t.dataDir, f))
      .filter((f) => statSync(f).isFile());
    for (const f of hubFiles) expect(readFileSync(f, 'latin1')).not.toContain(credential);

    const second = agent();
    await waitForOutput(second, /online \(metrics every/, 'online again');
    expect(output(second)).not.toMatch(/enrolled/);
    expect(await presence()).toBe('online');
    second.child.kill('SIGTERM');
    await second.exited;
  }, 40_000);

  it('waits while pending, comes online once accepted', async () => {
    await t.hub.console.request('setApprovalMode', { enabled: true });
    const run = agent();
    await waitForOutput(run, /waiting for the operator to accept this agent/, 'pending');
    expect(await presence()).toBeUndefined();
    await t.hub.console.request('acceptAgent', { agentId: 'cli-1' });
    // The agent retries slowly (15–30 s with the default backoff): do not wait for that here, a
    // restart (e.g. by its service manager) picks the acceptance up at once with the same credential.
    run.child.kill('SIGTERM');
    await run.exited;
    const again = agent();
    await waitForOutput(again, /online \(metrics every/, 'online after acceptance');
    again.child.kill('SIGTERM');
    await again.exited;
  }, 40_000);

  it('revoked while online: closed with 4007, exits 3; at its next start: HTTP 403, exits 3', async () => {
    const run = agent();
    await waitForOutput(run, /online \(metrics every/, 'online');
    await t.hub.console.request('revokeAgent', { agentId: 'cli-1', purgeHistory: false });
    expect((await run.exited).code).toBe(3);
    expect(output(run)).toMatch(/4007 agent revoked by the operator/);

    const again = agent();
    expect((await again.exited).code).toBe(3);
    expect(output(again)).toMatch(/refused this agent's credential \(HTTP 403\): the agent was revoked/);
    // It did not fall back to enrolling again with the enrollment token.
    expect((await t.snapshot()).agents).toEqual([]);
  }, 40_000);
});
