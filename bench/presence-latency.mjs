/**
 * Presence latency, as a console sees it: the bench connects agents itself and watches the hub's
 * console bridge (the same delta stream the UI gets).
 *  - clean disconnect (close 1000) → the delta that shows the agent offline;
 *  - silent agent (stops reading: no pong, TCP still open) → offline, against the ping interval.
 */
import WebSocket from 'ws';
import { helloFrame, percentile, round, sleep, startHub, TOKEN, until } from './lib.mjs';

function connectAgent(url, agentId) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    ws.once('open', () => ws.send(helloFrame(agentId)));
    ws.once('message', () => resolve(ws)); // welcome
    ws.once('error', reject);
  });
}

/** Console bridge: records when each agent was first seen online / offline in a delta. */
async function watchConsole(bridgeUrl) {
  const ws = new WebSocket(bridgeUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const online = new Map();
  const offline = new Map();
  ws.on('message', (data) => {
    const at = performance.now();
    const message = JSON.parse(data.toString());
    if (message.kind !== 'event' || message.event !== 'delta') return;
    for (const agent of message.payload.agents) {
      const seen = agent.presence === 'online' ? online : agent.presence === 'offline' ? offline : null;
      if (seen && !seen.has(agent.agentId)) seen.set(agent.agentId, at);
    }
  });
  ws.send(JSON.stringify({ id: 1, channel: 'getSnapshot' })); // subscribes this console
  return { ws, online, offline };
}

export async function presenceLatency({ agents = 200, silent = 20, pingIntervalSec = 2, log = console.log }) {
  const hub = await startHub({ env: { CENTRALIZER_PING_INTERVAL_SEC: String(pingIntervalSec) } });
  const console_ = await watchConsole(hub.bridgeUrl);
  const url = `${hub.gatewayUrl}/agent/v1`;
  const sockets = [];
  try {
    for (let i = 0; i < agents + silent; i++) sockets.push(await connectAgent(url, `lat-${i}`));
    await until(() => console_.online.size >= agents + silent, 20_000, 'agents online on the console');

    log(`  clean disconnects: ${agents} agents, one every 20 ms…`);
    const clean = [];
    for (let i = 0; i < agents; i++) {
      const started = performance.now();
      sockets[i].close(1000);
      await until(() => console_.offline.has(`lat-${i}`), 5000, `lat-${i} offline`, 1);
      clean.push(console_.offline.get(`lat-${i}`) - started);
      await sleep(20);
    }

    log(`  silent agents: ${silent}, ping interval ${pingIntervalSec} s…`);
    const silentStart = new Map();
    for (let i = agents; i < agents + silent; i++) {
      silentStart.set(`lat-${i}`, performance.now());
      sockets[i].pause(); // stop reading: pings go unanswered, the TCP connection stays up
      await sleep(Math.round((pingIntervalSec * 1000) / silent)); // spread over the ping cycle
    }
    await until(
      () => [...silentStart.keys()].every((id) => console_.offline.has(id)),
      pingIntervalSec * 4000,
      'silent agents offline',
    );
    const silentMs = [...silentStart].map(([id, t]) => console_.offline.get(id) - t);
    return [
      {
        case: 'clean disconnect → console delta',
        samples: clean.length,
        'p50 ms': round(percentile(clean, 50)),
        'p99 ms': round(percentile(clean, 99)),
        'max ms': round(Math.max(...clean)),
        'limit ms': 250,
      },
      {
        case: `silent agent → offline (ping ${pingIntervalSec} s)`,
        samples: silentMs.length,
        'p50 ms': round(percentile(silentMs, 50)),
        'p99 ms': round(percentile(silentMs, 99)),
        'max ms': round(Math.max(...silentMs)),
        'limit ms': 2 * pingIntervalSec * 1000,
      },
    ];
  } finally {
    for (const s of sockets) s.terminate();
    console_.ws.close();
    await hub.stop();
  }
}
