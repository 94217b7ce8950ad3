/**
 * Fuzz: configuration documents. The schema every outside JSON document passes (json-document.ts)
 * and the merge patch / diff / equality helpers (json-doc.ts) that run on whatever it accepts.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonDiff, jsonEqual, mergePatch } from '../../src-shared/json-doc';
import { JsonDocumentSchema, jsonDocumentProblem } from '../../src-shared/json-document';
import { describeZodError } from '../../src-shared/agent-protocol';
import { anyValue, hostileKey, hostileValue, mutated, objectOf, toJsonText } from './arbitraries';
import { assertClearMessage, assertNoPollution, fuzz, timeoutFor } from './harness';

/** Objects with hostile keys (including own `__proto__` / `constructor`), as JSON.parse builds them. */
const doc = fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 6 }).map(objectOf);
const docOrJunk = fc.oneof({ weight: 3, arbitrary: doc }, { weight: 2, arbitrary: mutated(doc) }, anyValue);

describe('fuzz: JSON documents (configurations, profiles, patches, agent schemas)', () => {
  afterAll(assertNoPollution);

  it(
    'merge patch: the schema refuses what the helpers cannot handle; on the rest RFC 7386 holds',
    () => {
      fuzz('json-doc merge patch', fc.tuple(docOrJunk, docOrJunk), ([target, patch]) => {
        const checked = JsonDocumentSchema.safeParse(patch);
        if (!checked.success) {
          assertClearMessage('JsonDocumentSchema', describeZodError(checked.error));
          return 'rejected';
        }
        // Documents arrive as JSON text: use what the text parses to.
        const p = JSON.parse(toJsonText(checked.data)) as Record<string, unknown>;
        const t = jsonDocumentProblem(target) === null ? target : {};
        const result = mergePatch(t, p) as Record<string, unknown>;
        expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
        for (const key of Object.keys(p)) {
          const value = p[key];
          if (value === null) expect(Object.hasOwn(result, key)).toBe(false);
          else if (typeof value !== 'object' || Array.isArray(value)) expect(result[key]).toEqual(value);
          else expect(Object.hasOwn(result, key)).toBe(true);
        }
        if (typeof t === 'object' && t !== null && !Array.isArray(t)) {
          for (const key of Object.keys(t)) {
            if (!Object.hasOwn(p, key)) expect(result[key]).toEqual((t as Record<string, unknown>)[key]);
          }
        }
        // The result is a JSON document again (it gets stored and sent on).
        expect(jsonDocumentProblem(result)).toBeNull();
        const text = JSON.stringify(result);
        expect(JSON.stringify(JSON.parse(text))).toBe(text);
        return 'accepted';
      });
    },
    timeoutFor('json-doc merge patch', 1),
  );

  it(
    'diff and equality: diff empty exactly when equal, values are JSON, keys are pointers',
    () => {
      fuzz('json-doc diff', fc.tuple(doc, fc.oneof(doc, mutated(doc))), ([a, b]) => {
        if (jsonDocumentProblem(a) !== null || jsonDocumentProblem(b) !== null) return 'rejected';
        const diff = jsonDiff(a, b);
        expect(jsonEqual(a, b)).toBe(jsonEqual(b, a));
        expect(Object.keys(diff).length === 0).toBe(jsonEqual(a, b));
        expect(jsonDiff(a, structuredClone(a))).toEqual({});
        for (const [pointer, [before, after]] of Object.entries(diff)) {
          expect(pointer === '' || pointer.startsWith('/')).toBe(true);
          for (const v of [before, after]) expect(typeof v).not.toBe('function');
          // Absent and null both show as null (documented: effective configurations hold no null).
          if (before !== null || after !== null) expect(jsonEqual(before, after)).toBe(false);
        }
        // It is stored in the audit log as JSON.
        const text = JSON.stringify(diff);
        expect(JSON.stringify(JSON.parse(text))).toBe(text);
        return 'accepted';
      });
    },
    timeoutFor('json-doc diff', 1),
  );

  it('regressions: inherited keys, prototype keys, overflow numbers, deep nesting', () => {
    // Finding: a key named like an Object.prototype member, present on one side only, diffed
    // against the inherited function (which then could not be stored or sent to the console).
    expect(jsonDiff({}, { constructor: 1 })).toEqual({ '/constructor': [null, 1] });
    expect(jsonDiff({ toString: 'x' }, {})).toEqual({ '/toString': ['x', null] });
    // Finding: a `__proto__` key in a patch replaced the result's prototype instead of being a key.
    const patched = mergePatch({}, JSON.parse('{"__proto__":{"polluted":1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(patched)).toBe(Object.prototype);
    expect(Object.keys(patched)).toEqual(['__proto__']);
    // Finding: these were accepted as configurations, then broke (stack overflow) or changed (null).
    const refused = [
      JSON.parse(`{"a":${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}}`),
      JSON.parse(`{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
      JSON.parse('{"limit":1e999}'),
      { nan: NaN },
      JSON.parse('{"x":{"__proto__":{"polluted":1}}}'),
      JSON.parse('{"__proto__":{"polluted":1}}'),
      { when: new Date(0) },
    ];
    for (const value of refused) {
      const r = JsonDocumentSchema.safeParse(value);
      expect(r.success).toBe(false);
      if (!r.success) assertClearMessage('JsonDocumentSchema', describeZodError(r.error));
    }
    expect(describeZodError(JsonDocumentSchema.safeParse(JSON.parse('{"a":{"b":1e999}}')).error!)).toBe(
      '(root): /a/b must be a finite number',
    );
    assertNoPollution();
  });
});
