import { describe, expect, it } from 'vitest';
import { HelloSchema } from '../../../src-shared';
import { FleetState, LAST_SEEN_PUSH_MS } from '../../../src-main/hub/fleet/fleet-state';
import { hello, metrics } from '../../helpers/messages';

function setup() {
  const changed = { agents: [] as string[], servers: [] as string[] };
  const fleet = new FleetState({
    agent: (id) => changed.agents.push(id),
    server: (id) => changed.servers.push(id),
  });
  return { fleet, changed };
}
const h = (o = {}) => HelloSchema.parse(hello(o));

describe('FleetState', () => {
  it('brings an agent and its server online on hello', () => {
    const { fleet, changed } = setup();
    fleet.agentOnline(h(), '10.0.0.5', 1000);
    expect(fleet.agentView('agent-1')).toMatchObject({
      presence: 'online',
      since: 1000,
      reason: 'connected',
      serverId: 'srv-01',
      remoteAddress: '10.0.0.5',
    });
    expect(fleet.serverView('srv-01')).toMatchObject({
      presence: 'online',
      onlineAgents: 1,
      agentIds: ['agent-1'],
    });
    expect(changed.agents).toContain('agent-1');
    expect(changed.servers).toContain('srv-01');
  });

  it('groups several agents on one server (hostname case-insensitive) and keeps it up while one is online', () => {
    const { fleet } = setup();
    fleet.agentOnline(h({ agentId: 'a' }), undefined, 1);
    fleet.agentOnline(h({ agentId: 'b', hostname: 'SRV-01' }), undefined, 2);
    expect(fleet.serverViews()).toHaveLength(1);
    expect(fleet.serverView('srv-01')?.onlineAgents).toBe(2);
    fleet.agentOffline('a', 'clean_disconnect', 3);
    expect(fleet.serverView('srv-01')).toMatchObject({ presence: 'online', onlineAgents: 1 });
    fleet.agentOffline('b', 'connection_lost', 4);
    expect(fleet.serverView('srv-01')).toMatchObject({
      presence: 'offline',
      onlineAgents: 0,
      since: 4,
      reason: 'all_agents_offline',
    });
  });

  it('records the offline reason and keeps the transition log', () => {
    const { fleet } = setup();
    fleet.agentOnline(h(), undefined, 1);
    fleet.agentOffline('agent-1', 'ping_timeout', 5);
    fleet.agentOnline(h(), undefined, 9);
    const detail = fleet.agentDetail('agent-1');
    expect(detail?.presenceLog.map((t) => [t.state, t.reason, t.at])).toEqual([
      ['online', 'connected', 9],
      ['offline', 'ping_timeout', 5],
      ['online', 'connected', 1],
    ]);
  });

  it('stores the latest metrics on the server', () => {
    const { fleet } = setup();
    fleet.agentOnline(h(), undefined, 1);
    fleet.agentMetrics('agent-1', metrics({ cpu: { percent: 77, cores: 8, load: [1, 2, 3] } }), 50);
    expect(fleet.serverView('srv-01')?.metrics).toMatchObject({ cpuPercent: 77, cores: 8, receivedAt: 50 });
    expect(fleet.agentView('agent-1')?.lastSeen).toBe(50);
  });

  it('pushes a server at most once per metrics period, while observers get every sample', () => {
    const changed: string[] = [];
    const observed: number[] = [];
    const fleet = new FleetState(
      { agent: () => {}, server: (id) => changed.push(id) },
      undefined,
      [{ presence: () => {}, metrics: (_id, m) => observed.push(m.cpuPercent) }],
      4500,
    );
    fleet.agentOnline(h(), undefined, 0);
    fleet.agentOnline(h({ agentId: 'agent-2' }), undefined, 0);
    changed.length = 0;
    const at = (cpu: number, t: number, agent = 'agent-1') =>
      fleet.agentMetrics(agent, metrics({ cpu: { percent: cpu, cores: 4, load: [1, 1, 1] } }), t);
    at(10, 1000);
    at(20, 2000, 'agent-2');
    at(30, 5499);
    expect(changed).toEqual(['srv-01']);
    // Not pushed, but kept: the next push carries the latest sample.
    expect(fleet.serverView('srv-01')?.metrics?.cpuPercent).toBe(30);
    at(40, 5500, 'agent-2');
    expect(changed).toEqual(['srv-01', 'srv-01']);
    expect(observed).toEqual([10, 20, 30, 40]);
  });

  it('moves an agent whose hostname changed', () => {
    const { fleet } = setup();
    fleet.agentOnline(h(), undefined, 1);
    fleet.agentOnline(h({ hostname: 'srv-02' }), undefined, 2, 'replaced');
    expect(fleet.serverView('srv-01')).toMatchObject({ agentIds: [], onlineAgents: 0, presence: 'offline' });
    expect(fleet.serverView('srv-02')).toMatchObject({ agentIds: ['agent-1'], onlineAgents: 1 });
  });

  it('ignores offline for an unknown or already offline agent', () => {
    const { fleet } = setup();
    fleet.agentOffline('ghost', 'connection_lost', 1);
    fleet.agentOnline(h(), undefined, 1);
    fleet.agentOffline('agent-1', 'clean_disconnect', 2);
    fleet.agentOffline('agent-1', 'connection_lost', 3);
    expect(fleet.agentView('agent-1')).toMatchObject({ reason: 'clean_disconnect', since: 2 });
    expect(fleet.serverView('srv-01')?.onlineAgents).toBe(0);
  });

  it('pushes last-seen at most every minute, and a revision change at once', () => {
    const { fleet, changed } = setup();
    fleet.agentOnline(h(), undefined, 0);
    changed.agents.length = 0;
    fleet.agentSeen('agent-1', 1000);
    fleet.agentSeen('agent-1', LAST_SEEN_PUSH_MS - 1);
    expect(changed.agents).toHaveLength(0);
    expect(fleet.agentView('agent-1')?.lastSeen).toBe(LAST_SEEN_PUSH_MS - 1);
    fleet.agentSeen('agent-1', LAST_SEEN_PUSH_MS);
    expect(changed.agents).toEqual(['agent-1']);
    fleet.agentSeen('agent-1', LAST_SEEN_PUSH_MS + 100, 7);
    expect(changed.agents).toEqual(['agent-1', 'agent-1']);
    expect(fleet.agentView('agent-1')?.configRevision).toBe(7);
  });
});
