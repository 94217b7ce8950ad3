/** Console API calls for the fuzz properties: a channel (real or hostile) and an input (valid-shaped or not). */
import fc from 'fast-check';
import { CONSOLE_REQUEST_CHANNELS } from '../../src-shared';
import { agentId, anyValue, configDoc, hostileString, mutated, str } from './arbitraries';

const profileName = fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/);

/** Inputs of the right shape for the channels whose handlers have no outside side effects. */
const shaped: Record<string, fc.Arbitrary<unknown>> = {
  getSnapshot: fc.constant(undefined),
  getAgentConnectionInfo: fc.constant(undefined),
  getBrokerSettings: fc.constant(undefined),
  listProfiles: fc.constant(undefined),
  getSparklines: fc.constant(undefined),
  getAlertSettings: fc.constant(undefined),
  getAgentDetail: fc.record({ agentId }),
  getAgentConfig: fc.record({ agentId }),
  resendConfig: fc.record({ agentId }),
  getServerDetail: fc.record({ serverId: str(1, 255) }),
  sendConfig: fc.record({ agentId, config: configDoc }),
  validateConfig: fc.record({ agentId, config: configDoc }),
  saveProfile: fc.record({
    name: profileName,
    description: str(0, 500),
    selector: fc.constant({}),
    config: configDoc,
  }),
  deleteProfile: fc.record({ name: profileName }),
  bulkApply: fc.record({
    target: fc.record({ agentIds: fc.array(agentId, { minLength: 1, maxLength: 3 }) }),
    action: fc.oneof(
      fc.record({ kind: fc.constant('patch'), patch: configDoc }),
      fc.record({ kind: fc.constant('assignProfile'), profile: profileName }),
    ),
  }),
  retryBulk: fc.record({ bulkId: str(1, 64) }),
  queryAudit: fc.record(
    { text: str(0, 200), limit: fc.integer({ min: 1, max: 10_000 }) },
    { requiredKeys: [] },
  ),
  exportAudit: fc.record({ format: fc.constantFrom('csv', 'json'), query: fc.constant({}) }),
  listDeliveries: fc.record({ limit: fc.integer({ min: 1, max: 500 }) }),
  getEnrollment: fc.constant(undefined),
  setApprovalMode: fc.record({ enabled: fc.boolean() }),
  acceptAgent: fc.record({ agentId }),
  rejectAgent: fc.record({ agentId }),
  revokeAgent: fc.record({ agentId, purgeHistory: fc.boolean() }),
};

/**
 * Channels a fuzzed call may reach with a valid input. Excluded: the ones that reach out of the
 * process when valid (broker connection tests and saves, webhook channel tests and saves) and the
 * certificate regeneration. ConsoleService validation of their inputs is fuzzed all the same.
 */
export const SAFE_CHANNELS = CONSOLE_REQUEST_CHANNELS.filter(
  (c) =>
    ![
      'saveBrokerSettings',
      'testBrokerConnection',
      'testChannel',
      'saveChannel',
      // generates a new key pair (seconds) and restarts the gateway's TLS: not a parser
      'regenerateGatewayCertificate',
    ].includes(c),
);

const channelName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SAFE_CHANNELS) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      hostileString,
      fc.constantFrom(
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'valueOf',
        'saveBrokerSettings ',
      ),
    ),
  },
);

export interface ConsoleCall {
  channel: string;
  input: unknown;
}

export const consoleCall: fc.Arbitrary<ConsoleCall> = channelName.chain((channel) => {
  const valid = Object.hasOwn(shaped, channel) ? shaped[channel] : undefined;
  const input = valid
    ? fc.oneof(
        { weight: 3, arbitrary: valid },
        { weight: 4, arbitrary: mutated(valid) },
        { weight: 1, arbitrary: anyValue },
      )
    : anyValue;
  return input.map((i) => ({ channel, input: i }));
});

/** What can also cross Electron IPC (structured clone) but not JSON. */
export const ipcOnlyValue: fc.Arbitrary<unknown> = fc.constantFrom(
  new Date(0),
  new Map([['a', 1]]),
  new Set([1]),
  10n,
  new Uint8Array([1, 2]),
  /re/,
  new Error('x'),
  NaN,
  Infinity,
  undefined,
);
