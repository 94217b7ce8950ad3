import { describe, expect, it } from 'vitest';
import { AGENT_LIMITS, HelloSchema, MetricsSchema, parseAgentMessage } from '../../../src-shared';
import { hello, metrics } from '../../helpers/messages';

describe('agent protocol schemas', () => {
  it('accepts a valid hello and fills defaults', () => {
    const { labels: _labels, configRevision: _rev, ...minimal } = hello();
    const parsed = HelloSchema.parse(minimal);
    expect(parsed.labels).toEqual({});
    expect(parsed.configRevision).toBe(0);
  });

  it('accepts valid metrics', () => {
    expect(MetricsSchema.safeParse(metrics()).success).toBe(true);
  });

  it.each([
    ['agent id with spaces', hello({ agentId: 'bad id' })],
    ['empty name', hello({ name: '' })],
    ['negative revision', hello({ configRevision: -1 })],
    [
      'too many labels',
      hello({ labels: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'])) }),
    ],
  ])('rejects hello with %s', (_name, message) => {
    expect(HelloSchema.safeParse(message).success).toBe(false);
  });

  it('rejects unknown keys (strict objects)', () => {
    expect(HelloSchema.safeParse({ ...hello(), extra: 1 }).success).toBe(false);
  });

  it.each([
    ['cpu above 100', metrics({ cpu: { percent: 101, cores: 1, load: [0, 0, 0] } })],
    ['negative memory', metrics({ memory: { usedBytes: -1, totalBytes: 1 } })],
    ['load not a triple', { ...metrics(), cpu: { percent: 1, cores: 1, load: [1] } }],
    ['NaN network', { ...metrics(), network: { rxBytesPerSec: Number.NaN, txBytesPerSec: 0 } }],
  ])('rejects metrics with %s', (_name, message) => {
    expect(MetricsSchema.safeParse(message).success).toBe(false);
  });
});

describe('parseAgentMessage', () => {
  it('returns the typed message', () => {
    const result = parseAgentMessage(JSON.stringify(hello()));
    expect(result).toMatchObject({ ok: true, message: { type: 'hello', agentId: 'agent-1' } });
  });

  it.each([
    ['{not json', 'malformed'],
    ['[1,2]', 'malformed'],
    ['null', 'malformed'],
    ['{"type":"launch-missiles"}', 'unknown_type'],
    ['{"notype":1}', 'unknown_type'],
    ['{"type":"metrics"}', 'invalid'],
  ])('classifies %s as %s', (raw, code) => {
    const result = parseAgentMessage(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.message.length).toBeGreaterThan(0);
    }
  });

  it('refuses oversized input before parsing', () => {
    const big = JSON.stringify({ ...hello(), name: 'x'.repeat(AGENT_LIMITS.maxHelloBytes) });
    expect(parseAgentMessage(big)).toMatchObject({ ok: false, code: 'too_large' });
    // Other messages have the smaller limit; hello may carry a config schema.
    const heartbeat = JSON.stringify({
      type: 'heartbeat',
      ts: 1,
      pad: 'x'.repeat(AGENT_LIMITS.maxMessageBytes),
    });
    expect(parseAgentMessage(heartbeat)).toMatchObject({ ok: false, code: 'too_large' });
    const withSchema = JSON.stringify({ ...hello(), configSchema: { description: 'y'.repeat(20_000) } });
    expect(parseAgentMessage(withSchema)).toMatchObject({ ok: true });
  });

  it('names the offending field', () => {
    const result = parseAgentMessage(
      JSON.stringify({ ...metrics(), cpu: { percent: 'high', cores: 1, load: [0, 0, 0] } }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('cpu.percent');
  });
});
