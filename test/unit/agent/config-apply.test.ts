import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigReportSchema, type ConfigMessage } from '../../../src-shared/broker-protocol';
import {
  ConfigApplier,
  FileConfigStore,
  MemoryConfigStore,
  defaultConfigValidator,
  type ConfigStore,
  type StoredConfig,
} from '../../../src-agent/config-apply';
import { agentTopologyNames, maskAmqpUrl, maskSecrets, withHeartbeat } from '../../../src-agent/broker-link';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(os.tmpdir(), 'agent-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const msg = (revision: number, config: Record<string, unknown> = { level: revision }, agentId = 'a1') =>
  Buffer.from(
    JSON.stringify({
      type: 'config',
      agentId,
      revision,
      issuedAt: Date.now(),
      config,
    } satisfies ConfigMessage),
  );

describe('ConfigApplier', () => {
  it('applies newer revisions, ignores older or equal ones (latest wins)', async () => {
    const store = new MemoryConfigStore();
    const applier = new ConfigApplier({ agentId: 'a1', store });
    const applied = await applier.handle(msg(3));
    expect(applied).toMatchObject({ action: 'ack', outcome: 'applied', revision: 3 });
    if (applied.action !== 'ack' || applied.outcome !== 'applied') throw new Error('unreachable');
    expect(ConfigReportSchema.parse(applied.report)).toMatchObject({
      agentId: 'a1',
      revision: 3,
      status: 'applied',
    });
    expect(store.current).toMatchObject({ revision: 3, config: { level: 3 } });
    expect(applier.revision).toBe(3);

    for (const older of [3, 2, 1]) {
      expect(await applier.handle(msg(older))).toMatchObject({ action: 'ack', outcome: 'ignored' });
    }
    expect(store.current?.config).toEqual({ level: 3 });
    expect(await applier.handle(msg(7))).toMatchObject({ outcome: 'applied', revision: 7 });
  });

  it('starts from the stored revision', async () => {
    const initial: StoredConfig = { revision: 5, appliedAt: 1, config: {} };
    const applier = new ConfigApplier({ agentId: 'a1', store: new MemoryConfigStore(), initial });
    expect(applier.revision).toBe(5);
    expect(await applier.handle(msg(5))).toMatchObject({ outcome: 'ignored' });
    expect(await applier.handle(msg(6))).toMatchObject({ outcome: 'applied' });
  });

  it.each([
    ['not JSON', Buffer.from('{nope')],
    ['wrong type', Buffer.from(JSON.stringify({ type: 'nope' }))],
    ['another agent', msg(1, {}, 'someone-else')],
    ['too large', Buffer.alloc(300 * 1024, 0x20)],
  ])('rejects %s without requeue', async (_what, body) => {
    const applier = new ConfigApplier({ agentId: 'a1', store: new MemoryConfigStore() });
    expect(await applier.handle(body)).toMatchObject({ action: 'reject' });
  });

  it('refuses "reject": true and "rejectReason", and does not apply an older revision afterwards', async () => {
    const store = new MemoryConfigStore();
    const applier = new ConfigApplier({ agentId: 'a1', store });
    const r = await applier.handle(msg(2, { rejectReason: 'port 80 is taken' }));
    expect(r).toMatchObject({ action: 'ack', outcome: 'rejected', reason: 'port 80 is taken' });
    if (r.action !== 'ack' || r.outcome !== 'rejected') throw new Error('unreachable');
    expect(ConfigReportSchema.parse(r.report)).toMatchObject({
      status: 'rejected',
      revision: 2,
      error: 'port 80 is taken',
    });
    expect(store.current).toBeNull();
    expect(applier.revision).toBe(0);
    expect(await applier.handle(msg(1))).toMatchObject({ outcome: 'ignored' });
    expect(await applier.handle(msg(3, { reject: true }))).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('"reject": true') as unknown as string,
    });
    expect(defaultConfigValidator({ reject: false }, {} as ConfigMessage)).toBeNull();
  });

  it('uses a pluggable validator (a throwing one counts as a refusal)', async () => {
    const applier = new ConfigApplier({
      agentId: 'a1',
      store: new MemoryConfigStore(),
      validate: (config) => {
        if (config.boom) throw new Error('kaput');
        return config.ok === true ? null : 'ok must be true';
      },
    });
    expect(await applier.handle(msg(1, { ok: false }))).toMatchObject({ outcome: 'rejected' });
    expect(await applier.handle(msg(2, { boom: 1 }))).toMatchObject({
      outcome: 'rejected',
      reason: 'validator failed: kaput',
    });
    expect(await applier.handle(msg(3, { ok: true }))).toMatchObject({ outcome: 'applied' });
  });

  it('requeues once when storing fails, then reports rejected', async () => {
    let fail = true;
    const store: ConfigStore = {
      save: () => (fail ? Promise.reject(new Error('EROFS: read-only file system')) : Promise.resolve()),
    };
    const applier = new ConfigApplier({ agentId: 'a1', store });
    expect(await applier.handle(msg(4))).toMatchObject({ action: 'requeue', revision: 4 });
    const second = await applier.handle(msg(4));
    expect(second).toMatchObject({ action: 'ack', outcome: 'rejected' });
    if (second.action !== 'ack' || second.outcome !== 'rejected') throw new Error('unreachable');
    expect(second.report.error).toContain('EROFS');
    fail = false;
    expect(await applier.handle(msg(5))).toMatchObject({ outcome: 'applied' });
  });

  it('announce() calls onApplied and swallows its errors', () => {
    const seen: number[] = [];
    const a = new ConfigApplier({
      agentId: 'a1',
      store: new MemoryConfigStore(),
      onApplied: (s) => {
        seen.push(s.revision);
        throw new Error('listener bug');
      },
    });
    a.announce({ revision: 9, appliedAt: 0, config: {} });
    expect(seen).toEqual([9]);
  });
});

describe('FileConfigStore', () => {
  it('writes {revision, appliedAt, config} atomically with mode 0600 and loads it back', async () => {
    const file = join(dir, 'nested', 'config.json');
    const store = new FileConfigStore(file);
    expect(store.load()).toBeNull();
    await store.save({ revision: 2, appliedAt: 123, config: { a: 1 } });
    await store.save({ revision: 3, appliedAt: 456, config: { a: 2 } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ revision: 3, appliedAt: 456, config: { a: 2 } });
    expect(store.load()).toEqual({ revision: 3, appliedAt: 456, config: { a: 2 } });
    expect(readdirSync(join(dir, 'nested'))).toEqual(['config.json']); // no temp files left
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt file with a readable message', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{"revision": "x"}');
    expect(() => new FileConfigStore(file).load()).toThrow(/does not hold/);
    writeFileSync(file, 'garbage');
    expect(() => new FileConfigStore(file).load()).toThrow(/not valid JSON/);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)(
    'fails (and leaves no temp file) when the directory is read-only',
    async () => {
      chmodSync(dir, 0o500);
      try {
        const store = new FileConfigStore(join(dir, 'config.json'));
        await expect(store.save({ revision: 1, appliedAt: 0, config: {} })).rejects.toThrow(/EACCES/);
        expect(existsSync(join(dir, 'config.json'))).toBe(false);
      } finally {
        chmodSync(dir, 0o700);
      }
    },
  );
});

describe('broker helpers', () => {
  it('masks passwords', () => {
    expect(maskAmqpUrl('amqp://user:pa%40ss@host:5672/vh?heartbeat=5')).toBe('amqp://user:***@host:5672/vh');
    expect(maskAmqpUrl('amqp://host')).toBe('amqp://host');
    expect(maskSecrets('connect amqp://u:secret@h failed')).toBe('connect amqp://u:***@h failed');
  });

  it('adds a heartbeat unless the URL sets one', () => {
    expect(withHeartbeat('amqp://u:p@h:5672/v', 15)).toBe('amqp://u:p@h:5672/v?heartbeat=15');
    expect(withHeartbeat('amqp://h?heartbeat=5', 15)).toBe('amqp://h?heartbeat=5');
  });

  it('swaps the topology prefix like the hub', () => {
    expect(agentTopologyNames()).toMatchObject({
      eventsExchange: 'centralizer.events',
      commandsExchange: 'centralizer.commands',
    });
    const n = agentTopologyNames('t1');
    expect([n.eventsExchange, n.commandsExchange, n.agentQueue('a')]).toEqual([
      't1.events',
      't1.commands',
      't1.agent.a',
    ]);
  });
});
