/**
 * `agent run -- <command> [args…]`: runs one command as a job and reports it on the broker.
 *
 * The command is spawned directly (no shell), with this process's stdin/stdout/stderr. Job events go
 * through the EventPublisher (confirm channel, retried after a reconnect with the same eventId):
 * `started` once the process is running, then `finished` (exit code 0) or `failed` (non-zero exit
 * code, a signal, or a command that could not be started). SIGINT/SIGTERM/SIGHUP received by the agent
 * are passed on to the command. The result is the command's exit status (128 + signal number when it
 * was killed, 127 when it could not be started), so `agent run` can wrap a command in scripts and cron.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { JobEvent } from '../src-shared/broker-protocol';
import { jobEvent, type EventPublisher } from './event-publisher';

export interface RunJobOptions {
  agentId: string;
  /** Job name shown in the console. Default: the command line (truncated). */
  name?: string;
  command: string;
  args: string[];
  publisher: EventPublisher;
  log?: (line: string) => void;
  /** Forward these signals received by this process to the command. Default SIGINT, SIGTERM, SIGHUP. */
  forwardSignals?: NodeJS.Signals[];
  /** stdio of the command. Default 'inherit'. */
  stdio?: 'inherit' | 'ignore';
}

export interface JobResult {
  jobId: string;
  /** Exit status to return from the process. */
  exitCode: number;
  events: JobEvent[];
}

/** Exit status a shell would report for a process killed by `signal` (128 + number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  const n = os.constants.signals[signal];
  return typeof n === 'number' ? 128 + n : 1;
}

export function defaultJobName(command: string, args: string[]): string {
  const text = [command, ...args].join(' ');
  return text.length > 256 ? `${text.slice(0, 255)}…` : text;
}

export function runJob(options: RunJobOptions): Promise<JobResult> {
  const jobId = randomUUID();
  const name = (options.name ?? defaultJobName(options.command, options.args)).slice(0, 256) || 'job';
  const log = options.log ?? (() => undefined);
  const events: JobEvent[] = [];
  const emit = (
    fields: Omit<JobEvent, 'type' | 'eventId' | 'ts' | 'agentId' | 'jobId' | 'name'> & { ts?: number },
  ): void => {
    const event = jobEvent({ agentId: options.agentId, jobId, name, ...fields });
    events.push(event);
    void options.publisher.publish(event);
  };

  return new Promise<JobResult>((resolve) => {
    let startedAt = 0;
    let settled = false;
    const signals = options.forwardSignals ?? ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const child = spawn(options.command, options.args, {
      stdio: options.stdio ?? 'inherit',
      shell: false,
      windowsHide: true,
    });
    const forward = (signal: NodeJS.Signals): void => {
      log(`${signal}: passing it on to the command`);
      child.kill(signal);
    };
    for (const s of signals) process.on(s, forward);
    const finish = (exitCode: number): void => {
      if (settled) return;
      settled = true;
      for (const s of signals) process.off(s, forward);
      resolve({ jobId, exitCode, events });
    };

    child.once('spawn', () => {
      startedAt = Date.now();
      log(`job ${jobId} started: ${name} (pid ${child.pid})`);
      emit({ event: 'started', startedAt, ts: startedAt });
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Only "could not start" gets here in practice (ENOENT, EACCES); a kill failure is not fatal.
      if (startedAt !== 0) {
        log(`command error: ${error.message}`);
        return;
      }
      const message = `cannot start ${options.command}: ${error.code ?? error.message}`;
      log(message);
      emit({ event: 'failed', exitCode: 127, message });
      finish(127);
    });
    child.once('exit', (code, signal) => {
      if (startedAt === 0) return; // 'error' reports it
      const durationMs = Date.now() - startedAt;
      if (signal) {
        const exitCode = signalExitCode(signal);
        emit({ event: 'failed', startedAt, exitCode, message: `terminated by ${signal}` });
        log(`job ${jobId} failed: terminated by ${signal} after ${durationMs} ms`);
        finish(exitCode);
      } else if (code === 0) {
        emit({ event: 'finished', startedAt, exitCode: 0, progress: 100 });
        log(`job ${jobId} finished after ${durationMs} ms`);
        finish(0);
      } else {
        const exitCode = code ?? 1;
        emit({ event: 'failed', startedAt, exitCode, message: `exited with code ${exitCode}` });
        log(`job ${jobId} failed: exit code ${exitCode} after ${durationMs} ms`);
        finish(exitCode);
      }
    });
  });
}
