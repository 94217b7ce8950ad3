/**
 * The hub's console API, transport-agnostic. Electron IPC (src-main/electron/ipc.ts) and the headless
 * WebSocket bridge (src-main/headless/bridge.ts) are thin adapters over this: they check who is
 * calling, then hand the raw channel name and input here, where they are validated against the
 * shared contract before any handler runs.
 */
import {
  ConsoleError,
  consoleRequestInputs,
  describeZodError,
  isRequestChannel,
  type ConsoleEvents,
  type ConsoleHandlers,
  type EventChannel,
  type RequestChannel,
  type RequestOutput,
} from '../../src-shared';

export type ConsoleEventListener = <E extends EventChannel>(event: E, payload: ConsoleEvents[E]) => void;

export interface ConsoleService {
  /** Validate and run one request. Rejects with a ConsoleError (never anything else). */
  request(channel: unknown, input: unknown): Promise<unknown>;
  /** Pushed events (coalesced deltas). Returns an unsubscribe function. */
  subscribe(listener: ConsoleEventListener): () => void;
}

export function createConsoleService(
  handlers: ConsoleHandlers,
  subscribe: (listener: ConsoleEventListener) => () => void,
): ConsoleService {
  return {
    async request(channel, input) {
      if (!isRequestChannel(channel)) {
        throw new ConsoleError('unknown_channel', `unknown console channel ${JSON.stringify(channel)}`);
      }
      const parsed = consoleRequestInputs[channel].safeParse(input);
      if (!parsed.success) {
        throw new ConsoleError('bad_request', `${channel}: ${describeZodError(parsed.error)}`);
      }
      try {
        const handler = handlers[channel] as (input: unknown) => Promise<RequestOutput<RequestChannel>>;
        return await handler(parsed.data);
      } catch (error) {
        if (error instanceof ConsoleError) throw error;
        throw new ConsoleError(
          'internal',
          `${channel} failed: ${(error as Error)?.message ?? String(error)}`,
        );
      }
    },
    subscribe,
  };
}
