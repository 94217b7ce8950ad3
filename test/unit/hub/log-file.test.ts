import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, openLogFile } from '../../../src-main/hub/logger';
import { defaultLogDir } from '../../../src-main/hub/paths';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-logs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (name: string): string[] => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean);

describe('openLogFile', () => {
  it('creates the folder and appends to an existing file across restarts', () => {
    const logs = join(dir, 'nested', 'logs');
    const first = openLogFile({ dir: logs });
    first.write('one');
    first.close();
    const second = openLogFile({ dir: logs });
    second.write('two');
    second.close();
    expect(second.path).toBe(join(logs, 'hub.log'));
    expect(readFileSync(second.path, 'utf8')).toBe('one\ntwo\n');
    if (process.platform !== 'win32') expect(statSync(second.path).mode & 0o777).toBe(0o600);
  });

  it('rotates by size and keeps at most maxFiles files, newest in .1', () => {
    const file = openLogFile({ dir, maxBytes: 100, maxFiles: 3 });
    // 30 lines of 20 bytes (19 + newline): 5 lines fill a 100-byte file exactly.
    for (let i = 0; i < 30; i++) file.write(`line ${String(i).padStart(2, '0')} ...........`);
    file.close();
    expect(readdirSync(dir).sort()).toEqual(['hub.log', 'hub.log.1', 'hub.log.2']);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(100);
    expect(read('hub.log')[0]).toMatch(/^line 25/);
    expect(read('hub.log').at(-1)).toMatch(/^line 29/);
    expect(read('hub.log.1')[0]).toMatch(/^line 20/);
    expect(read('hub.log.2')[0]).toMatch(/^line 15/);
  });

  it('with maxFiles 1 starts the one file over', () => {
    const file = openLogFile({ dir, maxBytes: 10, maxFiles: 1 });
    file.write('aaaaaaaa');
    file.write('bbbbbbbb');
    file.close();
    expect(readdirSync(dir)).toEqual(['hub.log']);
    expect(read('hub.log')).toEqual(['bbbbbbbb']);
  });

  it('keeps a line longer than maxBytes whole, alone in its file', () => {
    const file = openLogFile({ dir, maxBytes: 10, maxFiles: 2 });
    file.write('short');
    file.write('x'.repeat(50));
    file.close();
    expect(read('hub.log')).toEqual(['x'.repeat(50)]);
    expect(read('hub.log.1')).toEqual(['short']);
  });

  it('gives the file up after a write error, reports it once and does not throw', () => {
    const errors: Error[] = [];
    const file = openLogFile({ dir, maxBytes: 10, maxFiles: 2, onError: (e) => errors.push(e) });
    file.write('12345678');
    // A folder where the rotated file should go: rotation fails, even for root.
    mkdirSync(join(dir, 'hub.log.1', 'occupied'), { recursive: true });
    expect(() => file.write('next line')).not.toThrow();
    expect(() => file.write('and another')).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(read('hub.log')).toEqual(['12345678']);
  });
});

describe('createLogger with a file', () => {
  it('writes each line to the console writer and the file, secrets masked in both', () => {
    const file = openLogFile({ dir });
    const console: string[] = [];
    const logger = createLogger({ name: 'hub', write: (line) => console.push(line), file });
    logger.info('broker at amqp://guest:hunter2@mq.local:5672', { password: 'hunter2', port: 5672 });
    logger.debug('below the level');
    file.close();
    const lines = read('hub.log');
    expect(lines).toEqual(console);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[hub] broker at amqp://guest:***@mq.local:5672');
    expect(lines[0]).toContain('"password":"***"');
    expect(lines[0]).not.toContain('hunter2');
  });
});

describe('defaultLogDir', () => {
  it('follows each platform convention', () => {
    expect(defaultLogDir('linux', { XDG_STATE_HOME: '/state' })).toBe(
      join('/state', 'agent-centralizer', 'logs'),
    );
    expect(defaultLogDir('linux', {})).toMatch(/\.local[/\\]state[/\\]agent-centralizer[/\\]logs$/);
    expect(defaultLogDir('win32', { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' })).toBe(
      join('C:\\Users\\u\\AppData\\Local', 'Agent Centralizer', 'logs'),
    );
    expect(defaultLogDir('darwin', {})).toMatch(/Library[/\\]Logs[/\\]Agent Centralizer$/);
  });
});
