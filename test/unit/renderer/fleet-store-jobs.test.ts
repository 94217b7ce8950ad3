import { describe, expect, it } from 'vitest';
import { createFleetStore } from '../../../src-renderer/state/fleet-store';
import { jobDurationMs, jobMatches, jobsOfAgent } from '../../../src-renderer/state/jobs';
import { T0, agent, delta, job, snapshot } from './fixtures';

function withJobs(seq: number, jobs: ReturnType<typeof job>[]) {
  return { ...snapshot(seq, [agent('a1'), agent('a2')]), jobs };
}

describe('fleet store: jobs', () => {
  it('keys the snapshot jobs by key and derives running (per agent and fleet-wide) and failed', () => {
    const store = createFleetStore();
    store
      .getState()
      .applySnapshot(
        withJobs(1, [
          job('a1', 'j1'),
          job('a1', 'j2'),
          job('a2', 'j1'),
          job('a2', 'j2', { state: 'failed', exitCode: 2 }),
          job('a2', 'j3', { state: 'succeeded', exitCode: 0 }),
        ]),
      );
    const s = store.getState();
    expect([...s.jobs.keys()].sort()).toEqual(['a1/j1', 'a1/j2', 'a2/j1', 'a2/j2', 'a2/j3']);
    // Same job id on two agents: two entries (the key carries the agent).
    expect(s.jobs.get('a2/j1')?.agentId).toBe('a2');
    expect(s.jobStats.running).toBe(3);
    expect(s.jobStats.failed).toBe(1);
    expect(Object.fromEntries(s.jobStats.runningByAgent)).toEqual({ a1: 2, a2: 1 });
  });

  it('applies job upserts and removedJobs from deltas, keeping the derived counts in step', () => {
    const store = createFleetStore();
    store.getState().applySnapshot(withJobs(1, [job('a1', 'j1'), job('a2', 'j1'), job('a2', 'old')]));
    expect(
      store.getState().applyDelta(
        delta(2, {
          jobs: [
            job('a1', 'j1', { state: 'failed', exitCode: 1, finishedAt: T0, message: 'boom' }),
            job('a1', 'j9', { progress: 40 }),
            job('a2', 'j1', { state: 'succeeded', exitCode: 0, finishedAt: T0 }),
          ],
          removedJobs: ['a2/old', 'never/seen'],
        }),
      ),
    ).toBe(true);
    const s = store.getState();
    expect([...s.jobs.keys()].sort()).toEqual(['a1/j1', 'a1/j9', 'a2/j1']);
    expect(s.jobs.get('a1/j1')?.message).toBe('boom');
    expect(s.jobStats.running).toBe(1);
    expect(s.jobStats.failed).toBe(1);
    expect(Object.fromEntries(s.jobStats.runningByAgent)).toEqual({ a1: 1 });
    // A failed job dropped from the history no longer counts as failed.
    store.getState().applyDelta(delta(3, { removedJobs: ['a1/j1'] }));
    expect(store.getState().jobStats.failed).toBe(0);
    expect(store.getState().jobs.size).toBe(2);
  });

  it('applies agents, jobs and status of one batch with a single set()', () => {
    const store = createFleetStore();
    store.getState().applySnapshot(withJobs(1, [job('a1', 'j1')]));
    let notifications = 0;
    const seen: { running: number; agentPresence: string | undefined }[] = [];
    store.subscribe((s) => {
      notifications++;
      seen.push({ running: s.jobStats.running, agentPresence: s.agents.get('a1')?.presence });
    });
    const many = Array.from({ length: 300 }, (_, i) => job('a2', `bulk-${i}`));
    store.getState().applyDelta(
      delta(2, {
        agents: [agent('a1', { presence: 'offline' })],
        jobs: [...many, job('a1', 'j1', { state: 'succeeded', exitCode: 0 })],
        removedJobs: [],
      }),
    );
    expect(notifications).toBe(1);
    // The subscriber saw the whole batch at once, never a half-applied state.
    expect(seen).toEqual([{ running: 300, agentPresence: 'offline' }]);
  });

  it('leaves the jobs map and stats identical when a batch does not touch jobs', () => {
    const store = createFleetStore();
    store.getState().applySnapshot(withJobs(1, [job('a1', 'j1')]));
    const before = store.getState();
    store.getState().applyDelta(delta(2, { agents: [agent('a1', { lastSeen: 5 })] }));
    expect(store.getState().jobs).toBe(before.jobs);
    expect(store.getState().jobStats).toBe(before.jobStats);
    // A job update that changes no count keeps the stats object too.
    store.getState().applyDelta(delta(3, { jobs: [job('a1', 'j1', { progress: 70 })] }));
    expect(store.getState().jobs).not.toBe(before.jobs);
    expect(store.getState().jobStats).toBe(before.jobStats);
  });

  it('replaces jobs entirely on a re-snapshot (the hub is the source of the bounded history)', () => {
    const store = createFleetStore();
    store.getState().applySnapshot(withJobs(1, [job('a1', 'j1'), job('a1', 'j2')]));
    store.getState().applySnapshot(withJobs(5, [job('a2', 'j7', { state: 'failed' })]));
    const s = store.getState();
    expect([...s.jobs.keys()]).toEqual(['a2/j7']);
    expect(s.jobStats.running).toBe(0);
    expect(s.jobStats.failed).toBe(1);
    expect(s.jobStats.runningByAgent.size).toBe(0);
  });
});

describe('job selectors', () => {
  it('computes durations: live for running jobs, reported for finished ones', () => {
    expect(jobDurationMs(job('a', 'x', { startedAt: T0 - 5_000 }), T0)).toBe(5_000);
    expect(jobDurationMs(job('a', 'x', { state: 'succeeded', durationMs: 1234 }), T0)).toBe(1234);
    expect(
      jobDurationMs(job('a', 'x', { state: 'failed', startedAt: T0 - 900, finishedAt: T0 }), T0 + 10_000),
    ).toBe(900);
    // Agent clock ahead of ours: never negative.
    expect(jobDurationMs(job('a', 'x', { startedAt: T0 + 5_000 }), T0)).toBe(0);
  });

  it('filters by tab, state, agent and name', () => {
    const running = job('a1', 'backup-db');
    const failed = job('a2', 'deploy', { state: 'failed' });
    const ok = job('a1', 'deploy', { state: 'succeeded' });
    const all = [running, failed, ok];
    const keys = (f: Parameters<typeof jobMatches>[1]) =>
      all.filter((j) => jobMatches(j, f)).map((j) => j.key);
    expect(keys({ tab: 'running' })).toEqual(['a1/backup-db']);
    expect(keys({ tab: 'failed' })).toEqual(['a2/deploy']);
    expect(keys({ tab: 'recent' })).toEqual(['a1/backup-db', 'a2/deploy', 'a1/deploy']);
    expect(keys({ tab: 'recent', state: 'succeeded' })).toEqual(['a1/deploy']);
    expect(keys({ tab: 'recent', agentId: 'a1' })).toEqual(['a1/backup-db', 'a1/deploy']);
    expect(keys({ tab: 'recent', name: 'DEPL' })).toEqual(['a2/deploy', 'a1/deploy']);
  });

  it('lists an agent’s jobs running first, then by latest activity, bounded', () => {
    const list = jobsOfAgent(
      [
        job('a1', 'old', { state: 'succeeded', finishedAt: T0 - 50_000 }),
        job('a1', 'new', { state: 'failed', finishedAt: T0 - 1_000 }),
        job('a1', 'run', { startedAt: T0 - 99_000 }),
        job('a2', 'other'),
      ],
      'a1',
      2,
    );
    expect(list.map((j) => j.jobId)).toEqual(['run', 'new']);
  });
});
