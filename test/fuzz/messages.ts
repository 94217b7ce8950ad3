/** Valid messages of the agent and broker protocols, as arbitraries built from the schemas' shapes. */
import fc from 'fast-check';
import { REFERENCE_CONFIG_SCHEMA } from '../../src-agent/config-schema';
import { agentId, bytes, configDoc, labels, percent, revision, str, ts } from './arbitraries';

const nonneg = fc.double({ min: 0, max: 64, noNaN: true });

export const helloMsg = fc.record(
  {
    type: fc.constant('hello'),
    protocol: fc.constant(1),
    agentId,
    name: str(1, 128),
    hostname: str(1, 255),
    platform: fc.constantFrom('linux', 'win32', 'darwin', 'freebsd'),
    arch: fc.constantFrom('x64', 'arm64', ''),
    agentVersion: str(1, 64),
    labels,
    configRevision: fc.nat(),
    configSchema: fc.constantFrom(REFERENCE_CONFIG_SCHEMA, { type: 'object' }, {}),
  },
  { requiredKeys: ['type', 'protocol', 'agentId', 'name', 'hostname', 'platform', 'agentVersion'] },
);

export const metricsMsg = fc.record(
  {
    type: fc.constant('metrics'),
    ts,
    cpu: fc.record({
      percent,
      cores: fc.integer({ min: 1, max: 4096 }),
      load: fc.tuple(nonneg, nonneg, nonneg),
    }),
    memory: fc.record({ usedBytes: bytes, totalBytes: bytes }),
    disks: fc.array(
      fc.record(
        { mount: str(1, 256), fs: str(0, 64), usedBytes: bytes, totalBytes: bytes },
        { requiredKeys: ['mount', 'usedBytes', 'totalBytes'] },
      ),
      { maxLength: 6 },
    ),
    network: fc.record({ rxBytesPerSec: bytes, txBytesPerSec: bytes }),
    uptimeSec: bytes,
    configRevision: fc.nat(),
  },
  { requiredKeys: ['type', 'ts', 'cpu', 'memory', 'disks', 'network', 'uptimeSec'] },
);

export const heartbeatMsg = fc.record(
  { type: fc.constant('heartbeat'), ts, configRevision: fc.nat() },
  { requiredKeys: ['type', 'ts'] },
);

export const wsConfigReportMsg = fc.record(
  {
    type: fc.constant('config.report'),
    revision,
    status: fc.constantFrom('applied', 'rejected'),
    error: str(0, 2000),
    ts,
  },
  { requiredKeys: ['type', 'revision', 'status', 'ts'] },
);

export const agentMsg = fc.oneof(helloMsg, metricsMsg, heartbeatMsg, wsConfigReportMsg);

export const welcomeMsg = fc.record({
  type: fc.constant('welcome'),
  protocol: fc.constant(1),
  metricsIntervalSec: fc.double({ min: 0.01, max: 3600, noNaN: true }),
  pingIntervalSec: fc.double({ min: 0.01, max: 3600, noNaN: true }),
  serverTime: ts,
});

export const errorFrameMsg = fc.record({
  type: fc.constant('error'),
  code: fc.constantFrom(
    'malformed',
    'too_large',
    'unknown_type',
    'invalid',
    'hello_required',
    'duplicate_hello',
  ),
  message: str(0, 200),
  violations: fc.nat({ max: 10 }),
});

export function wsConfigMsg(): fc.Arbitrary<{
  type: 'config';
  revision: number;
  issuedAt: number;
  config: object;
}> {
  return fc.record({ type: fc.constant('config' as const), revision, issuedAt: ts, config: configDoc });
}

/** Enrollment answer (hub → agent): the agent's own credential. */
export const enrolledMsg = fc.record({
  type: fc.constant('enrolled'),
  agentId,
  credential: fc.string({ unit: fc.constantFrom(...'abcXYZ019_-'), minLength: 32, maxLength: 256 }),
  status: fc.constantFrom('accepted', 'pending'),
});

export const hubMsg = fc.oneof(welcomeMsg, errorFrameMsg, wsConfigMsg(), enrolledMsg);

export const jobEventMsg = fc.record(
  {
    type: fc.constant('job'),
    eventId: str(1, 128),
    event: fc.constantFrom('started', 'progress', 'finished', 'failed'),
    agentId,
    jobId: str(1, 128),
    name: str(1, 256),
    ts,
    startedAt: ts,
    progress: percent,
    message: str(0, 2000),
    exitCode: fc.integer({ min: -255, max: 255 }),
  },
  { requiredKeys: ['type', 'eventId', 'event', 'agentId', 'jobId', 'name', 'ts'] },
);

export const configReportMsg = fc.record(
  {
    type: fc.constant('config.report'),
    eventId: str(1, 128),
    agentId,
    revision,
    status: fc.constantFrom('applied', 'rejected'),
    error: str(0, 2000),
    ts,
  },
  { requiredKeys: ['type', 'eventId', 'agentId', 'revision', 'status', 'ts'] },
);

export const agentEventMsg = fc.oneof(jobEventMsg, configReportMsg);

export function brokerConfigMsg(forAgent: fc.Arbitrary<string>) {
  return fc.record({
    type: fc.constant('config'),
    agentId: forAgent,
    revision,
    issuedAt: ts,
    config: configDoc,
  });
}
