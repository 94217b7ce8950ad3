/**
 * Arbitraries shared by the fuzz properties: hostile JSON values (prototype-pollution keys, unicode,
 * huge strings, deep nesting, numbers JSON can only spell as overflow), mutations of valid messages
 * (a field dropped, retyped, oversized, an unknown key added, a subtree nested deep) and raw text.
 *
 * Values are serialized by `toJsonText`, not JSON.stringify, so the text can carry what an attacker
 * can send but JSON.stringify never writes: own `__proto__` keys, `1e999` (parses to Infinity),
 * `-0`, and bare `NaN` (invalid JSON).
 */
import fc from 'fast-check';

/** Keys that have bitten JavaScript parsers before, plus ordinary and odd ones. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  ' ',
  'type',
  '\u0000',
  '\ud800',
  '𝕏',
  '../..',
  '~1',
  '/',
];

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1_000, max: 70_000 }), fc.constantFrom('x', 'é', '𝕏', '\\', '"', '\u0000'))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\ud800',
      '\u202e',
      '𝕏𝕏',
      'NaN',
      '1e999',
      '__proto__',
      'null',
      '<script>',
      '${x}',
      '%s%n',
    ),
  },
  { weight: 1, arbitrary: hugeString },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    Number.MIN_SAFE_INTEGER - 2,
    Infinity,
    -Infinity,
    NaN,
    2 ** 31,
    65536,
  ),
);

/** An object with exactly these own keys, even `__proto__` (as JSON.parse would build it). */
export function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return o;
}

/** `depth` levels of arrays or single-key objects around a leaf. */
export function nested(depth: number, kind: 'array' | 'object', leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 50, max: 3_000 }), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, kind]) => nested(depth, kind));

/** Any JSON-ish value with hostile keys, strings and numbers. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 6 }).map(objectOf),
  ),
})).value;

export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileValue },
  { weight: 1, arbitrary: deepValue },
);

/**
 * JSON text for a value. Non-finite numbers become `1e999`/`-1e999` (which parse back to ±Infinity)
 * and NaN a bare `NaN` (a syntax error); `-0` stays `-0`; own `__proto__` keys are written out.
 * Iterative, so deeply nested values do not overflow the stack here.
 */
export function toJsonText(value: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [value];
  const CLOSE_ARRAY = Symbol('close-array');
  const CLOSE_OBJECT = Symbol('close-object');
  const COMMA = Symbol('comma');
  while (stack.length) {
    const v = stack.pop();
    if (v === CLOSE_ARRAY) out.push(']');
    else if (v === CLOSE_OBJECT) out.push('}');
    else if (v === COMMA) out.push(',');
    else if (typeof v === 'object' && v !== null && (v as { __key?: unknown }).__key === KEY_MARK) {
      out.push(`${JSON.stringify((v as unknown as KeyToken).key)}:`);
    } else if (v === null || v === undefined) out.push('null');
    else if (typeof v === 'number') {
      out.push(
        Number.isNaN(v)
          ? 'NaN'
          : v === Infinity
            ? '1e999'
            : v === -Infinity
              ? '-1e999'
              : Object.is(v, -0)
                ? '-0'
                : String(v),
      );
    } else if (typeof v === 'string' || typeof v === 'boolean') out.push(JSON.stringify(v));
    else if (Array.isArray(v)) {
      out.push('[');
      stack.push(CLOSE_ARRAY);
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push(v[i]);
        if (i > 0) stack.push(COMMA);
      }
    } else if (typeof v === 'object') {
      out.push('{');
      stack.push(CLOSE_OBJECT);
      const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push((v as Record<string, unknown>)[keys[i]!]);
        stack.push({ __key: KEY_MARK, key: keys[i]! } satisfies KeyToken);
        if (i > 0) stack.push(COMMA);
      }
    } else out.push('null');
  }
  return out.join('');
}
const KEY_MARK = Symbol('key');
interface KeyToken {
  __key: typeof KEY_MARK;
  key: string;
}

/** One edit applied to a copy of a valid value. */
type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'addKey'; at: number; key: string; value: unknown }
  | { op: 'oversize'; at: number; factor: number }
  | { op: 'nest'; at: number; depth: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: anyValue }),
  fc.record({ op: fc.constant('addKey' as const), at: fc.nat(), key: hostileKey, value: hostileValue }),
  fc.record({
    op: fc.constant('oversize' as const),
    at: fc.nat(),
    factor: fc.integer({ min: 2, max: 5_000 }),
  }),
  fc.record({ op: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 10, max: 2_000 }) }),
);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

function slots(root: { v: unknown }): Slot[] {
  const out: Slot[] = [{ parent: root as unknown as Record<string, unknown>, key: 'v' }];
  // Only the top levels: a value already nested thousands deep is not walked into.
  const walk = (v: unknown, depth: number): void => {
    if (depth > 20) return;
    if (Array.isArray(v)) {
      v.slice(0, 50).forEach((item, i) => {
        out.push({ parent: v, key: i });
        walk(item, depth + 1);
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const k of Object.keys(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k });
        walk((v as Record<string, unknown>)[k], depth + 1);
      }
    }
  };
  walk(root.v, 0);
  return out;
}

/** JSON-safe deep copy that keeps own `__proto__` keys (structuredClone would too, but not cheaply). */
function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (typeof v === 'object' && v !== null) {
    return objectOf(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  }
  return v;
}

export function applyMutations(valid: unknown, mutations: Mutation[]): unknown {
  const root = { v: copy(valid) };
  for (const m of mutations) {
    const all = slots(root);
    const slot = all[m.at % all.length]!;
    const parent = slot.parent as Record<string | number, unknown>;
    const current = parent[slot.key];
    switch (m.op) {
      case 'drop':
        if (Array.isArray(parent)) parent.splice(slot.key as number, 1);
        else if (parent !== (root as unknown)) delete parent[slot.key];
        break;
      case 'replace':
        parent[slot.key] = m.value;
        break;
      case 'addKey':
        if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
          Object.defineProperty(current, m.key, {
            value: m.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else parent[slot.key] = objectOf([[m.key, m.value]]);
        break;
      case 'oversize':
        // Bounded so a case stays a frame-sized input (≤ ~70 K characters or 300 items), not gigabytes.
        if (typeof current === 'string') {
          const unit = current.slice(0, 1_000) || 'x';
          parent[slot.key] = unit.repeat(Math.min(m.factor, Math.ceil(70_000 / unit.length)));
        } else if (Array.isArray(current)) {
          parent[slot.key] = Array.from({ length: Math.min(m.factor, 300) }, () => 0);
        } else if (typeof current === 'number') parent[slot.key] = current * 10 ** (m.factor % 400) + 0.5;
        else parent[slot.key] = 'x'.repeat(m.factor * 10);
        break;
      case 'nest':
        parent[slot.key] = nested(m.depth, m.depth % 2 ? 'array' : 'object', current);
        break;
    }
  }
  return root.v;
}

export function mutated<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([v, ms]) => applyMutations(v, ms));
}

/** Raw text: random strings, random bytes decoded as UTF-8, and truncated valid text. */
export function junkText(validText: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
    fc.tuple(validText, fc.nat()).map(([t, n]) => t.slice(0, n % Math.max(1, t.length))),
    fc.constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '{}',
      '"hello"',
      '1e999',
      'NaN',
      '{"type":',
      '\u0000',
      '{"__proto__":{"polluted":1}}',
    ),
  );
}

/**
 * The mix every message parser gets: valid messages, mutated ones, hostile JSON values, and junk.
 * Each item carries whether it was generated valid (`valid: true` must be accepted).
 */
export function frames<T>(
  valid: fc.Arbitrary<T>,
): fc.Arbitrary<{ valid: boolean; value: unknown; text: string }> {
  const validText = valid.map(toJsonText);
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((value) => ({ valid: true, value, text: toJsonText(value) })) },
    {
      weight: 5,
      arbitrary: mutated(valid).map((value) => ({ valid: false, value, text: toJsonText(value) })),
    },
    { weight: 1, arbitrary: anyValue.map((value) => ({ valid: false, value, text: toJsonText(value) })) },
    { weight: 1, arbitrary: junkText(validText).map((text) => ({ valid: false, value: undefined, text })) },
  );
}

// ---- valid values built from the contract's shapes ------------------------------------------------

const ID_CHARS = [...'ABCXYZabcxyz0189._:@-'];
/** Valid agent ids, now and then one named like an Object.prototype member (legal, and a classic trap). */
export const agentId = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'),
  },
);
const UNICODE_PIECES = ['é', '𝕏', '中文', '\u202e', '\u0000', 'ß', '👍🏽', 'ﬀ', '\u0301'];
/** A string of `min`..`max` UTF-16 code units, sometimes unicode (cheap to generate). */
export function str(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 24) }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.constantFrom(...UNICODE_PIECES), {
          minLength: min,
          maxLength: Math.max(min, Math.floor(max / 8)),
        })
        .map((parts) => parts.join(''))
        .filter((s) => s.length >= min && s.length <= max),
    },
  );
}
export const ts = fc.integer({ min: 0, max: 4_102_444_800_000 });
export const bytes = fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e15, noNaN: true }));
export const percent = fc.double({ min: 0, max: 100, noNaN: true });
export const revision = fc.integer({ min: 1, max: 1_000_000 });
export const labels = fc
  .array(fc.tuple(str(1, 63), str(0, 256)), { maxLength: 8 })
  .map((entries) => Object.fromEntries(entries.filter(([k]) => k !== '__proto__')));
/** A configuration document: a JSON object (keys free, values any JSON). */
export const configDoc = fc
  .array(fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })), { maxLength: 6 })
  .map((entries) => Object.fromEntries(entries.filter(([k]) => k !== '__proto__')))
  // Nested `__proto__` keys (fc.jsonValue makes them) are refused by design: not a valid document.
  .filter((doc) => !JSON.stringify(doc).includes('"__proto__"'));
