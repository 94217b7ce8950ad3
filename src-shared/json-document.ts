/**
 * The schema of a JSON document that comes from outside and is kept, merged and sent on: an agent's
 * configuration, a profile, a merge patch, the JSON Schema an agent declares. Plain records of
 * `unknown` let three things through that break later, far from where they came in (found by the
 * fuzz suite, test/fuzz):
 *  - nesting thousands of levels deep (an 18 KB frame): the recursive merge, diff, structuredClone,
 *    JSON.stringify and the JSON Schema validator throw "Maximum call stack size exceeded";
 *  - `1e999` (which JSON.parse turns into Infinity) or NaN over IPC: stored, then written back as
 *    `null`, so the document silently changes;
 *  - a `__proto__` key: dropped by zod's records and by plain assignment, so the document silently
 *    loses it.
 * Each is refused here with the path and the reason instead. Checked iteratively (no recursion).
 */
import { z } from 'zod';
import { escapePointer } from './json-doc';

/** Deepest nesting accepted; real configurations and schemas use a handful of levels. */
export const MAX_JSON_DEPTH = 64;

/** Why `value` is not a plain JSON value within `maxDepth`, as "<JSON pointer> <problem>", or null. */
export function jsonDocumentProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    const at = path || '/';
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${at} must be a finite number`;
      continue;
    }
    if (typeof v !== 'object') return `${at} is not a JSON value (${typeof v})`;
    if (depth >= maxDepth) return `${at} is nested deeper than ${maxDepth} levels`;
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}/${i}`, depth + 1]));
      continue;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return `${at} is not a plain JSON object`;
    for (const key of Object.keys(v)) {
      if (key === '__proto__') return `${at} has the key "__proto__", which is not allowed`;
      stack.push([(v as Record<string, unknown>)[key], `${path}/${escapePointer(key)}`, depth + 1]);
    }
  }
  return null;
}

/** A JSON object (not an array, not null) that passes `jsonDocumentProblem`. */
export const JsonDocumentSchema = z
  .custom<Record<string, unknown>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'expected a JSON object',
  )
  .superRefine((value, ctx) => {
    const problem = jsonDocumentProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
