/**
 * Fuzz + regressions: the static check on regexes an agent's JSON Schema brings (regex-safety.ts).
 * Whatever it lets through must run in bounded time on hostile near-miss strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFERENCE_CONFIG_SCHEMA } from '../../src-agent/config-schema';
import { configSchemaProblem } from '../../src-shared/agent-protocol';
import { schemaRegexProblem, unsafeRegexProblem } from '../../src-shared/regex-safety';
import { fuzz, timeoutFor } from './harness';

const piece = fc.constantFrom(
  'a',
  'b',
  '.',
  '\\d',
  '[a-z]',
  '(a)',
  '(?:ab)',
  'a|b',
  'a|aa',
  '.|a',
  '^',
  '$',
  '\\(',
  '[+*]',
);
const quant = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,30}');
const regex = fc
  .array(fc.tuple(piece, quant, fc.boolean(), quant), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.map(([p, q, group, gq]) => (group ? `(${p}${q})${gq}` : `${p}${q}`)).join(''));

describe('fuzz: regexes from agent schemas', () => {
  it('regression: nested quantifiers and backreferences are refused, ordinary patterns pass', () => {
    for (const bad of [
      '^(a+)+$',
      '(a*)*',
      '(.*a){20}',
      '((ab)+c)+',
      '(x+x+)+y',
      '(a)\\1',
      '(?<n>a)\\k<n>',
      '(',
    ]) {
      expect(unsafeRegexProblem(bad), bad).not.toBeNull();
    }
    for (const ok of [
      '^[a-z0-9-]+$',
      '^\\d{1,5}$',
      '^(https?)://[^/]+(/.*)?$',
      '[(+*)]+',
      '^(a|b)c*$',
      '\\(x+\\)+',
    ]) {
      expect(unsafeRegexProblem(ok), ok).toBeNull();
    }
    expect(schemaRegexProblem(REFERENCE_CONFIG_SCHEMA)).toBeNull();
    expect(
      configSchemaProblem({ type: 'object', properties: { x: { type: 'string', pattern: '^(a+)+$' } } }),
    ).toBe(
      'configSchema pattern "^(a+)+$" repeats a group that repeats or alternates (like (a+)+ or (a|aa)+), which can take exponential time',
    );
    expect(configSchemaProblem({ patternProperties: { '(a*)*b': {} } })).toMatch(/exponential time/);
  });

  it(
    'every regex the check accepts runs quickly on long near-miss inputs',
    () => {
      fuzz('regex safety', regex, (source) => {
        if (unsafeRegexProblem(source) !== null) return 'rejected';
        const re = new RegExp(source, 'u');
        for (const s of [
          'a'.repeat(40) + '!',
          'ab'.repeat(30) + 'c!',
          '1'.repeat(40) + 'x',
          '('.repeat(30),
        ]) {
          re.test(s); // the per-case budget of the harness fails a slow one
        }
        return 'accepted';
      });
    },
    timeoutFor('regex safety', 1),
  );
});
