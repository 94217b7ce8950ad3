/** Start a real hub on free loopback ports with a temporary data dir, and helpers to watch it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { AGENT_WS_PATH, type AlertNotification, type FleetDelta, type FleetSnapshot } from '../../src-shared';
import { createHub, type Hub } from '../../src-main/hub/hub';
import { silentLogger, type Logger } from '../../src-main/hub/logger';

export const TEST_TOKEN = 'test-agent-token-0123456789';

export interface TestHub {
  hub: Hub;
  dataDir: string;
  url: string;
  deltas: FleetDelta[];
  /** Alert notifications pushed to consoles, in order. */
  notifications: AlertNotification[];
  snapshot(): Promise<FleetSnapshot>;
  close(): Promise<void>;
}

export async function startTestHub(
  env: Record<string, string> = {},
  options: { dataDir?: string; logger?: Logger; keepDataDir?: boolean } = {},
): Promise<TestHub> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ac-hub-'));
  const hub = createHub({
    mode: 'headless',
    dataDir,
    logger: options.logger ?? silentLogger,
    env: {
      CENTRALIZER_GATEWAY_HOST: '127.0.0.1',
      CENTRALIZER_GATEWAY_PORT: '0',
      CENTRALIZER_AGENT_TOKEN: TEST_TOKEN,
      // Plain ws keeps the many protocol tests simple; gateway-tls.test.ts covers wss and pinning.
      CENTRALIZER_GATEWAY_TLS: 'off',
      CENTRALIZER_PING_INTERVAL_SEC: '0.3',
      CENTRALIZER_METRICS_INTERVAL_SEC: '0.2',
      ...env,
    },
  });
  const deltas: FleetDelta[] = [];
  const notifications: AlertNotification[] = [];
  hub.console.subscribe((event, payload) => {
    if (event === 'delta') deltas.push(payload as FleetDelta);
    else notifications.push(payload as AlertNotification);
  });
  await hub.start();
  const port = hub.status().gateway.port;
  return {
    hub,
    dataDir,
    url: `${hub.status().gateway.tls?.mode === 'off' ? 'ws' : 'wss'}://127.0.0.1:${port}${AGENT_WS_PATH}`,
    deltas,
    notifications,
    snapshot: () => hub.console.request('getSnapshot', undefined) as Promise<FleetSnapshot>,
    async close() {
      await hub.stop();
      if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw protocol client that records every frame it receives. */
export function rawAgent(url: string, options: { token?: string | null; autoPong?: boolean } = {}) {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TEST_TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const ws = new WebSocket(url, { headers, autoPong: options.autoPong ?? true });
  const received: Record<string, unknown>[] = [];
  ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    received,
    opened,
    closed,
    send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
  };
}
