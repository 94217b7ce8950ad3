/** Valid agent protocol messages for tests, built from the contract's input types. */
import type { HelloInput, Metrics } from '../../src-shared';

export function hello(overrides: Partial<HelloInput> = {}): HelloInput {
  return {
    type: 'hello',
    protocol: 1,
    agentId: 'agent-1',
    name: 'Agent one',
    hostname: 'srv-01',
    platform: 'linux',
    arch: 'x64',
    agentVersion: '1.0.0',
    labels: { env: 'test' },
    configRevision: 0,
    ...overrides,
  };
}

export function metrics(overrides: Partial<Metrics> = {}): Metrics {
  return {
    type: 'metrics',
    ts: Date.now(),
    cpu: { percent: 42.5, cores: 4, load: [0.5, 0.4, 0.3] },
    memory: { usedBytes: 2 * 1024 ** 3, totalBytes: 8 * 1024 ** 3 },
    disks: [{ mount: '/', fs: 'ext4', usedBytes: 10 * 1024 ** 3, totalBytes: 100 * 1024 ** 3 }],
    network: { rxBytesPerSec: 1000, txBytesPerSec: 500 },
    uptimeSec: 3600,
    ...overrides,
  };
}
