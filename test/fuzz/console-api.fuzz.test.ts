/**
 * Fuzz: console API calls, through the three layers that take them from outside the hub:
 *  - ConsoleService.request (the validation both transports share), with recording handlers;
 *  - the Electron IPC handlers (registerConsoleIpc with the mocked electron), trusted and untrusted
 *    senders, inputs that only structured clone can carry;
 *  - the headless bridge over a real WebSocket to a real hub: one answer per frame, a clear error
 *    for each bad one, and the bridge keeps serving.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import {
  BRIDGE_MAX_PAYLOAD,
  BRIDGE_PATH,
  CONSOLE_REQUEST_CHANNELS,
  ConsoleError,
  ipcRequestChannel,
  type BridgeMessage,
  type ConsoleHandlers,
} from '../../src-shared';
import { createConsoleService } from '../../src-main/hub/console-service';
import { registerConsoleIpc } from '../../src-main/electron/ipc';
import type { IpcResult } from '../../src-main/electron/ipc-result';
import { startConsoleServer, type RunningConsoleServer } from '../../src-main/headless/console-server';
import { silentLogger } from '../../src-main/hub/logger';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub';
import { ipcMain, MockWebContents, MockWebFrameMain } from '../unit/electron/electron-mock';
import { anyValue, junkText, toJsonText } from './arbitraries';
import { consoleCall, ipcOnlyValue, type ConsoleCall } from './console-inputs';
import { assertClearMessage, assertNoPollution, fuzzAsync, timeoutFor, type Outcome } from './harness';

vi.mock('electron', () => import('../unit/electron/electron-mock'));

const CLIENT_ERRORS = new Set(['bad_request', 'unknown_channel']);

function recordingService() {
  const calls: { channel: string; input: unknown }[] = [];
  const handlers = Object.fromEntries(
    CONSOLE_REQUEST_CHANNELS.map((channel) => [
      channel,
      async (input: unknown) => {
        calls.push({ channel, input });
        return null;
      },
    ]),
  ) as unknown as ConsoleHandlers;
  return { calls, service: createConsoleService(handlers, () => () => undefined) };
}

/** A rejection from the console layer: a ConsoleError with a client code and a clear message. */
function checkRejection(where: string, error: unknown, channel: unknown): Outcome {
  if (!(error instanceof ConsoleError))
    throw new Error(`${where}: rejected with a non-ConsoleError: ${String(error)}`);
  if (!CLIENT_ERRORS.has(error.code)) throw new Error(`${where}: ${error.code}: ${error.message}`);
  assertClearMessage(where, error.message);
  if (
    error.code === 'bad_request' &&
    typeof channel === 'string' &&
    !error.message.startsWith(`${channel}: `)
  ) {
    throw new Error(`${where}: bad_request does not name the channel: ${error.message}`);
  }
  return 'rejected';
}

describe('fuzz: console requests (ConsoleService)', () => {
  afterAll(assertNoPollution);

  it(
    'runs a handler only with a validated input; everything else is bad_request / unknown_channel',
    async () => {
      const { calls, service } = recordingService();
      const call = fc.oneof(
        { weight: 8, arbitrary: consoleCall },
        { weight: 1, arbitrary: fc.record({ channel: anyValue as fc.Arbitrary<string>, input: anyValue }) },
        {
          weight: 1,
          arbitrary: fc.record({
            channel: fc.constantFrom(...CONSOLE_REQUEST_CHANNELS),
            input: ipcOnlyValue,
          }),
        },
      );
      await fuzzAsync('console request', call, async ({ channel, input }: ConsoleCall) => {
        const before = calls.length;
        try {
          await service.request(channel, input);
        } catch (error) {
          if (calls.length !== before) throw new Error('a handler ran for a rejected call');
          return checkRejection('ConsoleService', error, channel);
        }
        expect(calls.length).toBe(before + 1);
        expect(calls[before]!.channel).toBe(channel);
        return 'accepted';
      });
    },
    timeoutFor('console request', 1),
  );
});

describe('fuzz: Electron IPC handlers (mocked electron)', () => {
  afterAll(assertNoPollution);

  it(
    'always answers an IpcResult; untrusted senders get forbidden and reach nothing',
    async () => {
      ipcMain.handlers.clear();
      const { calls, service } = recordingService();
      const contents = new MockWebContents();
      const trustedFrame = new MockWebFrameMain('file:///app/index.html');
      const trusted = new Set<unknown>([trustedFrame]);
      const dispose = registerConsoleIpc(ipcMain as unknown as IpcMain, service, (event) =>
        trusted.has(event.senderFrame),
      );
      const eventFor = (isTrusted: boolean): IpcMainInvokeEvent =>
        ({
          sender: contents,
          senderFrame: isTrusted ? trustedFrame : new MockWebFrameMain('https://evil.example/'),
          processId: 100,
          frameId: 1,
        }) as never;
      const arb = fc.record({
        call: fc.oneof(
          { weight: 4, arbitrary: consoleCall },
          {
            weight: 1,
            arbitrary: fc.record({
              channel: fc.constantFrom(...CONSOLE_REQUEST_CHANNELS),
              input: ipcOnlyValue,
            }),
          },
        ),
        isTrusted: fc.boolean(),
      });
      try {
        await fuzzAsync('ipc handler', arb, async ({ call, isTrusted }) => {
          const ipcChannel = ipcRequestChannel(call.channel);
          if (!ipcMain.handlers.has(ipcChannel)) return 'rejected'; // Electron itself refuses: no handler
          const before = calls.length;
          const result = (await ipcMain.invoke(ipcChannel, eventFor(isTrusted), call.input)) as IpcResult;
          if (result.ok) {
            expect(isTrusted).toBe(true);
            expect(calls.length).toBe(before + 1);
            return 'accepted';
          }
          expect(calls.length).toBe(before);
          if (!isTrusted) expect(result.error.code).toBe('forbidden');
          else expect(CLIENT_ERRORS.has(result.error.code)).toBe(true);
          assertClearMessage('ipc', result.error.message);
          return 'rejected';
        });
      } finally {
        dispose();
      }
    },
    timeoutFor('ipc handler', 2),
  );
});

describe('fuzz: headless bridge over a real WebSocket', () => {
  let t: TestHub;
  let server: RunningConsoleServer;
  let rendererDir: string;
  const TOKEN = 'console-token-fuzz-0123456789';

  beforeAll(async () => {
    t = await startTestHub();
    rendererDir = mkdtempSync(join(tmpdir(), 'ac-fuzz-renderer-'));
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
    server = await startConsoleServer({
      console: t.hub.console,
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      rendererDir,
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    rmSync(rendererDir, { recursive: true, force: true });
    assertNoPollution();
  });

  async function connect() {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${BRIDGE_PATH}?token=${TOKEN}`);
    const results: Extract<BridgeMessage, { kind: 'result' }>[] = [];
    let wake: (() => void) | undefined;
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as BridgeMessage;
      if (m.kind === 'result') results.push(m);
      wake?.();
    });
    ws.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    /** The `index`-th result, as soon as it arrives (no polling: cases must be cheap). */
    const result = (index: number) =>
      new Promise<Extract<BridgeMessage, { kind: 'result' }>>((resolve) => {
        const check = (): void => {
          if (results[index]) {
            wake = undefined;
            resolve(results[index]);
          }
        };
        wake = check;
        check();
      });
    return { ws, results, result };
  }

  /** A frame: a request envelope around a fuzzed call, a hostile envelope, junk text or bytes. */
  const frame = fc.oneof(
    { weight: 6, arbitrary: consoleCall.map((c) => ({ kind: 'call' as const, ...c })) },
    {
      weight: 1,
      arbitrary: anyValue.map((v) => ({ kind: 'text' as const, text: toJsonText(v), binary: false })),
    },
    {
      weight: 1,
      arbitrary: junkText(fc.constant('{"id":1,"channel":"getSnapshot"}')).map((text) => ({
        kind: 'text' as const,
        text,
        binary: false,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({
        kind: 'text' as const,
        text: Buffer.from(b).toString('latin1'),
        binary: true,
      })),
    },
  );

  it(
    'answers every frame once (a result for its id, or id -1 for a bad envelope) and keeps serving',
    async () => {
      let conn = await connect();
      let nextId = 0;
      await fuzzAsync('bridge calls', frame, async (f) => {
        const id = ++nextId;
        const text = f.kind === 'call' ? toJsonText({ id, channel: f.channel, input: f.input }) : f.text;
        const bytes = Buffer.byteLength(text);
        if (bytes > BRIDGE_MAX_PAYLOAD) {
          // Refused by the ws layer before the bridge reads it (1009); the console reconnects.
          const closed = new Promise<number>((resolve) => conn.ws.once('close', resolve));
          conn.ws.send(text);
          expect(await closed).toBe(1009);
          conn = await connect();
          return 'rejected';
        }
        const seen = conn.results.length;
        conn.ws.send(f.kind === 'text' && f.binary ? Buffer.from(text, 'latin1') : text);
        const answer = await conn.result(seen);
        if (f.kind === 'call') {
          if (answer.id === -1) {
            // The envelope itself was bad: only possible when the input cannot be in it.
            expect(answer.ok).toBe(false);
            return 'rejected';
          }
          expect(answer.id).toBe(id);
        } else {
          expect([id, -1, ...(answer.id >= 0 ? [answer.id] : [])]).toContain(answer.id);
        }
        if (answer.ok) return 'accepted';
        expect(CLIENT_ERRORS.has(answer.error.code)).toBe(true);
        assertClearMessage('bridge', answer.error.message);
        return 'rejected';
      });
      // After all that: the same connection (or its replacement) still serves a good call.
      conn.ws.send(JSON.stringify({ id: 999_999_999, channel: 'getSnapshot' }));
      const ok = await waitFor(() => conn.results.find((r) => r.id === 999_999_999), 5_000, 'snapshot');
      expect(ok.ok).toBe(true);
      conn.ws.close();
    },
    timeoutFor('bridge calls', 20),
  );
});
