import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_PATH, type BridgeMessage } from '../../src-shared';
import { startConsoleServer, type RunningConsoleServer } from '../../src-main/headless/console-server';
import { silentLogger } from '../../src-main/hub/logger';
import { hello } from '../helpers/messages';
import { rawAgent, startTestHub, waitFor, type TestHub } from '../helpers/hub';

let t: TestHub;
let server: RunningConsoleServer;
let rendererDir: string;
const TOKEN = 'console-token-0123456789abcdef';

beforeAll(async () => {
  t = await startTestHub();
  rendererDir = mkdtempSync(join(tmpdir(), 'ac-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
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
  await server.close();
  await t.close();
  rmSync(rendererDir, { recursive: true, force: true });
});

const base = () => `127.0.0.1:${server.port}`;

function bridge(token: string, origin?: string) {
  const ws = new WebSocket(`ws://${base()}${BRIDGE_PATH}?token=${token}`, origin ? { origin } : {});
  const messages: BridgeMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as BridgeMessage));
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  let id = 0;
  const call = async (channel: string, input?: unknown) => {
    const myId = ++id;
    ws.send(JSON.stringify({ id: myId, channel, input }));
    return waitFor(() => messages.find((m) => m.kind === 'result' && m.id === myId), 3000, channel);
  };
  return { ws, messages, opened, call };
}

describe('headless console server', () => {
  it('prints a URL that carries the token', () => {
    expect(server.url).toBe(`http://${base()}/?token=${TOKEN}`);
  });

  it('serves the UI with a strict CSP and no referrer', async () => {
    const res = await fetch(`http://${base()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toContain('<title>console</title>');
    expect((await fetch(`http://${base()}/assets/app.js`)).headers.get('content-type')).toContain(
      'javascript',
    );
  });

  it('does not serve files outside the UI folder', async () => {
    const res = await fetch(`http://${base()}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(res.status);
    expect((await fetch(`http://${base()}/`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses the bridge with a wrong token or a foreign origin', async () => {
    await expect(bridge('wrong').opened).rejects.toThrow('HTTP 401');
    await expect(bridge(TOKEN, 'http://evil.example').opened).rejects.toThrow('HTTP 403');
  });

  it('answers console calls, validates inputs and pushes deltas', async () => {
    const b = bridge(TOKEN, `http://${base()}`);
    await b.opened;
    const snap = await b.call('getSnapshot');
    expect(snap).toMatchObject({ ok: true, value: { agents: [], status: { mode: 'headless' } } });

    expect(await b.call('getAgentDetail', { agentId: 'bad id!' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await b.call('dropDatabase')).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    expect(await b.call('getAgentDetail', { agentId: 'nobody' })).toMatchObject({ ok: true, value: null });

    b.ws.send('not json');
    await waitFor(() => b.messages.find((m) => m.kind === 'result' && m.id === -1), 2000, 'framing error');

    const agent = rawAgent(t.url);
    await agent.opened;
    agent.send(hello({ agentId: 'bridge-agent' }));
    const event = await waitFor(
      () =>
        b.messages.find(
          (m) =>
            m.kind === 'event' &&
            (m.payload as { agents: { agentId: string }[] }).agents.some((a) => a.agentId === 'bridge-agent'),
        ),
      2000,
      'delta event',
    );
    expect(event).toMatchObject({ kind: 'event', event: 'delta' });
    const info = await b.call('getAgentConnectionInfo');
    expect(info).toMatchObject({ ok: true, value: { tokenSource: 'env', urls: [t.url] } });
    agent.ws.close();
    b.ws.close();
  });
});
