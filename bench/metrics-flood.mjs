/**
 * Load generator for the ingest ceiling: C WebSocket connections sending metrics frames as fast as
 * the socket drains (kept under a bufferedAmount ceiling so the loader measures the receiver, not
 * its own queue). `--hello` sends an agent hello first and floods once welcomed (the hub); without
 * it, frames go straight out (the bare ws baseline). Prints `sent N` when done.
 *
 *   node bench/metrics-flood.mjs --url ws://… --token T --connections 50 --seconds 10 [--hello] [--prefix p]
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { helloFrame } from './lib.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string', default: '' },
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    hello: { type: 'boolean', default: false },
    prefix: { type: 'string', default: 'flood' },
  },
});
const connections = Number(values.connections);
const until = Date.now() + Number(values.seconds) * 1000;
const HIGH_WATER = 256 * 1024;

function metricsFrame(i) {
  return JSON.stringify({
    type: 'metrics',
    ts: Date.now(),
    cpu: { percent: (i * 7) % 100, cores: 8, load: [0.5, 0.4, 0.3] },
    memory: { usedBytes: 2 * 1024 ** 3, totalBytes: 8 * 1024 ** 3 },
    disks: [{ mount: '/', fs: 'ext4', usedBytes: 10 * 1024 ** 3, totalBytes: 100 * 1024 ** 3 }],
    network: { rxBytesPerSec: 1000, txBytesPerSec: 500 },
    uptimeSec: 3600,
  });
}

let sent = 0;
const done = [];
for (let c = 0; c < connections; c++) {
  done.push(
    new Promise((resolve) => {
      const ws = new WebSocket(values.url, { headers: { authorization: `Bearer ${values.token}` } });
      const frame = metricsFrame(c);
      const pump = () => {
        if (Date.now() > until) {
          // terminate, not close: a saturated receiver may take long to answer a close handshake.
          ws.terminate();
          return;
        }
        // At most a burst per turn: a receiver that keeps up leaves bufferedAmount at 0 (the kernel
        // takes every write), and an unbounded loop would never yield to see the deadline.
        for (let i = 0; i < 200 && ws.readyState === ws.OPEN && ws.bufferedAmount < HIGH_WATER; i++) {
          ws.send(frame);
          sent++;
        }
        setImmediate(pump);
      };
      ws.on('open', () => {
        if (!values.hello) {
          pump();
          return;
        }
        const id = `${values.prefix}-${c}`;
        ws.send(helloFrame(id, `${values.prefix}-host-${c % 20}`));
        // The hub answers a first hello by enrolling the agent (a credential written to disk, then
        // `enrolled` and `welcome`); frames sent before `welcome` are protocol violations.
        ws.on('message', function onWelcome(data) {
          if (JSON.parse(data.toString()).type !== 'welcome') return;
          ws.off('message', onWelcome);
          pump();
        });
      });
      ws.on('close', resolve);
      ws.on('error', resolve);
    }),
  );
}
await Promise.all(done);
console.log(`sent ${sent}`);
