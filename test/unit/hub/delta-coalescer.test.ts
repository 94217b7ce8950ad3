import { describe, expect, it } from 'vitest';
import type { FleetDelta, HubStatus } from '../../../src-shared';
import { DeltaCoalescer } from '../../../src-main/hub/fleet/delta-coalescer';
import type { Clock } from '../../../src-main/hub/util/clock';

/** A manual clock: timers fire only when the test advances time. */
function manualClock() {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      timers = timers.filter((t) => t !== h);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now)) {
      timers = timers.filter((x) => x !== t);
      t.fn();
    }
  };
  return { clock, advance, pending: () => timers.length };
}

function setup(interval = 100) {
  const { clock, advance, pending } = manualClock();
  const views = new Map<string, number>();
  const coalescer = new DeltaCoalescer(
    {
      agentView: (id) =>
        views.has(id) ? ({ agentId: id, configRevision: views.get(id) } as never) : undefined,
      serverView: (id) => ({ serverId: id }) as never,
      bulkView: (id) => ({ bulkId: id }) as never,
      jobView: (key) => (key.startsWith('gone') ? undefined : ({ key } as never)),
      alertView: (id) => (id.startsWith('gone') ? undefined : ({ id } as never)),
      status: () => ({ mode: 'headless' }) as HubStatus,
    },
    interval,
    clock,
  );
  const batches: FleetDelta[] = [];
  coalescer.subscribe((d) => batches.push(d));
  return { coalescer, views, batches, advance, pending };
}

describe('DeltaCoalescer', () => {
  it('flushes the first change of an idle period immediately', () => {
    const { coalescer, views, batches, advance } = setup();
    views.set('a', 1);
    coalescer.agent('a');
    advance(0);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ seq: 1, agents: [{ agentId: 'a' }] });
  });

  it('coalesces a burst into one batch per interval with the latest view of each entity', () => {
    const { coalescer, views, batches, advance } = setup();
    views.set('a', 1);
    coalescer.agent('a');
    advance(0);
    for (let rev = 2; rev <= 1000; rev++) {
      views.set('a', rev);
      coalescer.agent('a');
      coalescer.server('s1');
    }
    advance(50);
    expect(batches).toHaveLength(1); // still inside the 100 ms window
    advance(50);
    expect(batches).toHaveLength(2);
    expect(batches[1]?.agents).toEqual([{ agentId: 'a', configRevision: 1000 }]);
    expect(batches[1]?.servers).toEqual([{ serverId: 's1' }]);
  });

  it('never exceeds one flush per interval under continuous load', () => {
    const { coalescer, views, batches, advance } = setup(100);
    views.set('a', 0);
    for (let t = 0; t < 1000; t += 5) {
      coalescer.agent('a');
      advance(5);
    }
    // 1 s of changes every 5 ms → about 10 batches, never 200.
    expect(batches.length).toBeGreaterThanOrEqual(9);
    expect(batches.length).toBeLessThanOrEqual(11);
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i + 1));
  });

  it('reports removed entities, jobs and status changes', () => {
    const { coalescer, batches, advance } = setup();
    coalescer.agent('gone');
    coalescer.job('a1/j1');
    coalescer.job('gone/j2');
    coalescer.status();
    advance(0);
    expect(batches[0]).toMatchObject({
      removedAgents: ['gone'],
      jobs: [{ key: 'a1/j1' }],
      removedJobs: ['gone/j2'],
      status: { mode: 'headless' },
    });
  });

  it('emits nothing when nothing changed and stops after dispose', () => {
    const { coalescer, batches, advance, pending } = setup();
    coalescer.flush();
    expect(batches).toHaveLength(0);
    coalescer.agent('a');
    coalescer.dispose();
    advance(1000);
    expect(batches).toHaveLength(0);
    expect(pending()).toBe(0);
  });
});
