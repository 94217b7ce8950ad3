/**
 * Gateway capacity: N connected agents reporting metrics every 5 s. Measures the hub process's CPU
 * (% of one core), event-loop delay and memory per connected agent, from its own `stats` lines.
 *
 * The simulator spreads its agents over several processes (at most 5,000 each), so no process nears
 * the machine's open-file cap; the hub holds one socket per agent.
 */
import { mean, percentile, round, sleep, startBareServer, startHub, startSimulator, until } from './lib.mjs';

const PER_PROCESS = 5000;

/** Connect `size` simulated agents to `url` over several simulator processes; resolves when all are in. */
async function connectAgents(url, size, connections, log) {
  const sims = [];
  const processes = Math.ceil(size / PER_PROCESS);
  const started = Date.now();
  for (let i = 0; i < processes; i++) {
    const count = Math.min(PER_PROCESS, size - i * PER_PROCESS);
    // One loopback source address per process: each gets its own ephemeral ports, so back-to-back
    // runs (whose closed sockets linger in TIME_WAIT) never run short at 15,000 agents and more.
    sims.push(startSimulator({ url, count, prefix: `b${i}`, rate: 1500, localAddress: `127.0.0.${2 + i}` }));
  }
  log(`  ${size} agents: connecting over ${processes} simulator process(es)…`);
  try {
    await until(
      () => {
        const exited = sims.find((s) => s.proc.exitCode !== null);
        if (exited) throw new Error(`simulator exited: ${exited.stderr()}`);
        return connections() >= size;
      },
      60_000 + size * 10,
      `${size} connections`,
      250,
    );
  } catch (error) {
    await Promise.all(sims.map((s) => s.stop()));
    throw error;
  }
  return { sims, connectSec: (Date.now() - started) / 1000 };
}

/**
 * The transport floor: the same agents against a bare `ws` server that answers hello, pings on the
 * hub's schedule and JSON-parses every frame, nothing else. CPU % of one core, same run, same machine.
 */
async function transportFloor({ size, durationSec, metricsIntervalSec, log }) {
  const bare = await startBareServer([
    '--protocol',
    '--ping-sec',
    '10',
    '--metrics-sec',
    String(metricsIntervalSec),
  ]);
  let sims = [];
  try {
    ({ sims } = await connectAgents(
      `ws://127.0.0.1:${bare.port}`,
      size,
      () => bare.latest()?.connections ?? 0,
      log,
    ));
    await sleep(2 * metricsIntervalSec * 1000);
    const from = bare.stats.length;
    await sleep(durationSec * 1000);
    return round(mean(bare.stats.slice(from).map((s) => s.cpuPercent)));
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
    bare.stop();
  }
}

export async function gatewayCapacity({
  sizes,
  durationSec,
  metricsIntervalSec = 5,
  floor = true,
  log = console.log,
}) {
  const rows = [];
  for (const size of sizes) {
    const hub = await startHub({
      env: {
        CENTRALIZER_METRICS_INTERVAL_SEC: String(metricsIntervalSec),
        CENTRALIZER_PING_INTERVAL_SEC: '10',
      },
    });
    let sims = [];
    try {
      await until(() => hub.stats.length >= 3, 10_000, 'baseline stats');
      const baseline = await hub.gcMemory();
      // A console is open, as in the desktop app: the hub builds and sends its deltas.
      const console_ = await hub.attachConsole();
      let connectSec;
      ({ sims, connectSec } = await connectAgents(
        hub.gatewayUrl,
        size,
        () => hub.latest()?.connections ?? 0,
        log,
      ));
      // Let connect-time work (hello, registry writes, queue declares) settle for two intervals.
      await sleep(2 * metricsIntervalSec * 1000);
      const from = hub.stats.length;
      log(`  ${size} agents connected in ${round(connectSec)} s; measuring ${durationSec} s…`);
      const consoleFrom = console_.bytes;
      await sleep(durationSec * 1000);
      const window = hub.stats.slice(from);
      const consoleKBs = (console_.bytes - consoleFrom) / 1024 / durationSec;
      const loaded = await hub.gcMemory();
      const perAgent = (key) => (loaded[key] - baseline[key]) / size;
      rows.push({
        agents: size,
        'connect s': round(connectSec),
        'cpu % (1 core)': round(mean(window.map((s) => s.cpuPercent))),
        'eld p50 ms': round(mean(window.map((s) => s.eventLoopDelayMs.p50)), 2),
        'eld p99 ms': round(
          percentile(
            window.map((s) => s.eventLoopDelayMs.p99),
            50,
          ),
          2,
        ),
        'eld p99 worst ms': round(Math.max(...window.map((s) => s.eventLoopDelayMs.p99)), 2),
        'msgs/s': round(mean(window.map((s) => s.messagesPerSec))),
        'console KB/s': round(consoleKBs),
        'rss KB/agent': round(perAgent('rss') / 1024, 2),
        'heap KB/agent': round(perAgent('heapUsed') / 1024, 2),
        'buffers KB/agent': round(perAgent('arrayBuffers') / 1024, 2),
      });
      console_.close();
    } finally {
      await Promise.all(sims.map((s) => s.stop()));
      await hub.stop();
    }
    if (floor) {
      log(`  ${size} agents against the bare ws floor (hello, pings, JSON.parse only)…`);
      const floorCpu = await transportFloor({ size, durationSec, metricsIntervalSec, log });
      const row = rows.at(-1);
      row['floor cpu %'] = floorCpu;
      row['hub own cpu %'] = round(row['cpu % (1 core)'] - floorCpu);
    }
  }
  return rows;
}
