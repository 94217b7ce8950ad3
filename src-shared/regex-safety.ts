/**
 * Regular expressions that come from outside (the `pattern` / `patternProperties` of the JSON Schema an
 * agent declares) run inside the hub and the console whenever a configuration is validated. JavaScript
 * regexes backtrack, and a nested quantifier such as `^(a+)+$` takes exponential time on a near-miss
 * ("aaaa…!": 24 characters ≈ 0.3 s, 35 ≈ minutes), which would freeze the hub's event loop. Found by the
 * fuzz suite (test/fuzz). This is a conservative static check, not a proof: it refuses a quantified
 * group that itself contains a quantifier or an alternation, and backreferences; ordinary schema
 * patterns (character classes, bounded repeats, an unquantified `(a|b)`) pass.
 */

/** Why `source` is not accepted as an outside regex, or null. */
export function unsafeRegexProblem(source: string): string | null {
  if (source.length > 1_000) return 'is longer than 1000 characters';
  try {
    new RegExp(source, 'u');
  } catch {
    return 'is not a valid regular expression';
  }
  if (/\\[1-9]|\\k</.test(source)) return 'uses a backreference';
  // Walk groups with a stack: does a group that contains a quantifier get quantified itself?
  // Per open group: contains a quantifier (or an alternation, which overlaps like `(a|aa)+` can).
  const hasQuantifier: boolean[] = [false];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // Skip a character class (a quantifier inside it is a literal).
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (c === '(') {
      hasQuantifier.push(false);
      continue;
    }
    const quantifier = c === '*' || c === '+' || (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i)));
    if (c === ')') {
      const inner = hasQuantifier.pop() ?? false;
      const next = source[i + 1];
      const quantified =
        next === '*' || next === '+' || (next === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i + 1)));
      if (inner && quantified) {
        return 'repeats a group that repeats or alternates (like (a+)+ or (a|aa)+), which can take exponential time';
      }
      if (inner) hasQuantifier[hasQuantifier.length - 1] = true;
      continue;
    }
    if (quantifier || (c === '|' && hasQuantifier.length > 1)) hasQuantifier[hasQuantifier.length - 1] = true;
  }
  return null;
}

/** The first unsafe `pattern` / `patternProperties` regex in a JSON Schema, as a problem, or null. */
export function schemaRegexProblem(schema: unknown): string | null {
  const stack: unknown[] = [schema];
  while (stack.length) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (!Array.isArray(node)) {
      const o = node as Record<string, unknown>;
      const patterns = [
        ...(typeof o.pattern === 'string' ? [o.pattern] : []),
        ...(typeof o.patternProperties === 'object' && o.patternProperties !== null
          ? Object.keys(o.patternProperties)
          : []),
      ];
      for (const p of patterns) {
        const problem = unsafeRegexProblem(p);
        if (problem) return `pattern ${JSON.stringify(p.slice(0, 60))} ${problem}`;
      }
    }
    for (const child of Object.values(node)) stack.push(child);
  }
  return null;
}
