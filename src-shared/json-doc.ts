/**
 * Small JSON document helpers for configurations: JSON merge patch (RFC 7386), the merge of profiles
 * and overrides, structural equality, and a flat diff keyed by JSON pointer (what the audit log and
 * the "desired vs applied" view show).
 */
export type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `o[key]` if `o` has it as its own property. Plain indexing would read inherited members: a key
 * named "constructor" or "toString" present on one side only would compare against a function.
 */
const own = (o: JsonObject, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

/** Set as an own data property, so even a `__proto__` key stays a key (not a prototype change). */
function setOwn(o: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. Returns a new object. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, mergePatch(own(result, key), value));
  }
  return result;
}

/** Layers merged in order (later wins), each as a merge patch. */
export function mergeLayers(layers: JsonObject[]): JsonObject {
  return layers.reduce<JsonObject>((acc, layer) => mergePatch(acc, layer) as JsonObject, {});
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

/** One key as a JSON pointer segment (RFC 6901). */
export const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Leaf-level differences: JSON pointer → [before, after], with `null` for an absent value (it must
 * survive a JSON round trip; effective configurations never hold null, merge patches delete on it).
 * Arrays compare whole.
 */
export function jsonDiff(before: unknown, after: unknown, path = ''): Record<string, [unknown, unknown]> {
  if (jsonEqual(before, after)) return {};
  if (isObject(before) && isObject(after)) {
    const out: Record<string, [unknown, unknown]> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      Object.assign(out, jsonDiff(own(before, key), own(after, key), `${path}/${escapePointer(key)}`));
    }
    return out;
  }
  return { [path]: [before === undefined ? null : before, after === undefined ? null : after] };
}
