import { describe, expect, it } from 'vitest';
import { jsonDiff, jsonEqual, mergeLayers, mergePatch } from '../../../src-shared/json-doc';

describe('json-doc', () => {
  it('applies RFC 7386 merge patches (examples from the RFC)', () => {
    expect(mergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(mergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(mergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatch(['a', 'b'], { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'foo' }, 'bar')).toBe('bar');
  });

  it('does not mutate its inputs', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });

  it('merges layers in order', () => {
    expect(mergeLayers([{ a: 1, b: { c: 1 } }, { b: { d: 2 } }, { a: 3 }])).toEqual({
      a: 3,
      b: { c: 1, d: 2 },
    });
  });

  it('compares structurally', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
  });

  it('diffs leaves by JSON pointer, null for absent', () => {
    expect(jsonDiff({ a: 1, b: { c: 2, 'x/y': 1 } }, { a: 1, b: { c: 3 }, d: true })).toEqual({
      '/b/c': [2, 3],
      '/b/x~1y': [1, null],
      '/d': [null, true],
    });
    expect(jsonDiff({ a: [1] }, { a: [1] })).toEqual({});
  });
});
