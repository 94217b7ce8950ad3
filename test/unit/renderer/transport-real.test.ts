import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { BridgeMessage, BridgeRequest } from '../../../src-shared/console-api';
import { BRIDGE_PATH } from '../../../src-shared/console-channels';
import { CONSOLE_REQUEST_CHANNELS, type PreloadApi } from '../../../src-shared/console-channels';
import { createIpcTransport } from '../../../src-renderer/transport/ipc';
import { createWebSocketTransport, type WebSocketLike } from '../../../src-renderer/transport/websocket';
import { delta, snapshot } from './fixtures';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('websocket transport against a real ws server', () => {
  it('authenticates with the token in the URL, frames requests, receives results and events', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: BRIDGE_PATH });
    cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
    const seenUrls: string[] = [];
    wss.on('connection', (socket, req) => {
      seenUrls.push(req.url ?? '');
      socket.on('message', (data) => {
        const request = JSON.parse(String(data)) as BridgeRequest;
        const reply: BridgeMessage =
          request.channel === 'getSnapshot'
            ? { kind: 'result', id: request.id, ok: true, value: snapshot(3, []) }
            : {
                kind: 'result',
                id: request.id,
                ok: false,
                error: { code: 'unknown_channel', message: 'no such channel' },
              };
        socket.send(JSON.stringify(reply));
        socket.send(
          JSON.stringify({ kind: 'event', event: 'delta', payload: delta(4) } satisfies BridgeMessage),
        );
      });
    });
    await new Promise((r) => wss.once('listening', r));
    const { port } = wss.address() as AddressInfo;

    const transport = createWebSocketTransport({
      url: `ws://127.0.0.1:${port}${BRIDGE_PATH}?token=abc`,
      createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    });
    cleanups.push(() => transport.dispose());
    const deltas: number[] = [];
    transport.on('delta', (d) => deltas.push(d.seq));

    await expect(transport.call('getSnapshot', undefined)).resolves.toMatchObject({ seq: 3 });
    expect(transport.connection().status).toBe('open');
    expect(seenUrls).toEqual([`${BRIDGE_PATH}?token=abc`]);
    await expect(transport.call('getAgentConnectionInfo', undefined)).rejects.toMatchObject({
      code: 'unknown_channel',
    });
    await expect.poll(() => deltas).toEqual([4, 4]);
  });
});

describe('ipc transport', () => {
  it('maps calls to the preload functions, forwards events and cleans Electron error prefixes', async () => {
    const listeners = new Set<(p: unknown) => void>();
    const preload: PreloadApi = {
      request: {
        // Every channel of the contract exists; the ones this test does not use reject.
        ...(Object.fromEntries(
          CONSOLE_REQUEST_CHANNELS.map((c) => [c, () => Promise.reject(new Error(`unexpected ${c}`))]),
        ) as PreloadApi['request']),
        getSnapshot: async () => snapshot(7, []),
        getAgentDetail: async (input) => ({ echo: input }),
        getServerDetail: async () => {
          throw new Error(
            "Error invoking remote method 'console:getServerDetail': ConsoleError: serverId: required",
          );
        },
        getAgentConnectionInfo: async () => null,
      },
      on(_event, listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const transport = createIpcTransport(preload);
    await expect(transport.call('getSnapshot', undefined)).resolves.toMatchObject({ seq: 7 });
    await expect(transport.call('getAgentDetail', { agentId: 'a1' })).resolves.toEqual({
      echo: { agentId: 'a1' },
    });
    await expect(transport.call('getServerDetail', { serverId: '' })).rejects.toThrow(/^serverId: required$/);
    const got: number[] = [];
    const off = transport.on('delta', (d) => got.push(d.seq));
    for (const l of listeners) l(delta(9));
    off();
    expect(listeners.size).toBe(0);
    expect(got).toEqual([9]);
    expect(transport.connection().status).toBe('open');
  });
});
