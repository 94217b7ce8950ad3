/**
 * Ingest ceiling: metrics frames per second the hub processes at saturation, next to a bare `ws`
 * server that only parses the same JSON, with the same load generator, in the same run.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mean, ROOT, round, sleep, startBareServer, startHub, TOKEN, until } from './lib.mjs';

function flood(url, { connections, seconds, hello }) {
  const args = [join(ROOT, 'bench/metrics-flood.mjs'), '--url', url, '--token', TOKEN];
  args.push('--connections', String(connections), '--seconds', String(seconds));
  if (hello) args.push('--hello');
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (c) => (out += c));
  return new Promise((resolve) => proc.once('exit', () => resolve(Number(/sent (\d+)/.exec(out)?.[1] ?? 0))));
}

/**
 * Frames per second between the first and the last line of the steady part (warm-up and ramp-down
 * lines left out). From counters and timestamps, not an average of per-line rates: a saturated
 * receiver prints its lines late and unevenly.
 */
function steadyRate(lines) {
  const steady = lines.filter((s) => s.messagesPerSec > 0).slice(1, -1);
  if (steady.length < 2) return NaN;
  const first = steady[0];
  const last = steady[steady.length - 1];
  return round(((last.messages - first.messages) * 1000) / (last.at - first.at));
}

async function bareBaseline(options) {
  const bare = await startBareServer();
  try {
    const from = bare.stats.length;
    const sent = await flood(`ws://127.0.0.1:${bare.port}/`, options);
    await sleep(1500);
    return { rate: steadyRate(bare.stats.slice(from)), sent, received: bare.stats.at(-1)?.messages ?? 0 };
  } finally {
    bare.stop();
  }
}

async function hubIngest(options) {
  // A long metrics interval: the flood decides the rate, the hub's own schedule is irrelevant.
  const hub = await startHub({ env: { CENTRALIZER_METRICS_INTERVAL_SEC: '60' } });
  try {
    await until(() => hub.stats.length >= 1, 10_000, 'hub stats');
    const from = hub.stats.length;
    const sent = await flood(`${hub.gatewayUrl}/agent/v1`, { ...options, hello: true });
    await sleep(1500);
    const window = hub.stats.slice(from);
    return {
      rate: steadyRate(window),
      sent,
      received: hub.latest().messages,
      cpu: round(mean(window.slice(2, -1).map((s) => s.cpuPercent))),
    };
  } finally {
    await hub.stop();
  }
}

export async function ingestCeiling({ seconds = 10, connections = 50, log = console.log }) {
  log(`  bare ws + JSON.parse, ${connections} connections, ${seconds} s…`);
  const bare = await bareBaseline({ connections, seconds });
  log(`  hub, same load…`);
  const hub = await hubIngest({ connections, seconds });
  return [
    {
      receiver: 'bare ws + JSON.parse',
      'msgs/s': bare.rate,
      sent: bare.sent,
      received: bare.received,
      'hub cpu %': '',
      'ratio %': 100,
    },
    {
      receiver: 'hub',
      'msgs/s': hub.rate,
      sent: hub.sent,
      received: hub.received,
      'hub cpu %': hub.cpu,
      'ratio %': round((hub.rate / bare.rate) * 100),
    },
  ];
}
