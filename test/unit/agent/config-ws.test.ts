/**
 * ConfigApplier.handleWs (the WebSocket half of the shared apply logic) and the configuration schema
 * the reference agent declares.
 */
import { describe, expect, it } from 'vitest';
import { AGENT_LIMITS, HelloSchema, type WsConfig } from '../../../src-shared/agent-protocol';
import type { ConfigMessage } from '../../../src-shared/broker-protocol';
import { ConfigApplier, MemoryConfigStore, type ConfigDecision } from '../../../src-agent/config-apply';
import {
  MAX_CONFIG_SCHEMA_BYTES,
  REFERENCE_CONFIG_SCHEMA,
  agentConfigValidator,
  checkConfigSchema,
  schemaBytes,
} from '../../../src-agent/config-schema';

const frame = (revision: number, config: unknown = { v: revision }) => {
  const f = { type: 'config', revision, issuedAt: Date.now(), config };
  return { f, bytes: Buffer.byteLength(JSON.stringify(f)) };
};
const ws = (applier: ConfigApplier, revision: number, config?: unknown) => {
  const { f, bytes } = frame(revision, config);
  return applier.handleWs(f, bytes);
};
const brokerBody = (revision: number, config: Record<string, unknown> = { v: revision }, agentId = 'a1') =>
  Buffer.from(
    JSON.stringify({
      type: 'config',
      agentId,
      revision,
      issuedAt: Date.now(),
      config,
    } satisfies ConfigMessage),
  );

const outcome = (d: ConfigDecision) =>
  d.action === 'ack'
    ? { outcome: d.outcome, revision: d.revision, repeat: 'repeat' in d ? d.repeat?.status : undefined }
    : { action: d.action };

describe('ConfigApplier.handleWs', () => {
  it('applies newer revisions, ignores older ones, repeats the report for the revision in force', async () => {
    const store = new MemoryConfigStore();
    const applier = new ConfigApplier({ agentId: 'a1', store });
    expect(outcome(await ws(applier, 2))).toEqual({ outcome: 'applied', revision: 2, repeat: undefined });
    expect(store.current).toMatchObject({ revision: 2, config: { v: 2 } });
    expect(outcome(await ws(applier, 1))).toEqual({ outcome: 'ignored', revision: 1, repeat: undefined });
    expect(outcome(await ws(applier, 2, { v: 'other' }))).toEqual({
      outcome: 'ignored',
      revision: 2,
      repeat: 'applied',
    });
    expect(store.current?.config).toEqual({ v: 2 });
  });

  it('repeats a refusal for the same revision, and refuses nothing older afterwards', async () => {
    const applier = new ConfigApplier({ agentId: 'a1', store: new MemoryConfigStore() });
    const r = await ws(applier, 3, { rejectReason: 'port 80 is taken' });
    expect(r).toMatchObject({ outcome: 'rejected', reason: 'port 80 is taken' });
    const again = await ws(applier, 3, { rejectReason: 'port 80 is taken' });
    expect(again).toMatchObject({
      outcome: 'ignored',
      repeat: { status: 'rejected', revision: 3, error: 'port 80 is taken' },
    });
    expect(await ws(applier, 2)).toMatchObject({ outcome: 'ignored' });
    expect(applier.revision).toBe(0);
  });

  it.each([
    ['an array', [1, 2], /"config" must be a JSON object, got an array/],
    ['a string', 'logLevel=debug', /got a string/],
    ['null', null, /got null/],
    ['missing', undefined, /got nothing/],
  ])('refuses a config that is %s, with a report', async (_what, config, reason) => {
    const applier = new ConfigApplier({ agentId: 'a1', store: new MemoryConfigStore() });
    const f: Record<string, unknown> = { type: 'config', revision: 4, issuedAt: 1 };
    if (config !== undefined) f.config = config;
    const d = await applier.handleWs(f, JSON.stringify(f).length);
    expect(d).toMatchObject({ action: 'ack', outcome: 'rejected', revision: 4 });
    if (d.action !== 'ack' || d.outcome !== 'rejected') throw new Error('unreachable');
    expect(d.reason).toMatch(reason);
    expect(d.report).toMatchObject({ status: 'rejected', revision: 4 });
  });

  it('refuses a message above the size the agent accepts, with a report', async () => {
    const applier = new ConfigApplier({
      agentId: 'a1',
      store: new MemoryConfigStore(),
      maxMessageBytes: 1000,
    });
    const d = await ws(applier, 1, { blob: 'x'.repeat(2000) });
    expect(d).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/exceeds the 1000 bytes this agent accepts/),
    });
    expect(outcome(await ws(applier, 2, { small: true }))).toMatchObject({ outcome: 'applied' });
  });

  it('cannot report a frame without a usable revision: reject (the client ignores it)', async () => {
    const applier = new ConfigApplier({ agentId: 'a1', store: new MemoryConfigStore() });
    for (const revision of [0, -1, 1.5, '3', undefined]) {
      const d = await applier.handleWs({ type: 'config', revision, config: {} }, 50);
      expect(d).toMatchObject({
        action: 'reject',
        reason: expect.stringMatching(/without a valid revision/),
      });
    }
    expect(
      await applier.handleWs({ type: 'config', revision: 1, issuedAt: 1, config: {}, extra: 1 }, 70),
    ).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/invalid config message/),
    });
  });

  it('one applier for both transports: a revision applied over one is not newer on the other', async () => {
    const store = new MemoryConfigStore();
    const applier = new ConfigApplier({ agentId: 'a1', store });
    expect(await applier.handle(brokerBody(5))).toMatchObject({ outcome: 'applied' });
    expect(outcome(await ws(applier, 5))).toMatchObject({ outcome: 'ignored', repeat: 'applied' });
    expect(await ws(applier, 6)).toMatchObject({ outcome: 'applied' });
    expect(await applier.handle(brokerBody(6))).toMatchObject({ outcome: 'ignored' });
  });

  it('serializes: the same revision over both paths at once is stored once', async () => {
    const saves: number[] = [];
    const applier = new ConfigApplier({
      agentId: 'a1',
      store: {
        save: async (state) => {
          await new Promise((r) => setTimeout(r, 20));
          saves.push(state.revision);
        },
      },
    });
    const results = await Promise.all([applier.handle(brokerBody(7)), ws(applier, 7), ws(applier, 6)]);
    expect(results.map((d) => (d.action === 'ack' ? d.outcome : d.action))).toEqual([
      'applied',
      'ignored',
      'ignored',
    ]);
    expect(saves).toEqual([7]);
  });
});

describe('reference configuration schema', () => {
  const validate = agentConfigValidator(REFERENCE_CONFIG_SCHEMA);
  const check = (config: Record<string, unknown>) => validate(config, {} as ConfigMessage);

  it('is small, fits in hello and is accepted by the contract', () => {
    expect(schemaBytes(REFERENCE_CONFIG_SCHEMA)).toBeLessThan(4 * 1024);
    expect(MAX_CONFIG_SCHEMA_BYTES).toBeLessThan(AGENT_LIMITS.maxHelloBytes);
    const hello = HelloSchema.parse({
      type: 'hello',
      protocol: 1,
      agentId: 'a',
      name: 'a',
      hostname: 'h',
      platform: 'linux',
      agentVersion: '1',
      configSchema: REFERENCE_CONFIG_SCHEMA,
    });
    expect(hello.configSchema).toEqual(REFERENCE_CONFIG_SCHEMA);
    expect(Object.isFrozen(REFERENCE_CONFIG_SCHEMA)).toBe(true);
  });

  it('accepts what the reference agent understands, and other keys', async () => {
    expect(
      await check({
        logLevel: 'debug',
        metricsLabels: { team: 'billing' },
        jobs: { backup: { command: '/usr/local/bin/backup', schedule: '0 2 * * *' } },
        somethingElse: { for: 'another agent kind' },
      }),
    ).toBeNull();
    expect(await check({})).toBeNull();
  });

  it('refuses wrong types with the field at fault, and keeps the reject test hooks', async () => {
    expect(await check({ logLevel: 'loud' })).toMatch(
      /^configuration does not match the agent's schema: \/logLevel: /,
    );
    expect(await check({ metricsLabels: { a: 1 } })).toMatch(/\/metricsLabels\/a: /);
    expect(await check({ jobs: { backup: { comand: 'x', schedule: '* * * * *' } } })).toMatch(
      /\/jobs\/backup/,
    );
    expect(await check({ reject: 'yes' })).toMatch(/\/reject: /);
    expect(await check({ reject: true })).toMatch(/"reject": true/);
    expect(await check({ rejectReason: 'no thanks' })).toBe('no thanks');
  });

  it('checkConfigSchema refuses what is not an object or too large', () => {
    expect(() => checkConfigSchema([])).toThrow(/JSON object/);
    expect(() => checkConfigSchema({ d: 'x'.repeat(MAX_CONFIG_SCHEMA_BYTES) })).toThrow(/at most/);
    expect(checkConfigSchema({ type: 'object' })).toEqual({ type: 'object' });
  });

  it('a frame built from WsConfig passes the applier with the schema validator', async () => {
    const applier = new ConfigApplier({ agentId: 'a1', store: new MemoryConfigStore(), validate });
    const f: WsConfig = { type: 'config', revision: 1, issuedAt: 1, config: { logLevel: 'warn' } };
    expect(await applier.handleWs(f, 80)).toMatchObject({ outcome: 'applied' });
    expect(await applier.handleWs({ ...f, revision: 2, config: { logLevel: 'LOUD' } }, 80)).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/\/logLevel/),
    });
  });
});
