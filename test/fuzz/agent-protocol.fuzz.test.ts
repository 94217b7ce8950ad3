/**
 * Fuzz: agent ⇄ hub WebSocket frames. The hub's `parseAgentMessage` (what the gateway runs on every
 * frame) and the agent's handling of hub frames (HubMessageSchema, and ConfigApplier.handleWs for
 * `config` frames), plus the agent's stored configuration file.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AGENT_LIMITS,
  ErrorCodeSchema,
  HubMessageSchema,
  describeZodError,
  parseAgentMessage,
} from '../../src-shared/agent-protocol';
import { ConfigApplier, MemoryConfigStore, parseStoredConfig } from '../../src-agent/config-apply';
import { anyValue, frames, junkText, toJsonText } from './arbitraries';
import { assertClearMessage, assertNoPollution, fuzz, fuzzAsync, timeoutFor, type Outcome } from './harness';
import { agentMsg, hubMsg } from './messages';

const CODES = new Set(ErrorCodeSchema.options);

function checkAgentFrame(text: string, valid: boolean): Outcome {
  const byteLength = Buffer.byteLength(text);
  const result = parseAgentMessage(text, byteLength);
  if (result.ok) {
    // Whatever was accepted survives a round trip unchanged (the hub re-serializes it for consoles).
    const again = parseAgentMessage(JSON.stringify(result.message));
    if (!again.ok) throw new Error(`accepted message does not round-trip: ${again.message}`);
    // Compared as JSON: -0 (valid input) is written as 0, which is the same number on the wire.
    expect(JSON.stringify(again.message)).toBe(JSON.stringify(result.message));
    return 'accepted';
  }
  if (valid && byteLength <= AGENT_LIMITS.maxMessageBytes) {
    throw new Error(`valid frame rejected (${result.code}: ${result.message}): ${text.slice(0, 300)}`);
  }
  if (!CODES.has(result.code)) throw new Error(`undocumented error code ${String(result.code)}`);
  assertClearMessage('parseAgentMessage', result.message);
  // An error frame must stay small: the message is echoed to the agent.
  if (result.message.length > 2_000) throw new Error(`error message of ${result.message.length} chars`);
  if (result.code === 'invalid' && !/: /.test(result.message)) {
    throw new Error(`"invalid" without a field: ${result.message}`);
  }
  return 'rejected';
}

describe('fuzz: agent frames (parseAgentMessage)', () => {
  afterAll(assertNoPollution);

  it(
    'accepts every valid frame, rejects everything else with a documented code and a clear message',
    () => {
      fuzz('agent frame', frames(agentMsg), ({ text, valid }) => checkAgentFrame(text, valid));
    },
    timeoutFor('agent frame', 0.5),
  );

  it(
    'accepted frames equal what was sent, with the documented defaults filled in',
    () => {
      fuzz('agent frame round trip', agentMsg, (message) => {
        const result = parseAgentMessage(toJsonText(message));
        if (!result.ok) throw new Error(`valid message rejected: ${result.message}`);
        const expected: Record<string, unknown> = { ...message };
        if (message.type === 'hello') {
          expected.labels ??= {};
          expected.configRevision ??= 0;
        }
        expect(result.message).toEqual(expected);
        return 'accepted';
      });
    },
    timeoutFor('agent frame round trip', 0.5),
  );

  it('regressions: prototype keys, overflowing numbers and deep nesting are refused clearly', () => {
    const cases = [
      '{"type":"heartbeat","ts":1,"__proto__":{"polluted":true}}',
      '{"__proto__":{"type":"heartbeat"},"ts":1}',
      '{"type":"heartbeat","ts":1e999}',
      '{"type":"metrics","ts":1,"cpu":{"percent":-0,"cores":1,"load":[1e999,0,0]}}',
      `{"type":"hello","labels":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
      '{"type":"constructor"}',
      // Finding: the unknown type (and zod's unrecognized-key list) used to be echoed whole, so a
      // 48 KiB frame produced a 48 KiB error frame back.
      `{"type":"${'heartbeat'.repeat(5_000)}"}`,
      `{"type":"heartbeat","ts":1,"${'k'.repeat(10_000)}":1}`,
      // Finding: a deeply nested `type` made the error message's JSON.stringify overflow the stack,
      // so parseAgentMessage threw instead of answering.
      `{"type":${'{"a":'.repeat(9_000)}1${'}'.repeat(9_000)}}`,
      `{"type":${'['.repeat(40_000)}${']'.repeat(40_000)}}`,
    ];
    for (const text of cases) expect(checkAgentFrame(text, false)).toBe('rejected');
    assertNoPollution();
  });
});

describe('fuzz: hub frames as the agent reads them', () => {
  afterAll(assertNoPollution);

  it('regression: a deeply nested revision is refused with a reason, not a stack overflow', async () => {
    const applier = new ConfigApplier({ agentId: 'agent-1', store: new MemoryConfigStore() });
    const frame = JSON.parse(
      `{"type":"config","revision":${'['.repeat(20_000)}${']'.repeat(20_000)},"config":{}}`,
    );
    const decision = await applier.handleWs(frame, 40_050);
    expect(decision).toEqual({
      action: 'reject',
      reason: 'config frame without a valid revision (got an array)',
    });
  });

  it(
    'HubMessageSchema and ConfigApplier.handleWs never throw; refusals say why',
    async () => {
      const applier = new ConfigApplier({ agentId: 'agent-1', store: new MemoryConfigStore() });
      await fuzzAsync('hub frame (agent side)', frames(hubMsg), async ({ text, valid }) => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return 'rejected'; // the client ignores non-JSON frames
        }
        if (typeof json === 'object' && json !== null && (json as { type?: unknown }).type === 'config') {
          const decision = await applier.handleWs(json, Buffer.byteLength(text));
          if (
            decision.action === 'reject' ||
            (decision.action === 'ack' && decision.outcome === 'rejected')
          ) {
            if (valid) throw new Error(`valid config frame refused: ${decision.reason}`);
            assertClearMessage('handleWs', decision.reason);
            return 'rejected';
          }
          if (decision.action === 'requeue') throw new Error('memory store cannot fail, yet requeue');
          return 'accepted';
        }
        const parsed = HubMessageSchema.safeParse(json);
        if (parsed.success) return 'accepted';
        if (valid) throw new Error(`valid hub frame rejected: ${describeZodError(parsed.error)}`);
        assertClearMessage('HubMessageSchema', describeZodError(parsed.error));
        return 'rejected';
      });
    },
    timeoutFor('hub frame (agent side)', 1),
  );

  it(
    "the agent's stored configuration file: parsed or refused with a readable Error, never anything else",
    () => {
      const valid = fc.record({ revision: fc.nat(), appliedAt: fc.nat(), config: fc.object() });
      const text = fc.oneof(valid.map(toJsonText), anyValue.map(toJsonText), junkText(valid.map(toJsonText)));
      fuzz('stored agent config', text, (t) => {
        try {
          const stored = parseStoredConfig(t, 'agent-config.json');
          expect(Number.isInteger(stored.revision) && stored.revision >= 0).toBe(true);
          expect(typeof stored.config === 'object' && !Array.isArray(stored.config)).toBe(true);
          return 'accepted';
        } catch (error) {
          if (!(error instanceof Error)) throw new Error(`threw a non-Error: ${String(error)}`);
          assertClearMessage('parseStoredConfig', error.message);
          expect(error.message).toContain('agent-config.json');
          return 'rejected';
        }
      });
    },
    timeoutFor('stored agent config', 0.5),
  );
});
