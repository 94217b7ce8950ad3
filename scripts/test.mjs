#!/usr/bin/env node
/**
 * `npm test`: the whole suite, as CI runs it.
 *   1. builds the app (the end-to-end and CLI tests run the built hub, agent and UI);
 *   2. uses the RabbitMQ broker at RABBITMQ_URL when it is reachable, otherwise starts a throwaway
 *      node on free loopback ports in a temporary folder (scripts/rabbitmq.mjs);
 *   3. runs vitest (unit, integration with real sockets and a real broker, browser end-to-end);
 *   4. stops what it started, whatever happened, and prints "N passed, N failed".
 * Extra arguments go to vitest, e.g. `npm test -- test/unit`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { startBroker, stopBroker } from './rabbitmq.mjs';

const log = (line) => process.stderr.write(`[test] ${line}\n`);

function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function reachable(url) {
  if (!url) return false;
  try {
    const connection = await amqp.connect(url, { timeout: 3000 });
    connection.on('error', () => {});
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const vitestArgs = process.argv.slice(2);
  const t0 = Date.now();
  log('building the app (vite build)…');
  const buildCode = await run('npx', ['vite', 'build', '--logLevel', 'warn']);
  if (buildCode !== 0) return buildCode;

  let brokerDir;
  const env = { ...process.env };
  if (await reachable(process.env.RABBITMQ_URL)) {
    log('using the RabbitMQ broker at RABBITMQ_URL');
  } else {
    brokerDir = mkdtempSync(join(tmpdir(), 'ac-rabbitmq-'));
    log(`no broker at RABBITMQ_URL; starting a throwaway RabbitMQ node in ${brokerDir}…`);
    const broker = await startBroker({ dir: brokerDir, log });
    env.RABBITMQ_URL = broker.url;
    env.AC_TEST_BROKER_DIR = brokerDir; // lets outage tests kill and restart this node
    log(`throwaway broker ready in ${(broker.startMs / 1000).toFixed(1)} s`);
  }
  const stop = async () => {
    if (!brokerDir) return;
    const dir = brokerDir;
    brokerDir = undefined;
    log('stopping the throwaway broker…');
    await stopBroker({ dir, log });
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(130)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(143)));

  let code;
  try {
    code = await run(
      'npx',
      [
        'vitest',
        'run',
        '--reporter=default',
        '--reporter=json',
        '--outputFile.json=test-results/vitest.json',
        ...vitestArgs,
      ],
      env,
    );
  } finally {
    await stop();
  }
  try {
    const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
    const skipped = report.numPendingTests + report.numTodoTests;
    console.log(
      `\n${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`,
    );
  } catch {
    log('no vitest report found');
  }
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[test] ${error?.stack ?? error}`);
    process.exit(1);
  },
);
