/**
 * Fuzz: RabbitMQ message bodies. The hub's consumer of agent events (parseAgentEvent: job events and
 * config reports, with the routing key it came with) and the agent's consumer of `config` messages
 * (ConfigApplier.handle, what ConfigConsumer runs per delivery).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_BROKER_MESSAGE_BYTES } from '../../src-shared/broker-protocol';
import { agentIdOfRoutingKey, parseAgentEvent } from '../../src-main/hub/broker/job-events-consumer';
import { ConfigApplier, MemoryConfigStore } from '../../src-agent/config-apply';
import { frames, hostileString } from './arbitraries';
import { assertClearMessage, assertNoPollution, fuzz, fuzzAsync, timeoutFor } from './harness';
import { agentEventMsg, brokerConfigMsg } from './messages';

const routingKey = fc.oneof(
  fc.constant(null), // "use the key that names the body's agent"
  fc.constantFrom('agent.x.job', 'agent..job', 'agent.a.b.c.config', '', '#', 'agent.__proto__.job'),
  hostileString,
);

describe('fuzz: broker messages', () => {
  afterAll(assertNoPollution);

  it(
    'parseAgentEvent: valid events with their own routing key are accepted, the rest refused with a reason',
    () => {
      const arb = fc.tuple(frames(agentEventMsg), routingKey);
      fuzz('broker agent event', arb, ([frame, key]) => {
        const body = Buffer.from(frame.text, 'utf8');
        const bodyAgent = (frame.value as { agentId?: unknown } | undefined)?.agentId;
        const routing = key ?? `agent.${typeof bodyAgent === 'string' ? bodyAgent : 'x'}.job`;
        const result = parseAgentEvent({ content: body, fields: { routingKey: routing } as never });
        if (result.ok) {
          const named = agentIdOfRoutingKey(routing);
          if (named !== null) expect(named).toBe(result.event.agentId);
          return 'accepted';
        }
        if (frame.valid && key === null && body.length <= MAX_BROKER_MESSAGE_BYTES) {
          throw new Error(`valid event refused: ${result.reason}`);
        }
        assertClearMessage('parseAgentEvent', result.reason);
        expect(result.reason.length).toBeLessThan(2_000); // it goes into the dead-letter headers
        return 'rejected';
      });
    },
    timeoutFor('broker agent event', 0.5),
  );

  it(
    "ConfigApplier.handle: the agent's config consumer never throws, refusals say why",
    async () => {
      const applier = new ConfigApplier({ agentId: 'agent-1', store: new MemoryConfigStore() });
      const arb = frames(brokerConfigMsg(fc.constant('agent-1')));
      await fuzzAsync('broker config (agent side)', arb, async ({ text, valid }) => {
        const decision = await applier.handle(Buffer.from(text, 'utf8'));
        if (decision.action === 'requeue') throw new Error('memory store cannot fail, yet requeue');
        if (decision.action === 'reject' || decision.outcome === 'rejected') {
          if (valid) throw new Error(`valid config refused: ${decision.reason}`);
          assertClearMessage('ConfigApplier.handle', decision.reason);
          return 'rejected';
        }
        return 'accepted';
      });
    },
    timeoutFor('broker config (agent side)', 1),
  );
});
