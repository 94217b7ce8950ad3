import { describe, expect, it } from 'vitest';
import { BucketRing } from '../../../src-main/hub/monitoring/bucket-ring';

const ring = (slots = 4, keepMax = false, countBits: 8 | 16 = 8) =>
  new BucketRing({ stepMs: 1000, slots, keepMax, countBits });

describe('BucketRing', () => {
  it('puts samples in time-aligned buckets and reads them oldest first', () => {
    const r = ring();
    r.record(1_000, [['cpu', 10]]);
    r.record(2_500, [['cpu', 20]]);
    r.record(3_999, [['cpu', 30]]);
    expect(r.read('cpu', 0, 4)).toEqual([null, 10, 20, 30]);
    expect(r.read('nope', 0, 2)).toEqual([null, null]);
  });

  it('wraps around: a new bucket takes the oldest slot and the old bucket reads as empty', () => {
    const r = ring();
    for (let b = 0; b < 4; b++) r.record(b * 1000, [['cpu', b]]);
    r.record(4_000, [['cpu', 4]]); // slot 0 again
    expect(r.read('cpu', 0, 1)).toEqual([null]);
    expect(r.read('cpu', 1, 4)).toEqual([1, 2, 3, 4]);
    // Ten buckets later, the range ending now shows only the newest one: the slots still hold
    // buckets 1, 3 and 4, and read as empty for buckets 11–13, without any sweep.
    r.record(14_000, [['cpu', 14]]);
    expect(r.read('cpu', 11, 4)).toEqual([null, null, null, 14]);
    expect(r.read('cpu', 1, 4)).toEqual([1, null, 3, 4]);
  });

  it('a reused slot forgets every series, including those missing from the new sample', () => {
    const r = ring();
    r.record(0, [
      ['cpu', 1],
      ['disk:/data', 50],
    ]);
    r.record(4_000, [['cpu', 2]]); // same slot, next lap; the disk was not reported
    expect(r.read('disk:/data', 4, 1)).toEqual([null]);
    expect(r.read('disk:/data', 0, 1)).toEqual([null]);
    expect(r.read('cpu', 4, 1)).toEqual([2]);
  });

  it('averages the samples of a bucket and keeps their maximum', () => {
    const r = ring(4, true, 16);
    for (const v of [10, 20, 60]) r.record(2_100, [['cpu', v]]);
    expect(r.read('cpu', 2, 1)).toEqual([30]);
    expect(r.read('cpu', 2, 1, 'max')).toEqual([60]);
    // Series without max asked for max: empty, not an error.
    expect(ring().read('cpu', 0, 1, 'max')).toEqual([null]);
  });

  it('averages per series: a disk reported in only some samples of a bucket', () => {
    const r = ring();
    r.record(1_000, [['cpu', 10]]);
    r.record(1_100, [
      ['cpu', 20],
      ['disk:/', 40],
    ]);
    r.record(1_200, [
      ['cpu', 30],
      ['disk:/', 60],
    ]);
    expect(r.read('cpu', 1, 1)).toEqual([20]);
    expect(r.read('disk:/', 1, 1)).toEqual([50]);
  });

  it('skips non-finite values and times it cannot store', () => {
    const r = ring();
    r.record(1_000, [
      ['cpu', Number.NaN],
      ['mem', Number.POSITIVE_INFINITY],
      ['load1', 1.5],
    ]);
    expect(r.read('cpu', 1, 1)).toEqual([null]);
    expect(r.read('mem', 1, 1)).toEqual([null]);
    expect(r.read('load1', 1, 1)).toEqual([1.5]);
    expect(r.record(-5_000, [['cpu', 1]])).toBe(false);
    expect(r.record(Number.NaN, [['cpu', 1]])).toBe(false);
    expect(r.record(1e20, [['cpu', 1]])).toBe(false);
  });

  it('the latest write wins when the clock is set back into a slot holding a newer bucket', () => {
    const r = ring();
    r.record(5_000, [['cpu', 5]]);
    r.record(1_000, [['cpu', 1]]); // same slot (1), older bucket
    expect(r.read('cpu', 1, 1)).toEqual([1]);
    expect(r.read('cpu', 5, 1)).toEqual([null]);
  });

  it('a saturated 8-bit count keeps a sensible average', () => {
    const r = ring();
    for (let i = 0; i < 1000; i++) r.record(0, [['cpu', 42]]);
    expect(r.read('cpu', 0, 1)).toEqual([42]);
  });

  it('mean() weights buckets by their sample count', () => {
    const r = ring(8);
    r.record(0, [['cpu', 10]]);
    r.record(0, [['cpu', 10]]);
    r.record(0, [['cpu', 10]]); // bucket 0: 3 samples of 10
    r.record(1_000, [['cpu', 50]]); // bucket 1: 1 sample of 50
    expect(r.mean('cpu', 0, 2)).toBe(20);
    expect(r.mean('cpu', 2, 3)).toBeNull();
    expect(r.mean('other', 0, 2)).toBeNull();
    expect(r.hasData('cpu', 1, 1)).toBe(true);
    expect(r.hasData('cpu', 2, 6)).toBe(false);
    expect(r.newestBucket()).toBe(1);
    expect(ring().newestBucket()).toBe(-1);
  });

  it('counts its memory exactly and restores byte for byte', () => {
    const r = ring(4, true, 16);
    r.record(1_000, [
      ['cpu', 12.5],
      ['disk:/', 70],
    ]);
    r.record(1_000, [['cpu', 14.5]]);
    // bucket numbers 4×4 + 2 series × 4 slots × (avg 4 + count 2 + max 4)
    expect(r.byteSize()).toBe(16 + 2 * 4 * 10);
    expect(r.byteLengthFor(2)).toBe(r.byteSize());
    const bytes = Buffer.concat(r.exportBytes());
    expect(bytes.length).toBe(r.byteLengthFor(2));
    const copy = ring(4, true, 16);
    // An odd offset: restoring must not depend on the buffer's alignment.
    const unaligned = Buffer.concat([Buffer.from([0]), bytes]).subarray(1);
    copy.importBytes(r.names(), unaligned);
    expect(copy.names()).toEqual(['cpu', 'disk:/']);
    expect(copy.read('cpu', 0, 4)).toEqual(r.read('cpu', 0, 4));
    expect(copy.read('cpu', 1, 1, 'max')).toEqual([14.5]);
    expect(copy.mean('cpu', 1, 1)).toBe(13.5);
    copy.record(1_500, [['cpu', 16.5]]); // counts were restored too: (12.5 + 14.5 + 16.5) / 3
    expect(copy.read('cpu', 1, 1)).toEqual([14.5]);
  });

  it('refuses a nonsensical shape', () => {
    expect(() => new BucketRing({ stepMs: 0, slots: 4, keepMax: false, countBits: 8 })).toThrow(RangeError);
    expect(() => new BucketRing({ stepMs: 1000, slots: 0, keepMax: false, countBits: 8 })).toThrow(
      RangeError,
    );
  });
});
