/**
 * Saving the metrics history across restarts: one binary file, written whole on close (temp file,
 * fsync, rename, fsync of the directory: a crash leaves the previous file or the new one, never
 * half) and read once on start. The rings' typed arrays are written as they are, so saving and
 * loading are a copy, not an encoding.
 *
 *     header   checksummed JSON line (checksummed-lines.ts): format, version, byte order, ring shapes
 *     server   u32 meta length | u32 data length | u32 CRC-32 of meta + data | meta JSON | data
 *              meta = {id, hour: series names, day: series names}; data = BucketRing.exportBytes()
 *              of the 1h ring then of the 24h ring
 *     …        one record per server that has a sample in the last 24 h
 *     trailer  checksummed JSON line {end: true, servers}
 *
 * Loading is all or nothing: a file that does not parse exactly (bad checksum, truncated, wrong
 * shapes) is moved aside as `<file>.corrupt-<time>`, logged, and the hub starts with no history.
 * A file saved with another metrics interval keeps only its 24h tier (the 1h buckets have another
 * width); one saved on a machine of the other byte order is ignored.
 */
import { readFileSync, renameSync } from 'node:fs';
import { endianness } from 'node:os';
import { z } from 'zod';
import type { Logger } from '../logger';
import { writeFileAtomic } from '../store/atomic-file';
import { crc32, encodeLineBuffer, NEWLINE, parseLine, writeAll } from '../store/checksummed-lines';
import { DAY_SLOTS, DAY_STEP_MS, MAX_DISKS_PER_SERVER, type MetricsHistoryStore } from './metrics-history';

const FORMAT = 'agent-centralizer/metrics-history';
const VERSION = 1;
const RECORD_HEAD = 12;

const HeaderSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  littleEndian: z.boolean(),
  savedAt: z.number(),
  hourStepMs: z.number().int().positive(),
  hourSlots: z.number().int().positive(),
  dayStepMs: z.literal(DAY_STEP_MS),
  daySlots: z.literal(DAY_SLOTS),
  servers: z.number().int().nonnegative(),
});

const SeriesNamesSchema = z
  .array(z.string().regex(/^(cpu|load1|mem|rx|tx|disk:.{1,256})$/s))
  .max(5 + MAX_DISKS_PER_SERVER)
  .refine((names) => new Set(names).size === names.length, 'duplicate series');

const MetaSchema = z.object({
  id: z.string().min(1).max(255),
  hour: SeriesNamesSchema,
  day: SeriesNamesSchema,
});

const TrailerSchema = z.object({ end: z.literal(true), servers: z.number().int().nonnegative() });

export interface MetricsFileReport {
  /** Servers whose history was restored. */
  servers: number;
  /** The file was saved with another metrics interval: its 1h tier was dropped. */
  hourTierDropped: boolean;
  /** Where a corrupt file was moved. */
  corruptFileMovedTo?: string;
}

const isLittleEndian = endianness() === 'LE';

/** Write every server with data in the last 24 h. Returns the number of servers written. */
export function saveMetricsHistory(file: string, store: MetricsHistoryStore, now: number): number {
  let servers = 0;
  writeFileAtomic(file, (fd) => {
    const live = [...store.live(now)];
    const header: z.infer<typeof HeaderSchema> = {
      format: FORMAT,
      version: VERSION,
      littleEndian: isLittleEndian,
      savedAt: now,
      hourStepMs: store.hourStepMs,
      hourSlots: store.hourSlots,
      dayStepMs: DAY_STEP_MS,
      daySlots: DAY_SLOTS,
      servers: live.length,
    };
    writeAll(fd, encodeLineBuffer(JSON.stringify(header)));
    for (const [id, rings] of live) {
      const meta = Buffer.from(JSON.stringify({ id, hour: rings.hour.names(), day: rings.day.names() }));
      // One server's arrays at a time (tens of KB): the whole history is never copied at once.
      const data = Buffer.concat([...rings.hour.exportBytes(), ...rings.day.exportBytes()]);
      const head = Buffer.alloc(RECORD_HEAD);
      head.writeUInt32LE(meta.length, 0);
      head.writeUInt32LE(data.length, 4);
      head.writeUInt32LE(crc32(Buffer.concat([meta, data])), 8);
      writeAll(fd, Buffer.concat([head, meta, data]));
      servers++;
    }
    writeAll(fd, encodeLineBuffer(JSON.stringify({ end: true, servers })));
  });
  return servers;
}

class CorruptFile extends Error {}

interface ParsedServer {
  meta: z.infer<typeof MetaSchema>;
  hour: Uint8Array;
  day: Uint8Array;
}

/**
 * Restore the history saved in `file` into `store` (empty, just created). No file → nothing to do.
 * Never throws for bad content; I/O errors other than a missing file are logged and ignored too:
 * losing the chart history must not stop the hub.
 */
export function loadMetricsHistory(
  file: string,
  store: MetricsHistoryStore,
  logger?: Logger,
): MetricsFileReport {
  const report: MetricsFileReport = { servers: 0, hourTierDropped: false };
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger?.error('metrics history: could not read the saved history', { file, error: String(error) });
    }
    return report;
  }
  let parsed: { header: z.infer<typeof HeaderSchema>; servers: ParsedServer[] };
  try {
    parsed = parse(buf, store);
  } catch (error) {
    if (!(error instanceof CorruptFile)) throw error;
    const aside = `${file}.corrupt-${Date.now()}`;
    try {
      renameSync(file, aside);
      report.corruptFileMovedTo = aside;
    } catch {
      // could not move it: it is overwritten on the next close anyway
    }
    logger?.error('metrics history file was corrupt; moved aside, starting with no history', {
      file,
      aside,
      error: error.message,
    });
    return report;
  }
  const { header } = parsed;
  if (header.littleEndian !== isLittleEndian) {
    logger?.warn('metrics history saved on a machine of another byte order; ignored', { file });
    return report;
  }
  report.hourTierDropped = header.hourStepMs !== store.hourStepMs || header.hourSlots !== store.hourSlots;
  if (report.hourTierDropped) {
    logger?.info('metrics interval changed since the history was saved: only the 24h tier is kept', {
      savedStepMs: header.hourStepMs,
      stepMs: store.hourStepMs,
    });
  }
  for (const server of parsed.servers) {
    const rings = store.restoreTarget(server.meta.id);
    if (!report.hourTierDropped) rings.hour.importBytes(server.meta.hour, server.hour);
    rings.day.importBytes(server.meta.day, server.day);
    store.restored(server.meta.id);
    report.servers++;
  }
  return report;
}

function parse(
  buf: Buffer,
  store: MetricsHistoryStore,
): { header: z.infer<typeof HeaderSchema>; servers: ParsedServer[] } {
  const headerEnd = buf.indexOf(NEWLINE);
  if (headerEnd < 0) throw new CorruptFile('no header');
  const header = HeaderSchema.safeParse(parseLine(buf, 0, headerEnd));
  if (!header.success) throw new CorruptFile('bad header');
  const { hourSlots } = header.data;
  // Byte lengths are computed from the header's shapes, not the store's: a file saved with another
  // interval must still be walked record by record to reach its 24h tier.
  const hourShape = store.newHourRing();
  const dayShape = store.newDayRing();
  const hourBytes = (series: number): number =>
    hourSlots * 4 + series * hourSlots * (4 + hourShape.countBits / 8 + (hourShape.keepMax ? 4 : 0));
  let pos = headerEnd + 1;
  const servers: ParsedServer[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < header.data.servers; i++) {
    if (pos + RECORD_HEAD > buf.length) throw new CorruptFile('truncated');
    const metaLength = buf.readUInt32LE(pos);
    const dataLength = buf.readUInt32LE(pos + 4);
    const crc = buf.readUInt32LE(pos + 8);
    const bodyStart = pos + RECORD_HEAD;
    const bodyEnd = bodyStart + metaLength + dataLength;
    if (bodyEnd > buf.length) throw new CorruptFile('truncated');
    if (crc32(buf.subarray(bodyStart, bodyEnd)) !== crc) throw new CorruptFile('checksum');
    let metaJson: unknown;
    try {
      metaJson = JSON.parse(buf.toString('utf8', bodyStart, bodyStart + metaLength));
    } catch {
      throw new CorruptFile('bad record');
    }
    const meta = MetaSchema.safeParse(metaJson);
    if (!meta.success || ids.has(meta.data.id)) throw new CorruptFile('bad record');
    ids.add(meta.data.id);
    const disks = new Set([...meta.data.hour, ...meta.data.day].filter((n) => n.startsWith('disk:')));
    if (disks.size > MAX_DISKS_PER_SERVER) throw new CorruptFile('too many disks');
    const hourLength = hourBytes(meta.data.hour.length);
    const dayLength = dayShape.byteLengthFor(meta.data.day.length);
    if (hourLength + dayLength !== dataLength) throw new CorruptFile('bad record size');
    const dataStart = bodyStart + metaLength;
    servers.push({
      meta: meta.data,
      hour: buf.subarray(dataStart, dataStart + hourLength),
      day: buf.subarray(dataStart + hourLength, bodyEnd),
    });
    pos = bodyEnd;
  }
  const trailerEnd = buf.indexOf(NEWLINE, pos);
  if (trailerEnd < 0 || trailerEnd !== buf.length - 1) throw new CorruptFile('no trailer');
  const trailer = TrailerSchema.safeParse(parseLine(buf, pos, trailerEnd));
  if (!trailer.success || trailer.data.servers !== servers.length) throw new CorruptFile('bad trailer');
  return { header: header.data, servers };
}
