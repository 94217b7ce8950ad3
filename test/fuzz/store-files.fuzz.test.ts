/**
 * Fuzz: the hub's own files, as a crash, a disk or a person may leave them. Each reader gets files
 * its writer produced, then damaged (bytes flipped, cut, inserted, lines duplicated or replaced with
 * junk), or plain random bytes. Properties: opening never throws and never hangs, damage is reported
 * (kept aside / truncated / skipped), and the store is usable afterwards (a new write survives a
 * reopen).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsView } from '../../src-shared';
import { decodeLine, encodeLineBuffer, parseLine } from '../../src-main/hub/store/checksummed-lines';
import { AppendLog } from '../../src-main/hub/store/append-log';
import { JournalStore } from '../../src-main/hub/store/journal-store';
import { MetricsHistoryStore } from '../../src-main/hub/monitoring/metrics-history';
import { loadMetricsHistory, saveMetricsHistory } from '../../src-main/hub/monitoring/metrics-history-file';
import { PresenceHistoryStore } from '../../src-main/hub/monitoring/presence-history';
import { loadAlerts, loadSettings } from '../../src-main/hub/alerts/alert-files';
import { silentLogger } from '../../src-main/hub/logger';
import { anyValue, hostileValue, junkText, mutated, toJsonText } from './arbitraries';
import { assertNoPollution, fuzz, timeoutFor } from './harness';

type Edit =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'dupLine'; at: number }
  | { kind: 'junkLine'; at: number; text: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
  }),
  fc.record({ kind: fc.constant('dupLine' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('junkLine' as const),
    at: fc.nat(),
    text: fc.oneof(junkText(fc.constant('00000000 {}')), hostileValue.map(toJsonText)),
  }),
);

function lineBounds(buf: Buffer, at: number): [number, number] {
  const pos = buf.length ? at % buf.length : 0;
  const start = buf.lastIndexOf(0x0a, pos - 1) + 1;
  const nl = buf.indexOf(0x0a, pos);
  return [start, nl < 0 ? buf.length : nl + 1];
}

function applyEdits(seed: Buffer, edits: Edit[]): Buffer {
  let buf = Buffer.from(seed);
  for (const e of edits) {
    const at = buf.length ? e.at % (buf.length + 1) : 0;
    if (e.kind === 'flip' && buf.length) buf[at % buf.length] = (buf[at % buf.length] ?? 0) ^ e.xor;
    else if (e.kind === 'cut') buf = buf.subarray(0, at);
    else if (e.kind === 'insert') buf = Buffer.concat([buf.subarray(0, at), e.bytes, buf.subarray(at)]);
    else if (e.kind === 'dupLine') {
      const [s, end] = lineBounds(buf, e.at);
      buf = Buffer.concat([buf.subarray(0, end), buf.subarray(s, end), buf.subarray(end)]);
    } else if (e.kind === 'junkLine') {
      const [s, end] = lineBounds(buf, e.at);
      buf = Buffer.concat([buf.subarray(0, s), Buffer.from(`${e.text}\n`), buf.subarray(end)]);
    }
  }
  return buf;
}

/** A file its writer produced: intact, damaged, or replaced by random bytes. */
function fileFrom(seed: () => Buffer): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null).map(() => seed()) },
    {
      weight: 6,
      arbitrary: fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => applyEdits(seed(), edits)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)) },
  );
}

let root: string;
let n = 0;
const freshDir = (): string => {
  const d = join(root, `case-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-fuzz-store-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  assertNoPollution();
});

const keptAside = (dir: string): boolean => readdirSync(dir).some((f) => f.includes('.corrupt-'));

describe('fuzz: store files', () => {
  it(
    'checksummed lines: intact lines decode to their body, damaged ones to nothing, never a throw',
    () => {
      const arb = fc.tuple(
        fc.oneof(anyValue.map(toJsonText), fc.string({ maxLength: 100 })),
        fc.array(edit, { maxLength: 2 }),
      );
      fuzz('checksummed line', arb, ([body, edits]) => {
        const line = encodeLineBuffer(body.replace(/\n/g, ' '));
        const buf = applyEdits(line, edits);
        const end = buf.length && buf[buf.length - 1] === 0x0a ? buf.length - 1 : buf.length;
        const decoded = decodeLine(buf, 0, end);
        const parsed = parseLine(buf, 0, end);
        if (edits.length === 0) {
          // An empty body is not a record (writers always write one JSON value).
          expect(decoded).toBe(body === '' ? undefined : body.replace(/\n/g, ' '));
          return 'accepted';
        }
        if (decoded === undefined) {
          expect(parsed).toBeUndefined();
          return 'rejected';
        }
        // Accepted after an edit only when the edit kept the line intact (e.g. cut after the newline).
        // (Upper-case hex, or leading whitespace, in the checksum is the same number for parseInt:
        // accepted, harmless; the body must be exactly the one checksummed.)
        const again = encodeLineBuffer(decoded);
        expect(again.subarray(9, -1)).toEqual(buf.subarray(9, end));
        expect(Number.parseInt(buf.toString('latin1', 0, 8), 16)).toBe(
          Number.parseInt(again.toString('latin1', 0, 8), 16),
        );
        return 'accepted';
      });
    },
    timeoutFor('checksummed line', 0.5),
  );

  it(
    'append log: opens whatever is on disk, reports damage, and appends after it',
    () => {
      let seedBytes: Buffer | undefined;
      const seed = (): Buffer => {
        if (!seedBytes) {
          const d = freshDir();
          const log = AppendLog.open(join(d, 'audit.log'), { fsync: false });
          log.append(
            Array.from({ length: 12 }, (_, i) => ({ n: i, user: `u${i % 3}`, text: 'é'.repeat(i) })),
          );
          log.close();
          seedBytes = readFileSync(join(d, 'audit.log'));
        }
        return seedBytes;
      };
      fuzz('append log file', fileFrom(seed), (content) => {
        const d = freshDir();
        const file = join(d, 'audit.log');
        writeFileSync(file, content);
        const log = AppendLog.open<{ n?: number }>(file, { fsync: false, logger: silentLogger });
        const before = log.readAll();
        log.append([{ n: -1 }]);
        log.close();
        const again = AppendLog.open<{ n?: number }>(file, { fsync: false, logger: silentLogger });
        const after = again.readAll();
        again.close();
        expect(after.at(-1)).toEqual({ n: -1 });
        expect(after.length).toBeGreaterThanOrEqual(1);
        const damaged = log.openReport.truncatedBytes > 0 || log.openReport.corruptFilesKeptAside.length > 0;
        rmSync(d, { recursive: true, force: true });
        // Never more entries than complete lines on disk (nothing invented from junk).
        expect(before.length).toBeLessThanOrEqual(content.filter((b) => b === 0x0a).length);
        return damaged ? 'rejected' : 'accepted';
      });
    },
    timeoutFor('append log file', 5),
  );

  it(
    'journal store: opens whatever snapshot and journal are on disk, repairs, and keeps new writes',
    () => {
      let seedFiles: Record<string, Buffer> | undefined;
      const seedDir = (): Record<string, Buffer> => {
        if (!seedFiles) {
          const d = freshDir();
          const s = JournalStore.open(d, { fsync: false });
          s.batch([
            { op: 'put', coll: 'agents', key: 'a1', value: { name: 'one', labels: { env: 'prod' } } },
            { op: 'put', coll: 'agents', key: 'a2', value: { name: 'two' } },
          ]);
          s.compact();
          s.put('desired', 'a1', { revision: 3 });
          s.del('agents', 'a2');
          s.close();
          seedFiles = Object.fromEntries(readdirSync(d).map((f) => [f, readFileSync(join(d, f))]));
        }
        return seedFiles;
      };
      const names = Object.keys(seedDir());
      const arb = fc.tuple(
        fc.constantFrom(...names),
        fileFrom(() => seedDir()[names[0]!]!),
        fc.boolean(),
      );
      fuzz('journal store files', arb, ([target, content, alsoDropOther]) => {
        const d = freshDir();
        for (const [name, bytes] of Object.entries(seedDir())) {
          if (name === target)
            writeFileSync(join(d, name), name === names[0] ? content : applyEdits(bytes, []));
          else if (!alsoDropOther) writeFileSync(join(d, name), bytes);
        }
        if (target !== names[0]) writeFileSync(join(d, target), content);
        const store = JournalStore.open(d, { fsync: false, logger: silentLogger });
        const report = store.openReport;
        store.put('fuzz', 'k', { ok: true });
        store.close();
        const again = JournalStore.open(d, { fsync: false, logger: silentLogger });
        expect(again.get('fuzz', 'k')).toEqual({ ok: true });
        again.close();
        rmSync(d, { recursive: true, force: true });
        return report.repaired || report.corruptFilesKeptAside.length > 0 || report.truncatedBytes > 0
          ? 'rejected'
          : 'accepted';
      });
    },
    timeoutFor('journal store files', 8),
  );

  it(
    'metrics history file: any content loads or is kept aside; the store keeps recording',
    () => {
      const T0 = 1_700_000_100_000;
      const view = (at: number, v: number): MetricsView => ({
        receivedAt: at,
        cpuPercent: v,
        cores: 2,
        load: [v / 10, 0, 0],
        memoryUsedBytes: v,
        memoryTotalBytes: 100,
        disks: [{ mount: '/', usedBytes: v, totalBytes: 100 }],
        rxBytesPerSec: v,
        txBytesPerSec: v,
        uptimeSec: 1,
      });
      let seedBytes: Buffer | undefined;
      const seed = (): Buffer => {
        if (!seedBytes) {
          const d = freshDir();
          const store = new MetricsHistoryStore({ metricsIntervalSec: 5 });
          for (let t = T0; t < T0 + 600_000; t += 5_000) {
            store.record('srv-a', view(t, (t / 5_000) % 90));
            store.record('srv-b', view(t, 10));
          }
          saveMetricsHistory(join(d, 'm.bin'), store, T0 + 600_000);
          seedBytes = readFileSync(join(d, 'm.bin'));
        }
        return seedBytes;
      };
      fuzz('metrics history file', fileFrom(seed), (content) => {
        const d = freshDir();
        const file = join(d, 'm.bin');
        writeFileSync(file, content);
        const store = new MetricsHistoryStore({ metricsIntervalSec: 5 });
        const report = loadMetricsHistory(file, store, silentLogger);
        store.record('srv-a', view(T0 + 605_000, 1));
        expect(store.history('srv-a', '1h', T0 + 605_000)).not.toBeNull();
        const aside = report.corruptFileMovedTo !== undefined;
        if (aside) expect(existsSync(file)).toBe(false);
        rmSync(d, { recursive: true, force: true });
        return aside ? 'rejected' : 'accepted';
      });
    },
    timeoutFor('metrics history file', 5),
  );

  it(
    'presence history log: any content opens, damage is counted, new transitions persist',
    () => {
      const AT = 1_700_000_000_000;
      let seedBytes: Buffer | undefined;
      const seed = (): Buffer => {
        if (!seedBytes) {
          const d = freshDir();
          const store = new PresenceHistoryStore({
            file: join(d, 'p.log'),
            startedAt: AT,
            fsync: false,
            now: () => AT,
          });
          for (let i = 0; i < 6; i++) {
            store.record('agent', `a${i % 2}`, {
              state: i % 2 ? 'online' : 'offline',
              reason: 'connected',
              at: AT + i,
            } as never);
          }
          store.close();
          seedBytes = readFileSync(join(d, 'p.log'));
        }
        return seedBytes;
      };
      fuzz('presence history file', fileFrom(seed), (content) => {
        const d = freshDir();
        const file = join(d, 'p.log');
        writeFileSync(file, content);
        const opts = { file, startedAt: AT + 100, fsync: false, now: () => AT + 100, logger: silentLogger };
        const store = new PresenceHistoryStore(opts);
        const report = store.openReport;
        store.record('server', 'fuzz', { state: 'online', reason: 'connected', at: AT + 101 } as never);
        store.close();
        const again = new PresenceHistoryStore(opts);
        expect(again.transitionsOf('server', 'fuzz')?.at(-1)?.at).toBe(AT + 101);
        again.close();
        rmSync(d, { recursive: true, force: true });
        return report.corruptLines > 0 || report.keptAside.length > 0 ? 'rejected' : 'accepted';
      });
    },
    timeoutFor('presence history file', 8),
  );

  it(
    'alert files: any content gives stored settings/alerts or the defaults, a bad file kept aside',
    () => {
      const validSettings = fc.record({
        version: fc.constant(1),
        rules: fc.constant([]),
        channels: fc.constant([]),
        mutes: fc.constant([]),
      });
      const validAlerts = fc.record({ version: fc.constant(1), alerts: fc.constant([]) });
      const text = fc.oneof(
        validSettings.map(toJsonText),
        validAlerts.map(toJsonText),
        mutated(validSettings).map(toJsonText),
        mutated(validAlerts).map(toJsonText),
        anyValue.map(toJsonText),
        junkText(validSettings.map(toJsonText)),
      );
      fuzz('alert files', fc.tuple(text, text), ([settingsText, alertsText]) => {
        const d = freshDir();
        writeFileSync(join(d, 'alert-settings.json'), settingsText);
        writeFileSync(join(d, 'alerts.json'), alertsText);
        const settings = loadSettings(d, silentLogger);
        const alerts = loadAlerts(d, silentLogger);
        expect(Array.isArray(alerts)).toBe(true);
        if (settings) expect(Array.isArray(settings.rules)).toBe(true);
        const bad = keptAside(d);
        rmSync(d, { recursive: true, force: true });
        return bad ? 'rejected' : 'accepted';
      });
    },
    timeoutFor('alert files', 3),
  );
});
