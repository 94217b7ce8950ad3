import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_USAGE, UsageError, parseAgentArgs, resolveAgentId } from '../../../src-agent/cli-args';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(os.tmpdir(), 'agent-args-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const config = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const parsed = parseAgentArgs(argv, env);
  if (!('config' in parsed)) throw new Error('expected a config');
  return parsed.config;
};

describe('parseAgentArgs', () => {
  it('reads flags, fills the default path and the defaults', () => {
    const c = config([
      '--url',
      'ws://127.0.0.1:8765',
      '--token',
      'XYZ',
      '--label',
      'env=prod',
      '--label',
      'rack=r1',
    ]);
    expect(c).toMatchObject({
      url: 'ws://127.0.0.1:8765/agent/v1',
      token: 'XYZ',
      id: undefined,
      name: os.hostname().slice(0, 128),
      labels: { env: 'prod', rack: 'r1' },
    });
    expect(c.stateDir).toBe(join(os.homedir(), '.agent-centralizer-agent'));
  });

  it('falls back to the environment, flags win', () => {
    const env = {
      CENTRALIZER_URL: 'ws://hub:1',
      CENTRALIZER_TOKEN: 'envtoken',
      AGENT_ID: 'env-id',
      AGENT_NAME: 'Env name',
      AGENT_LABELS: 'a=1, b=2,',
      AGENT_STATE_DIR: dir,
    };
    expect(config([], env)).toEqual({
      url: 'ws://hub:1/agent/v1',
      token: 'envtoken',
      id: 'env-id',
      name: 'Env name',
      labels: { a: '1', b: '2' },
      stateDir: dir,
    });
    expect(config(['--id', 'flag-id', '--label', 'c=3'], env)).toMatchObject({
      id: 'flag-id',
      labels: { c: '3' },
    });
  });

  it('reads the token from a file', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'from-file\n');
    expect(config(['--url', 'ws://h:1', '--token-file', file]).token).toBe('from-file');
  });

  it.each([
    [['--url', 'ws://h:1'], /missing --token/],
    [['--token', 't'], /missing --url/],
    [['--url', 'http//nope', '--token', 't'], /--url/],
    [['--url', 'ftp://h', '--token', 't'], /ws:\/\//],
    [['--url', 'ws://h:1', '--token', 't', '--id', 'bad id!'], /--id/],
    [['--url', 'ws://h:1', '--token', 't', '--label', 'novalue'], /key=value/],
    [['--url', 'ws://h:1', '--token', 't', '--bogus'], /Unknown option/],
    [['--url', 'ws://h:1', '--token', 't', 'positional'], /positional/],
    [['--url', 'ws://h:1', '--token-file', '/nonexistent/token'], /token-file/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseAgentArgs(argv, {})).toThrow(UsageError);
    expect(() => parseAgentArgs(argv, {})).toThrow(message);
  });

  it('has --help and --version', () => {
    expect(parseAgentArgs(['--help'], {})).toEqual({ help: true });
    expect(parseAgentArgs(['-v'], {})).toEqual({ version: true });
    expect(AGENT_USAGE).toContain('--state-dir');
  });
});

describe('resolveAgentId', () => {
  it('creates a UUID once and returns the same id afterwards', () => {
    const stateDir = join(dir, 'state', 'nested');
    const first = resolveAgentId(stateDir);
    expect(first.created).toBe(true);
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    const second = resolveAgentId(stateDir);
    expect(second).toEqual({ id: first.id, created: false });
    expect(readFileSync(join(stateDir, 'agent-id'), 'utf8').trim()).toBe(first.id);
    if (process.platform !== 'win32') expect(statSync(join(stateDir, 'agent-id')).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt id file with a readable message', () => {
    writeFileSync(join(dir, 'agent-id'), 'not a valid id!!\n');
    expect(() => resolveAgentId(dir)).toThrow(/not hold a valid agent id/);
  });
});
