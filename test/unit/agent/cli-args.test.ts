import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AGENT_USAGE,
  UsageError,
  parseAgentArgs,
  parseRunArgs,
  resolveAgentId,
} from '../../../src-agent/cli-args';
import { MAX_CONFIG_SCHEMA_BYTES, REFERENCE_CONFIG_SCHEMA } from '../../../src-agent/config-schema';

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
      credentialFile: join(dir, 'credential'),
      configFile: join(dir, 'config.json'),
      configSchema: REFERENCE_CONFIG_SCHEMA,
      configSchemaSource: 'built-in',
    });
    expect(config(['--id', 'flag-id', '--label', 'c=3'], env)).toMatchObject({
      id: 'flag-id',
      labels: { c: '3' },
    });
    expect(config(['--credential-file', join(dir, 'cred')], env).credentialFile).toBe(join(dir, 'cred'));
    // The hub's own name for the enrollment token works too.
    const { CENTRALIZER_TOKEN: _unused, ...rest } = env;
    expect(config([], { ...rest, CENTRALIZER_AGENT_TOKEN: 'hubname' }).token).toBe('hubname');
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

  it('declares the built-in schema, a schema file (--config-schema / AGENT_CONFIG_SCHEMA), or none', () => {
    const base = ['--url', 'ws://h:1', '--token', 't'];
    const file = join(dir, 'schema.json');
    const custom = { type: 'object', properties: { port: { type: 'integer' } } };
    writeFileSync(file, JSON.stringify(custom, null, 2));
    expect(config(base).configSchema).toBe(REFERENCE_CONFIG_SCHEMA);
    expect(config([...base, '--config-schema', file])).toMatchObject({
      configSchema: custom,
      configSchemaSource: file,
    });
    expect(config(base, { AGENT_CONFIG_SCHEMA: file }).configSchema).toEqual(custom);
    const none = config([...base, '--no-config-schema'], { AGENT_CONFIG_SCHEMA: file });
    expect(none.configSchema).toBeUndefined();
    expect(none.configSchemaSource).toBe('none');
    expect(config(base, { AGENT_CONFIG_SCHEMA: 'none' }).configSchema).toBeUndefined();
    // The flag wins over the variable.
    expect(config([...base, '--config-schema', file], { AGENT_CONFIG_SCHEMA: 'none' }).configSchema).toEqual(
      custom,
    );
    expect(AGENT_USAGE).toContain('--config-schema FILE');
    expect(AGENT_USAGE).toContain('--no-config-schema');
  });

  it.each([
    ['an array', '[{"type":"object"}]', /must hold a JSON object.*not an array/],
    ['a string', '"object"', /must hold a JSON object.*not string/],
    ['null', 'null', /not null/],
    ['not JSON', '{ type: object', /not valid JSON/],
    [
      'too large',
      JSON.stringify({ type: 'object', description: 'x'.repeat(MAX_CONFIG_SCHEMA_BYTES) }),
      new RegExp(`at most ${MAX_CONFIG_SCHEMA_BYTES}`),
    ],
  ])('refuses a schema file holding %s', (_what, text, message) => {
    const file = join(dir, 'schema.json');
    writeFileSync(file, text);
    const argv = ['--url', 'ws://h:1', '--token', 't', '--config-schema', file];
    expect(() => parseAgentArgs(argv, {})).toThrow(UsageError);
    expect(() => parseAgentArgs(argv, {})).toThrow(message);
  });

  it('refuses a missing schema file and --config-schema with --no-config-schema', () => {
    const base = ['--url', 'ws://h:1', '--token', 't'];
    expect(() => parseAgentArgs([...base, '--config-schema', join(dir, 'nope.json')], {})).toThrow(
      /cannot read .*ENOENT/,
    );
    expect(() =>
      parseAgentArgs([...base, '--config-schema', join(dir, 'x.json'), '--no-config-schema'], {}),
    ).toThrow(/cannot be used together/);
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

describe('broker options', () => {
  const base = ['--url', 'ws://h:1', '--token', 't'];

  it('reads --amqp-url, else AGENT_AMQP_URL, else RABBITMQ_URL; config file and topology prefix', () => {
    expect(config(base).amqpUrl).toBeUndefined();
    expect(config(base, { RABBITMQ_URL: 'amqp://r' }).amqpUrl).toBe('amqp://r');
    expect(config(base, { RABBITMQ_URL: 'amqp://r', AGENT_AMQP_URL: 'amqp://a' }).amqpUrl).toBe('amqp://a');
    expect(config([...base, '--amqp-url', 'amqps://f'], { AGENT_AMQP_URL: 'amqp://a' }).amqpUrl).toBe(
      'amqps://f',
    );
    const c = config([...base, '--state-dir', dir, '--topology-prefix', 'tst.1']);
    expect(c.configFile).toBe(join(dir, 'config.json'));
    expect(c.topologyPrefix).toBe('tst.1');
    expect(
      config(base, { AGENT_CONFIG_FILE: join(dir, 'x.json'), CENTRALIZER_TOPOLOGY_PREFIX: 'p' }),
    ).toMatchObject({
      configFile: join(dir, 'x.json'),
      topologyPrefix: 'p',
    });
    expect(() => config([...base, '--amqp-url', 'http://x'])).toThrow(/amqp:\/\//);
    expect(() => config([...base, '--topology-prefix', 'a b'])).toThrow(/topology-prefix/);
    expect(AGENT_USAGE).toContain('--amqp-url');
    expect(AGENT_USAGE).toContain('agent.js run');
  });

  it('never echoes the password of a bad broker URL', () => {
    try {
      config([...base, '--amqp-url', 'http://u:s3cret@h']);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});

describe('parseRunArgs', () => {
  const run = (argv: string[], env: NodeJS.ProcessEnv = { AGENT_AMQP_URL: 'amqp://b' }) => {
    const parsed = parseRunArgs(argv, env);
    if (!('run' in parsed)) throw new Error('expected run');
    return parsed.run;
  };

  it('splits options and the command at "--"', () => {
    expect(
      run(['--name', 'nightly backup', '--id', 'a1', '--', 'node', '-e', 'process.exit(3)', '--name', 'x']),
    ).toMatchObject({
      name: 'nightly backup',
      id: 'a1',
      amqpUrl: 'amqp://b',
      command: 'node',
      args: ['-e', 'process.exit(3)', '--name', 'x'],
      confirmTimeoutMs: 30_000,
    });
    expect(run(['--confirm-timeout', '2.5', '--', 'true']).confirmTimeoutMs).toBe(2500);
    expect(run(['--', 'true'], { RABBITMQ_URL: 'amqp://r', AGENT_STATE_DIR: dir })).toMatchObject({
      amqpUrl: 'amqp://r',
      stateDir: dir,
      name: undefined,
    });
    expect(parseRunArgs(['--help'], {})).toEqual({ help: true });
  });

  it.each([
    [['--name', 'x'], /missing the command/],
    [['--', 'true'], /missing --amqp-url/, {}],
    [['ls', '-la'], /"--"/],
    [['--confirm-timeout', 'soon', '--', 'true'], /confirm-timeout/],
    [['--id', 'bad id', '--', 'true'], /--id/],
  ])('rejects %j', (argv, message, env = { AGENT_AMQP_URL: 'amqp://b' }) => {
    expect(() => parseRunArgs(argv as string[], env as NodeJS.ProcessEnv)).toThrow(UsageError);
    expect(() => parseRunArgs(argv as string[], env as NodeJS.ProcessEnv)).toThrow(message as RegExp);
  });
});
