/**
 * BucketRing: fixed-size, time-aligned ring of buckets for several named series that share one
 * clock (the series of one server at one resolution). A slot is reused every `slots` buckets, so
 * memory depends only on the number of series, never on uptime.
 *
 * - Bucket number b = floor(t / stepMs) lives in slot b % slots. Each slot remembers which bucket it
 *   holds (as b + 1, so 0 means "never written"); reading bucket b from a slot that holds another
 *   one returns null, so data older than the ring's span expires without any sweeping.
 * - A bucket keeps, per series, the average of its samples (Float32, running mean), their count
 *   and optionally their maximum. The count saturates (255 or 65,535): past it the mean leans
 *   slightly towards recent samples, which only a flood far above the metrics interval can cause.
 * - The latest write wins: a sample for bucket b takes its slot over whatever bucket it held. Time
 *   is the hub's own receive clock, so this only matters when that clock is set back, and then the
 *   ring simply follows the clock instead of refusing samples until it catches up.
 * - All series share three typed arrays (avg, max, count; series i at [i·slots, (i+1)·slots)),
 *   reallocated only when a series is added (a new disk: rare). One array per series would cost a
 *   JS object and an ArrayBuffer each, about 15 % on top of the data for a typical server.
 * - The arrays are saved and restored byte for byte (in the platform's byte order: the history
 *   file records it).
 */

export interface BucketRingOptions {
  stepMs: number;
  slots: number;
  /** Keep the maximum per bucket as well as the average. */
  keepMax: boolean;
  /** Width of the per-bucket sample count: 8 bits (≤ 255) or 16 bits (≤ 65,535). */
  countBits: 8 | 16;
}

type CountArray = Uint8Array | Uint16Array;

export class BucketRing {
  readonly stepMs: number;
  readonly slots: number;
  readonly keepMax: boolean;
  readonly countBits: 8 | 16;
  /** Bucket number + 1 held by each slot; 0 = never written. */
  private readonly bucketOf: Uint32Array;
  /** Series name → its index in the arrays below. */
  private readonly index = new Map<string, number>();
  private avg = new Float32Array(0);
  private max: Float32Array | undefined;
  private count: CountArray;
  private readonly maxCount: number;

  constructor(options: BucketRingOptions) {
    if (!(options.stepMs > 0) || !Number.isInteger(options.slots) || options.slots < 1) {
      throw new RangeError('BucketRing: stepMs must be > 0 and slots a positive integer');
    }
    this.stepMs = options.stepMs;
    this.slots = options.slots;
    this.keepMax = options.keepMax;
    this.countBits = options.countBits;
    this.maxCount = options.countBits === 8 ? 0xff : 0xffff;
    this.bucketOf = new Uint32Array(options.slots);
    this.max = options.keepMax ? new Float32Array(0) : undefined;
    this.count = this.newCounts(0);
  }

  bucketAt(t: number): number {
    return Math.floor(t / this.stepMs);
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  names(): string[] {
    return [...this.index.keys()];
  }

  /**
   * Add one sample (several series at time t). Returns false when t cannot be stored (not a finite
   * time from 1970 up to the year 2106 at 1 s steps, the range of a Uint32 bucket number).
   */
  record(t: number, values: readonly (readonly [name: string, value: number])[]): boolean {
    const bucket = this.bucketAt(t);
    if (!Number.isFinite(bucket) || bucket < 0 || bucket + 1 > 0xffffffff) return false;
    const slots = this.slots;
    const slot = bucket % slots;
    if (this.bucketOf[slot] !== bucket + 1) {
      // A new bucket takes the slot: forget what the old one held in every series.
      this.bucketOf[slot] = bucket + 1;
      for (let i = slot; i < this.count.length; i += slots) this.count[i] = 0;
    }
    this.addSeries(values);
    for (const [name, value] of values) {
      if (!Number.isFinite(value)) continue;
      const i = this.index.get(name)! * slots + slot;
      const n = this.count[i]!;
      if (n === 0) {
        this.avg[i] = value;
        if (this.max) this.max[i] = value;
        this.count[i] = 1;
        continue;
      }
      const next = Math.min(n + 1, this.maxCount);
      this.avg[i] = this.avg[i]! + (value - this.avg[i]!) / next;
      if (this.max && value > this.max[i]!) this.max[i] = value;
      this.count[i] = next;
    }
    return true;
  }

  /** Index into the arrays of bucket b of `name` if it has samples there, else -1. */
  private at(name: string, bucket: number): number {
    const series = this.index.get(name);
    if (series === undefined || bucket < 0) return -1;
    const slot = bucket % this.slots;
    if (this.bucketOf[slot] !== bucket + 1) return -1;
    const i = series * this.slots + slot;
    return this.count[i] === 0 ? -1 : i;
  }

  /** Averages (or maxima) of `name` for buckets [first, first + n), null where empty or stale. */
  read(name: string, first: number, n: number, what: 'avg' | 'max' = 'avg'): (number | null)[] {
    const out = new Array<number | null>(n).fill(null);
    const values = what === 'max' ? this.max : this.avg;
    if (!values || !this.index.has(name)) return out;
    for (let k = 0; k < n; k++) {
      const i = this.at(name, first + k);
      if (i >= 0) out[k] = values[i]!;
    }
    return out;
  }

  /** Sample-weighted average of `name` over buckets [first, first + n); null when none. */
  mean(name: string, first: number, n: number): number | null {
    let sum = 0;
    let count = 0;
    for (let k = 0; k < n; k++) {
      const i = this.at(name, first + k);
      if (i < 0) continue;
      sum += this.avg[i]! * this.count[i]!;
      count += this.count[i]!;
    }
    return count === 0 ? null : sum / count;
  }

  /** True when `name` has at least one sample in buckets [first, first + n). */
  hasData(name: string, first: number, n: number): boolean {
    for (let k = 0; k < n; k++) if (this.at(name, first + k) >= 0) return true;
    return false;
  }

  /** The newest bucket number any slot holds; -1 when nothing was ever written. */
  newestBucket(): number {
    let newest = 0;
    for (let i = 0; i < this.slots; i++) if (this.bucketOf[i]! > newest) newest = this.bucketOf[i]!;
    return newest - 1;
  }

  /** Bytes held by the typed arrays (the ring's whole memory, apart from small object headers). */
  byteSize(): number {
    return (
      this.bucketOf.byteLength + this.avg.byteLength + (this.max?.byteLength ?? 0) + this.count.byteLength
    );
  }

  // ---- persistence: the raw arrays, in a fixed order -------------------------------------------

  /** Byte length of `exportBytes()` for `seriesCount` series. */
  byteLengthFor(seriesCount: number): number {
    return this.slots * 4 + seriesCount * this.slots * (4 + (this.keepMax ? 4 : 0) + this.countBits / 8);
  }

  /** Views over the arrays (no copy): bucket numbers, averages, maxima, counts (series in names() order). */
  exportBytes(): Uint8Array[] {
    const views = [bytesOf(this.bucketOf), bytesOf(this.avg)];
    if (this.max) views.push(bytesOf(this.max));
    views.push(bytesOf(this.count));
    return views;
  }

  /**
   * Replace the content with arrays written by exportBytes() of a ring with the same step, slots
   * and options. `data` must be exactly byteLengthFor(names.length) long (the caller checks).
   */
  importBytes(names: readonly string[], data: Uint8Array): void {
    this.index.clear();
    names.forEach((name, i) => this.index.set(name, i));
    const cells = names.length * this.slots;
    this.avg = new Float32Array(cells);
    if (this.max) this.max = new Float32Array(cells);
    this.count = this.newCounts(cells);
    let offset = 0;
    for (const target of this.exportBytes()) {
      // Copy byte-wise: `data` is a slice of a file buffer with no alignment guarantee.
      target.set(data.subarray(offset, offset + target.byteLength));
      offset += target.byteLength;
    }
  }

  /** Make room for the series of `values` not seen before, in one reallocation. */
  private addSeries(values: readonly (readonly [string, number])[]): void {
    let added = 0;
    for (const [name, value] of values) {
      if (!Number.isFinite(value) || this.index.has(name)) continue;
      this.index.set(name, this.index.size);
      added++;
    }
    if (added === 0) return;
    const cells = this.index.size * this.slots;
    const grow = <T extends Float32Array | CountArray>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.avg = grow(this.avg, new Float32Array(cells));
    if (this.max) this.max = grow(this.max, new Float32Array(cells));
    this.count = grow(this.count, this.newCounts(cells));
  }

  private newCounts(cells: number): CountArray {
    return this.countBits === 8 ? new Uint8Array(cells) : new Uint16Array(cells);
  }
}

function bytesOf(a: Float32Array | Uint32Array | CountArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
