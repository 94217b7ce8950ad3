import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/hub/configs/config-service';
import { configWorld } from '../../helpers/config-fixture';

describe('desired configuration and revisions', () => {
  it('gives a new revision only when the effective configuration changes', () => {
    const w = configWorld();
    w.addAgent('a1');
    expect(w.service.setOverride('a1', { level: 'info' })).toEqual({
      agentId: 'a1',
      revision: 1,
      changed: true,
    });
    expect(w.service.setOverride('a1', { level: 'info' })).toEqual({
      agentId: 'a1',
      revision: 1,
      changed: false,
    });
    expect(w.service.setOverride('a1', { level: 'debug' }).revision).toBe(2);
    expect(w.broker.map((b) => b.revision)).toEqual([1, 2]);
    const detail = w.service.detail('a1');
    expect(detail.revisions.map((r) => r.revision)).toEqual([2, 1]);
    expect(detail.ledger.map((l) => [l.revision, l.state])).toEqual([
      [2, 'queued'],
      [1, 'superseded'],
    ]);
    expect(detail.status).toBe('pending');
  });

  it('merges profiles (by label selector and by assignment, in name order) under the override', () => {
    const w = configWorld();
    w.addAgent('web-1', { labels: { role: 'web' } });
    w.addAgent('db-1', { labels: { role: 'db' } });
    w.service.saveProfile({
      name: 'base',
      description: '',
      selector: { role: 'web' },
      config: { level: 'info', port: 80 },
    });
    w.service.saveProfile({ name: 'tls', description: '', selector: {}, config: { port: 443, tls: true } });
    expect(w.service.detail('web-1').effective).toEqual({ level: 'info', port: 80 });
    expect(w.service.detail('db-1').revisions).toHaveLength(0); // not selected: no revision
    w.service.bulk({ agentIds: ['web-1'] }, { kind: 'assignProfile', profile: 'tls' });
    w.service.setOverride('web-1', { level: 'debug', tls: null });
    const d = w.service.detail('web-1');
    expect(d.profiles).toEqual([
      { name: 'base', via: 'selector' },
      { name: 'tls', via: 'assigned' },
    ]);
    expect(d.effective).toEqual({ level: 'debug', port: 443 });
    expect(d.desiredRevision).toBe(3);
  });

  it('re-revisions only the agents a profile change affects', () => {
    const w = configWorld();
    w.addAgent('a', { labels: { env: 'prod' } });
    w.addAgent('b', { labels: { env: 'dev' } });
    w.service.saveProfile({ name: 'prod', description: '', selector: { env: 'prod' }, config: { x: 1 } });
    w.service.setOverride('b', { y: 1 });
    expect(
      w.service.saveProfile({ name: 'prod', description: '', selector: { env: 'prod' }, config: { x: 2 } }),
    ).toEqual({ affected: 1 });
    expect(w.service.summary('a').desiredRevision).toBe(2);
    expect(w.service.summary('b').desiredRevision).toBe(1);
  });
});

describe('ledger and status', () => {
  it('goes queued → delivered → applied, and in sync', () => {
    const w = configWorld();
    w.addAgent('a1');
    w.service.setOverride('a1', { v: 1 });
    w.service.delivered('a1', 1);
    expect(w.service.detail('a1').ledger[0]?.state).toBe('delivered');
    w.apply('a1', 1);
    const entry = w.service.detail('a1').ledger[0];
    expect(entry).toMatchObject({ state: 'applied', path: 'broker' });
    expect(entry?.queuedAt).toBeLessThan(entry?.deliveredAt as number);
    expect(entry?.deliveredAt).toBeLessThan(entry?.appliedAt as number);
    expect(w.service.summary('a1')).toEqual({ status: 'in_sync', desiredRevision: 1, reportedRevision: 1 });
  });

  it('shows a rejection as failed with the agent error', () => {
    const w = configWorld();
    w.addAgent('a1');
    w.service.setOverride('a1', { v: 1 });
    w.service.report('a1', 1, 'rejected', 'port out of range');
    expect(w.service.summary('a1').status).toBe('failed');
    expect(w.service.detail('a1').ledger[0]).toMatchObject({ state: 'rejected', error: 'port out of range' });
  });

  it('detects drift when the agent runs another revision, and a re-send fixes it with a new revision', () => {
    const w = configWorld();
    w.addAgent('a1');
    w.service.setOverride('a1', { v: 1 });
    w.apply('a1', 1);
    (w.agents.get('a1') as { reportedRevision: number }).reportedRevision = 0; // someone replaced its local file
    expect(w.service.summary('a1').status).toBe('drift');
    expect(w.service.resend('a1')).toEqual({ agentId: 'a1', revision: 2 });
    expect(w.broker.at(-1)).toMatchObject({ revision: 2, config: { v: 1 } });
    w.apply('a1', 2);
    expect(w.service.summary('a1').status).toBe('in_sync');
  });

  it('ignores duplicate and unknown reports', () => {
    const w = configWorld();
    w.addAgent('a1');
    w.service.setOverride('a1', { v: 1 });
    w.apply('a1', 1);
    const audit = w.persistence.audit.length;
    w.service.report('a1', 1, 'applied');
    w.service.report('a1', 99, 'applied');
    expect(w.persistence.audit.length).toBe(audit);
  });
});

describe('WebSocket delivery (no broker): latest wins', () => {
  it('sends an offline agent only the newest revision, once, when it connects', () => {
    const w = configWorld({ viaBroker: false });
    w.addAgent('a1', { presence: 'offline' });
    w.service.setOverride('a1', { v: 1 });
    w.service.setOverride('a1', { v: 2 });
    w.service.setOverride('a1', { v: 3 });
    expect(w.ws).toHaveLength(0);
    (w.agents.get('a1') as { presence: string }).presence = 'online';
    w.service.agentConnected('a1');
    expect(w.ws).toEqual([{ agentId: 'a1', revision: 3, config: { v: 3 } }]);
    w.apply('a1', 3);
    w.service.agentConnected('a1'); // reconnects later: nothing to send
    expect(w.ws).toHaveLength(1);
    expect(w.service.detail('a1').ledger.map((l) => [l.revision, l.state, l.path])).toEqual([
      [3, 'applied', 'websocket'],
      [2, 'superseded', 'websocket'],
      [1, 'superseded', 'websocket'],
    ]);
  });

  it('sends at once to an online agent', () => {
    const w = configWorld({ viaBroker: false });
    w.addAgent('a1');
    w.service.setOverride('a1', { v: 1 });
    expect(w.ws).toEqual([{ agentId: 'a1', revision: 1, config: { v: 1 } }]);
    expect(w.service.detail('a1').ledger[0]?.state).toBe('delivered');
  });
});

describe('bulk changes', () => {
  it('patches 50 agents, tracks N of M applied and failures, and retries the failed ones', () => {
    const w = configWorld();
    for (let i = 0; i < 50; i++) w.addAgent(`sim-${i}`, { labels: { fleet: 'sim' } });
    const bulk = w.service.bulk(
      { filter: { labels: { fleet: 'sim' } } },
      { kind: 'patch', patch: { interval: 10 } },
    );
    expect(bulk).toMatchObject({ total: 50, pending: 50, applied: 0, done: false });
    for (let i = 0; i < 50; i++) {
      if (i < 3) w.service.report(`sim-${i}`, 1, 'rejected', 'interval too small');
      else w.apply(`sim-${i}`, 1);
    }
    const after = w.service.bulkView(bulk.bulkId);
    expect(after).toMatchObject({ applied: 47, pending: 0, done: true });
    expect(after.failed.map((f) => f.agentId)).toEqual(['sim-0', 'sim-1', 'sim-2']);
    expect(after.failed[0]?.error).toBe('interval too small');
    const retried = w.service.retryBulk(bulk.bulkId);
    expect(retried).toMatchObject({ pending: 3, failed: [] });
    for (let i = 0; i < 3; i++) w.apply(`sim-${i}`, 2);
    expect(w.service.bulkView(bulk.bulkId)).toMatchObject({ applied: 50, failed: [], done: true });
    expect(w.changedBulks.has(bulk.bulkId)).toBe(true);
  });

  it('counts agents that already had the change as unchanged', () => {
    const w = configWorld();
    w.addAgent('a');
    w.addAgent('b');
    w.service.setOverride('a', { x: 1 });
    const bulk = w.service.bulk({ agentIds: ['a', 'b'] }, { kind: 'patch', patch: { x: 1 } });
    expect(bulk).toMatchObject({ total: 2, unchanged: 1, pending: 1 });
  });

  it('writes a bulk change of 1,000 agents in one durable batch', () => {
    const w = configWorld();
    for (let i = 0; i < 1000; i++) w.addAgent(`n-${i}`);
    const before = w.persistence.batches;
    w.service.bulk({ filter: {} }, { kind: 'patch', patch: { a: 1 } });
    expect(w.persistence.batches - before).toBe(1);
  });

  it('refuses an empty selection and an unknown profile', () => {
    const w = configWorld();
    expect(() => w.service.bulk({ filter: { search: 'nobody' } }, { kind: 'patch', patch: {} })).toThrow(
      ConfigError,
    );
    w.addAgent('a');
    expect(() => w.service.bulk({ agentIds: ['a'] }, { kind: 'assignProfile', profile: 'ghost' })).toThrow(
      /no profile/,
    );
  });
});

describe('schema validation', () => {
  const schema = {
    type: 'object',
    properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, level: { enum: ['info', 'debug'] } },
    required: ['port'],
    additionalProperties: false,
  };

  it('reports each problem with its JSON pointer', () => {
    const w = configWorld();
    w.addAgent('a', { schema });
    const result = w.service.validate('a', { port: 70000, level: 'loud', extra: 1 });
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/port', '/level']));
    expect(w.service.validate('a', { port: 8080, level: 'info' })).toEqual({ ok: true, errors: [] });
  });

  it('validates an override merged over the profiles (a required field may come from a profile)', () => {
    const w = configWorld();
    w.addAgent('a', { schema, labels: { role: 'web' } });
    w.service.saveProfile({
      name: 'web',
      description: '',
      selector: { role: 'web' },
      config: { port: 8080 },
    });
    expect(w.service.validateOverride('a', { level: 'debug' })).toEqual({ ok: true, errors: [] });
    expect(w.service.validateOverride('a', { port: 0 }).ok).toBe(false);
  });

  it('refuses to send an invalid configuration: no revision, nothing delivered', () => {
    const w = configWorld();
    w.addAgent('a', { schema });
    expect(() => w.service.setOverride('a', { port: 0 })).toThrow(ConfigError);
    expect(w.broker).toHaveLength(0);
    expect(w.service.summary('a').desiredRevision).toBe(0);
  });
});

describe('persistence and audit', () => {
  it('reloads registry, revisions, ledger, bulks and audit from the store', () => {
    const w = configWorld();
    w.addAgent('a', { labels: { env: 'prod' } });
    w.service.saveProfile({ name: 'p', description: 'd', selector: { env: 'prod' }, config: { x: 1 } });
    w.service.setOverride('a', { y: 2 });
    w.apply('a', 2);
    const bulk = w.service.bulk({ agentIds: ['a'] }, { kind: 'patch', patch: { z: 3 } });
    const again = configWorld({ persistence: w.persistence, agents: w.agents });
    expect(again.service.detail('a')).toEqual(w.service.detail('a'));
    expect(again.service.listProfiles()).toEqual(w.service.listProfiles());
    expect(again.service.bulkView(bulk.bulkId)).toEqual(w.service.bulkView(bulk.bulkId));
    expect(again.service.queryAudit({})).toEqual(w.service.queryAudit({}));
  });

  it('records who, when, which agents, the diff and the outcome; searchable', () => {
    const w = configWorld();
    w.addAgent('a');
    w.service.setOverride('a', { level: 'info' });
    w.service.setOverride('a', { level: 'debug' });
    w.service.report('a', 2, 'rejected', 'nope');
    const entries = w.service.queryAudit({});
    expect(entries[0]).toMatchObject({ action: 'config.report', outcome: 'rejected: nope', agentIds: ['a'] });
    expect(entries[1]).toMatchObject({
      action: 'config.set',
      user: 'operator',
      diff: { '/level': ['info', 'debug'] },
      outcome: 'queued',
    });
    expect(w.service.queryAudit({ text: 'REJECTED' })).toHaveLength(1);
    expect(w.service.queryAudit({ agentId: 'zzz' })).toHaveLength(0);
  });
});
