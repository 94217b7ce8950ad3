import { describe, expect, it } from 'vitest';
import {
  ConsoleError,
  CONSOLE_REQUEST_CHANNELS,
  type PreloadApi,
} from '../../../src-shared/console-channels';
import { createIpcTransport, toConsoleError } from '../../../src-renderer/transport/ipc';

function preloadRejecting(error: unknown): PreloadApi {
  const request = Object.fromEntries(
    CONSOLE_REQUEST_CHANNELS.map((c) => [c, () => Promise.reject(error)]),
  ) as PreloadApi['request'];
  return { request, on: () => () => {} };
}

describe('IPC error codes', () => {
  it.each([
    ['[bad_request] port: must be 1–65535', 'bad_request', 'port: must be 1–65535'],
    ['[unknown_channel] no such channel', 'unknown_channel', 'no such channel'],
    ['[forbidden] sender not allowed', 'forbidden', 'sender not allowed'],
    ['[internal] broker exploded\nsecond line', 'internal', 'broker exploded\nsecond line'],
    ['Error: [bad_request] host: required', 'bad_request', 'host: required'],
    [
      "Error invoking remote method 'console:saveBrokerSettings': Error: [bad_request] vhost: required",
      'bad_request',
      'vhost: required',
    ],
  ])('%j → %s', (message, code, text) => {
    const e = toConsoleError(new Error(message));
    expect(e).toBeInstanceOf(ConsoleError);
    expect(e.code).toBe(code);
    expect(e.message).toBe(text);
  });

  it('keeps messages without a known code whole, as internal errors', () => {
    for (const message of ['[teapot] short and stout', 'plain failure', '[bad_request]no space']) {
      const e = toConsoleError(new Error(message));
      expect(e.code).toBe('internal');
      expect(e.message).toBe(message);
    }
    expect(toConsoleError('a string').message).toBe('a string');
    const original = new ConsoleError('forbidden', 'kept');
    expect(toConsoleError(original)).toBe(original);
  });

  it('makes the IPC transport reject with a ConsoleError carrying the code', async () => {
    const transport = createIpcTransport(preloadRejecting(new Error('[bad_request] port: too big')));
    const error = await transport
      .call('saveBrokerSettings', {
        host: 'mq',
        port: 1,
        username: 'u',
        vhost: '/',
        tls: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsoleError);
    expect(error).toMatchObject({ code: 'bad_request', message: 'port: too big', name: 'ConsoleError' });
  });
});
