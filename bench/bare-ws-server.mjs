/**
 * Baselines: a bare `ws` server with the hub's frame limit that only parses each frame as JSON and
 * counts it. Prints `listening PORT`, then `stats {…}` every second in the same format as the hub's
 * stats lines (messages, messagesPerSec, cpuPercent of one core, connections).
 *
 *   node bench/bare-ws-server.mjs                      → ingest ceiling baseline (no protocol at all)
 *   node bench/bare-ws-server.mjs --protocol --ping-sec 10 --metrics-sec 5
 *       → transport floor for the gateway-capacity benchmark: answers `hello` with a `welcome` and
 *         pings every connection once per interval in 10 slices (as the hub does), so simulated agents
 *         behave exactly as with the hub; everything the hub does beyond that is the hub's own cost.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({
  options: {
    protocol: { type: 'boolean', default: false },
    'ping-sec': { type: 'string', default: '10' },
    'metrics-sec': { type: 'string', default: '5' },
  },
});
const pingSec = Number(values['ping-sec']);
const metricsSec = Number(values['metrics-sec']);
const SLICES = 10;

const server = createServer();
const wss = new WebSocketServer({
  server,
  maxPayload: 64 * 1024,
  perMessageDeflate: false,
  clientTracking: false,
});
const sockets = new Set();
let messages = 0;
let parsedOk = 0;
let nextId = 0;
wss.on('connection', (ws) => {
  // A stable slice per socket (as the hub's connection id): every socket is pinged once a round.
  ws.slice = nextId++ % SLICES;
  sockets.add(ws);
  ws.on('close', () => sockets.delete(ws));
  ws.on('error', () => {});
  ws.on('message', (data) => {
    messages++;
    try {
      const frame = JSON.parse(data.toString('utf8'));
      if (frame.type) parsedOk++;
      if (values.protocol && frame.type === 'hello') {
        ws.send(
          JSON.stringify({
            type: 'welcome',
            protocol: frame.protocol,
            metricsIntervalSec: metricsSec,
            pingIntervalSec: pingSec,
            serverTime: Date.now(),
          }),
        );
      }
    } catch {
      // counted as received; the baseline only parses
    }
  });
});
if (values.protocol) {
  // Same schedule as the hub's gateway: each tick pings the connections of one slice.
  let tick = 0;
  setInterval(
    () => {
      const slice = tick++ % SLICES;
      for (const ws of sockets) if (ws.slice === slice) ws.ping();
    },
    (pingSec * 1000) / SLICES,
  ).unref();
}
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
let last = 0;
let lastAt = performance.now();
let lastCpu = process.cpuUsage();
setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage(lastCpu);
  const elapsed = now - lastAt;
  console.log(
    `stats ${JSON.stringify({
      at: Date.now(),
      messages,
      parsedOk,
      connections: sockets.size,
      messagesPerSec: Math.round(((messages - last) * 1000) / elapsed),
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 1000) / 10,
    })}`,
  );
  last = messages;
  lastAt = now;
  lastCpu = process.cpuUsage();
}, 1000);
