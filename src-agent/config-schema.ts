/**
 * The JSON Schema of the reference agent's configuration document, declared in `hello.configSchema`
 * so the console can render a form and check a configuration before sending it, and the agent's own
 * check of a configuration against the schema it declared (same library as the hub:
 * @cfworker/json-schema, draft 2020-12).
 *
 * Why `additionalProperties: true` at the top level: a configuration is the merge of profiles and an
 * override, and one profile is often assigned to agents of different kinds. Refusing keys this agent
 * does not use would make a shared profile fail on it; the keys it does use are typed strictly.
 * Nested objects (`jobs.<name>`) are closed, as a typo there (`comand`) is a real mistake.
 */
import { readFileSync, statSync } from 'node:fs';
import { Validator } from '@cfworker/json-schema';
import { AGENT_LIMITS } from '../src-shared/agent-protocol';
import type { AgentConfig } from '../src-shared/broker-protocol';
import { defaultConfigValidator, type ConfigValidator } from './config-apply';

/**
 * Largest schema the agent declares, compact JSON bytes. `hello` may be 48 KiB
 * (AGENT_LIMITS.maxHelloBytes); the rest of it (labels: up to 32 × 320 bytes, names) needs room too.
 */
export const MAX_CONFIG_SCHEMA_BYTES = 32 * 1024;
/** A schema file larger than this is not even read (pretty-printed files are bigger than their JSON). */
const MAX_SCHEMA_FILE_BYTES = 1024 * 1024;

export type JsonSchema = Record<string, unknown>;

/** What the reference agent understands. Frozen: one shared object for every (simulated) agent. */
export const REFERENCE_CONFIG_SCHEMA: JsonSchema = deepFreeze({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Reference agent configuration',
  type: 'object',
  properties: {
    logLevel: {
      title: 'Log level',
      type: 'string',
      enum: ['debug', 'info', 'warn', 'error'],
      default: 'info',
    },
    metricsLabels: {
      title: 'Metrics labels',
      description: 'Extra labels attached to the metrics this agent reports.',
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 256 },
      maxProperties: 32,
    },
    jobs: {
      title: 'Jobs',
      description: 'Jobs by name: the command to run and when.',
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          command: { title: 'Command', type: 'string', minLength: 1, maxLength: 4096 },
          schedule: {
            title: 'Schedule',
            description: 'Cron expression, e.g. "0 2 * * *".',
            type: 'string',
            minLength: 1,
            maxLength: 256,
          },
        },
        required: ['command', 'schedule'],
        additionalProperties: false,
      },
    },
    reject: {
      title: 'Refuse this configuration (test hook)',
      description: 'When true the agent refuses the configuration and reports it rejected.',
      type: 'boolean',
    },
    rejectReason: {
      title: 'Refusal reason (test hook)',
      description: 'When set the agent refuses the configuration with this text as the error.',
      type: 'string',
      maxLength: 2000,
    },
  },
  additionalProperties: true,
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Compact JSON size of a schema as it travels in hello. */
export function schemaBytes(schema: JsonSchema): number {
  return Buffer.byteLength(JSON.stringify(schema));
}

/**
 * Read a custom schema (`--config-schema FILE`). Throws an Error with a one-line explanation when the
 * file cannot be read, is not JSON, is not a JSON object, or is larger than MAX_CONFIG_SCHEMA_BYTES.
 */
export function loadConfigSchemaFile(file: string): JsonSchema {
  let text: string;
  try {
    if (statSync(file).size > MAX_SCHEMA_FILE_BYTES) {
      throw new Error(`${file} is larger than ${MAX_SCHEMA_FILE_BYTES} bytes`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code ? `cannot read ${file} (${code})` : (error as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message})`);
  }
  return checkConfigSchema(json, file);
}

/** The schema as an object, or an Error saying why it cannot be declared. */
export function checkConfigSchema(json: unknown, where = 'the configuration schema'): JsonSchema {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const got = json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json;
    throw new Error(`${where} must hold a JSON object (a JSON Schema), not ${got}`);
  }
  const size = schemaBytes(json as JsonSchema);
  if (size > MAX_CONFIG_SCHEMA_BYTES) {
    throw new Error(
      `${where} is ${size} bytes as compact JSON; at most ${MAX_CONFIG_SCHEMA_BYTES} fit in hello ` +
        `(limit ${AGENT_LIMITS.maxHelloBytes} for the whole message)`,
    );
  }
  return json as JsonSchema;
}

/**
 * Refuses a configuration that does not match `schema` (leaf-most errors, at most 5, e.g.
 * `/logLevel: Instance does not match any of ["debug","info","warn","error"].`). A schema the library
 * cannot use refuses nothing: the agent declared it, the console already shows the problem.
 */
export function schemaValidator(schema: JsonSchema): ConfigValidator {
  let validator: Validator | undefined;
  try {
    // A copy: the library annotates the schema object it is given (and the built-in one is frozen).
    validator = new Validator(structuredClone(schema) as never, '2020-12', false);
  } catch {
    validator = undefined;
  }
  return (config: AgentConfig) => {
    if (!validator) return null;
    let errors;
    try {
      errors = validator.validate(config).errors;
    } catch {
      return null;
    }
    if (errors.length === 0) return null;
    const leaves = errors.filter(
      (e) => !errors.some((o) => o !== e && o.instanceLocation.startsWith(`${e.instanceLocation}/`)),
    );
    const lines = (leaves.length ? leaves : errors)
      .slice(0, 5)
      .map((e) => `${e.instanceLocation.replace(/^#/, '') || '/'}: ${e.error}`);
    return `configuration does not match the agent's schema: ${lines.join('; ')}`.slice(0, 2000);
  };
}

/** The first refusal of `validators`, in order (schema first, then the reject test hooks). */
export function combineValidators(...validators: ConfigValidator[]): ConfigValidator {
  return async (config, message) => {
    for (const validate of validators) {
      const refusal = await validate(config, message);
      if (refusal !== null) return refusal;
    }
    return null;
  };
}

/** The validator of an agent that declares `schema` (or none): the schema, then the test hooks. */
export function agentConfigValidator(schema: JsonSchema | undefined): ConfigValidator {
  return schema ? combineValidators(schemaValidator(schema), defaultConfigValidator) : defaultConfigValidator;
}
