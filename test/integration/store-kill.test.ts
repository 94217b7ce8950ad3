/**
 * kill -9 a real writer process at random moments, many times, and reopen the store each time:
 * it must load, hold every batch the child acknowledged (the child prints a batch's seq only after
 * its fsync returned) and nothing half-applied. The child's batches are a pure function of their
 * seq, so the expected state after any prefix of seqs is computed here and compared exactly.
 * Automatic compaction is set very low, so kills also land inside compactions.
 * (SIGKILL cannot tear a single write() to a regular file; torn writes as after a power loss are
 * covered byte by byte in test/unit/store/journal-store.test.ts.)
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore, type StoreOp } from '../../src-main/hub/store/journal-store';
import { buildStoreBundle } from '../unit/store/build-store';
import { dump, tempDir } from '../unit/store/helpers';

/** The ops of batch `seq`: touches three collections, so a half-applied batch would show. */
function opsFor(seq: number): StoreOp[] {
  const k = `a${seq % 97}`;
  const ops: StoreOp[] = [
    {
      op: 'put',
      coll: 'agents',
      key: k,
      value: { seq, labels: { n: String(seq) }, pad: 'x'.repeat((seq * 37) % 900) },
    },
    {
      op: 'put',
      coll: 'desired',
      key: k,
      value: { revision: seq, config: { level: seq % 2 ? 'info' : 'debug' } },
    },
    { op: 'put', coll: 'ledger', key: `${k}/${seq}`, value: { state: 'pending', seq } },
  ];
  if (seq > 5) ops.push({ op: 'del', coll: 'ledger', key: `a${(seq - 5) % 97}/${seq - 5}` });
  return ops;
}

function expectedAfter(seq: number): Record<string, Record<string, unknown>> {
  const model = new Map<string, Map<string, unknown>>();
  for (let s = 1; s <= seq; s++) {
    for (const op of opsFor(s)) {
      if (!model.has(op.coll)) model.set(op.coll, new Map());
      if (op.op === 'put') model.get(op.coll)!.set(op.key, JSON.parse(JSON.stringify(op.value)));
      else model.get(op.coll)!.delete(op.key);
    }
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [c, m] of [...model].sort(([a], [b]) => a.localeCompare(b))) {
    if (m.size > 0) out[c] = Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
  }
  return out;
}

let bundle: Awaited<ReturnType<typeof buildStoreBundle>>;
let child: string;
const data = tempDir('store-kill-');

beforeAll(async () => {
  bundle = await buildStoreBundle();
  child = join(bundle.dir, 'writer.mjs');
  writeFileSync(
    child,
    `import { JournalStore } from './journal-store.mjs';
const opsFor = ${opsFor.toString()};
const store = JournalStore.open(process.argv[2], { compactAfterBytes: 48 * 1024 });
process.stdout.write('open ' + store.seq + '\\n');
for (;;) {
  const seq = store.batch(opsFor(store.seq + 1));
  process.stdout.write(seq + '\\n');
}
`,
  );
});
afterAll(() => {
  bundle?.cleanup();
  data.cleanup();
});

function runAndKill(
  dir: string,
  killAfterMs: number,
): Promise<{ opened: number; acked: number; signal: string | null }> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!timer && out.includes('\n')) timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => {
      if (timer) clearTimeout(timer);
      const lines = out.split('\n');
      lines.pop(); // a line without its newline was not fully reported
      const first = lines.shift() ?? '';
      if (!first.startsWith('open '))
        return reject(new Error(`child did not open: ${out.slice(0, 200)} ${err}`));
      const acked = lines.length > 0 ? Number(lines.at(-1)) : Number(first.slice(5));
      resolvePromise({ opened: Number(first.slice(5)), acked, signal });
    });
  });
}

describe('store survives kill -9 of its writer', () => {
  it('keeps every acknowledged batch and never half a batch, over many random kills', async () => {
    const dir = join(data.dir, 'registry');
    let previous = 0;
    let compactedSeen = false;
    for (let round = 0; round < 12; round++) {
      const { opened, acked, signal } = await runAndKill(dir, 5 + Math.floor(Math.random() * 120));
      expect(signal).toBe('SIGKILL');
      expect(opened).toBeGreaterThanOrEqual(previous);
      expect(acked).toBeGreaterThanOrEqual(opened);

      const store = JournalStore.open(dir);
      try {
        const r = store.openReport;
        expect(r.corruptFilesKeptAside).toEqual([]);
        expect(store.seq).toBeGreaterThanOrEqual(acked); // every acknowledged batch is there
        // at most the one in flight (stdout to a pipe is synchronous on Linux; elsewhere it may lag)
        if (process.platform === 'linux') expect(store.seq).toBeLessThanOrEqual(acked + 1);
        expect(dump(store)).toEqual(expectedAfter(store.seq)); // and exactly a prefix of whole batches
        compactedSeen ||= r.snapshotSeq > 0;
        previous = store.seq;
      } finally {
        store.close();
      }
    }
    expect(previous).toBeGreaterThan(100);
    expect(compactedSeen).toBe(true);
  });
});
