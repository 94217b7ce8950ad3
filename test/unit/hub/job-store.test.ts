import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../src-shared';
import { JobStore } from '../../../src-main/hub/jobs/job-state';

let n = 0;
const ev = (o: Partial<JobEvent>): JobEvent => ({
  type: 'job',
  eventId: `e${++n}`,
  event: 'started',
  agentId: 'a1',
  jobId: 'j1',
  name: 'backup',
  ts: 1000,
  ...o,
});

function store(maxJobs = 100) {
  const changed: string[] = [];
  return { s: new JobStore({ maxJobs, retentionMs: 60_000, onChange: (k) => changed.push(k) }), changed };
}

describe('JobStore', () => {
  it('follows a job from started through progress to finished', () => {
    const { s, changed } = store();
    s.apply(ev({ event: 'started', ts: 1000 }));
    expect(s.get('a1/j1')).toMatchObject({ state: 'running', startedAt: 1000 });
    expect(s.stats().running).toBe(1);
    s.apply(ev({ event: 'progress', ts: 2000, progress: 40, message: 'copying' }));
    expect(s.get('a1/j1')).toMatchObject({ state: 'running', progress: 40, message: 'copying' });
    s.apply(ev({ event: 'finished', ts: 5000, exitCode: 0 }));
    expect(s.get('a1/j1')).toMatchObject({
      state: 'succeeded',
      exitCode: 0,
      finishedAt: 5000,
      durationMs: 4000,
      progress: 100,
    });
    expect(s.stats()).toMatchObject({ running: 0, failed: 0, eventsProcessed: 3 });
    expect(changed).toEqual(['a1/j1', 'a1/j1', 'a1/j1']);
  });

  it('counts the same event delivered twice once', () => {
    const { s } = store();
    const started = ev({ event: 'started' });
    expect(s.apply(started)).toBe('applied');
    expect(s.apply({ ...started })).toBe('duplicate');
    expect(s.stats()).toMatchObject({ eventsProcessed: 1, duplicates: 1, running: 1 });
  });

  it('treats a non-zero exit code or a failed event as failed', () => {
    const { s } = store();
    s.apply(ev({ jobId: 'x', event: 'started' }));
    s.apply(ev({ jobId: 'x', event: 'finished', ts: 2000, exitCode: 3 }));
    s.apply(ev({ jobId: 'y', event: 'failed', ts: 2000, message: 'boom' }));
    expect(s.get('a1/x')?.state).toBe('failed');
    expect(s.get('a1/y')).toMatchObject({ state: 'failed', message: 'boom' });
    expect(s.stats()).toMatchObject({ failed: 2, running: 0 });
  });

  it('never reopens a terminal job and ignores out-of-order events', () => {
    const { s } = store();
    s.apply(ev({ event: 'started', ts: 1000 }));
    s.apply(ev({ event: 'progress', ts: 3000, progress: 80 }));
    expect(s.apply(ev({ event: 'progress', ts: 2000, progress: 20 }))).toBe('stale');
    expect(s.get('a1/j1')?.progress).toBe(80);
    s.apply(ev({ event: 'finished', ts: 4000 }));
    expect(s.apply(ev({ event: 'started', ts: 5000 }))).toBe('stale');
    expect(s.get('a1/j1')?.state).toBe('succeeded');
  });

  it('keeps job ids apart per agent', () => {
    const { s } = store();
    s.apply(ev({ agentId: 'a1' }));
    s.apply(ev({ agentId: 'a2' }));
    expect(s.all()).toHaveLength(2);
  });

  it('bounds the history, evicting the oldest finished jobs, never running ones', () => {
    const { s } = store(10);
    s.apply(ev({ jobId: 'long-running' }));
    for (let i = 0; i < 50; i++) {
      s.apply(ev({ jobId: `j${i}`, event: 'started', ts: 1000 + i }));
      s.apply(ev({ jobId: `j${i}`, event: 'finished', ts: 2000 + i }));
    }
    expect(s.all()).toHaveLength(10);
    expect(s.get('a1/long-running')?.state).toBe('running');
    expect(s.get('a1/j49')).toBeDefined();
    expect(s.get('a1/j0')).toBeUndefined();
  });

  it('prunes finished jobs past retention', () => {
    const { s } = store();
    s.apply(ev({ jobId: 'old', event: 'failed', ts: 1000 }));
    s.apply(ev({ jobId: 'new', event: 'failed', ts: 100_000 }));
    s.prune(100_500);
    expect(s.get('a1/old')).toBeUndefined();
    expect(s.get('a1/new')).toBeDefined();
    expect(s.stats().failed).toBe(1);
  });
});
