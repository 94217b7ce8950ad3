/**
 * Baseline for the ingest ceiling: a bare `ws` server with the hub's frame limit that only parses
 * each frame as JSON and counts it. Prints `listening PORT`, then `stats {"messagesPerSec":…}` every
 * second, in the same format as the hub's stats lines.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer();
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024, perMessageDeflate: false });
let messages = 0;
let parsedOk = 0;
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    messages++;
    try {
      if (JSON.parse(data.toString('utf8')).type) parsedOk++;
    } catch {
      // counted as received; the baseline only parses
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
let last = 0;
let lastAt = performance.now();
setInterval(() => {
  const now = performance.now();
  console.log(
    `stats ${JSON.stringify({ at: Date.now(), messages, parsedOk, messagesPerSec: Math.round(((messages - last) * 1000) / (now - lastAt)) })}`,
  );
  last = messages;
  lastAt = now;
}, 1000);
