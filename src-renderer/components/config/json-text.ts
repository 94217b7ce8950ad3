/**
 * Pure helpers for the configuration editors: a JSON tokenizer for syntax highlighting (no library:
 * the CSP forbids eval, and editors like Monaco are far too heavy), JSON parsing with a line/column
 * for errors, and JSON pointer access (RFC 6901) to edit one value inside a document.
 */

export type JsonTokenType = 'key' | 'string' | 'number' | 'literal' | 'punct' | 'space' | 'invalid';

export interface JsonToken {
  type: JsonTokenType;
  text: string;
}

const STRING = /"(?:[^"\\\n]|\\.)*"?/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /(?:true|false|null)\b/y;
const SPACE = /\s+/y;
const INVALID = /[^\s"{}[\],:]+/y;

function matchAt(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(text);
  return m && m[0].length > 0 ? m[0] : null;
}

/**
 * Split `text` into tokens whose texts concatenate back to exactly `text` (so the highlighted copy
 * lines up character for character with the textarea). Tolerant: anything unexpected is `invalid`.
 * A string is a `key` when the next non-space character is a colon.
 */
export function tokenizeJson(text: string): JsonToken[] {
  const tokens: JsonToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    let m: string | null;
    if ('{}[],:'.includes(ch)) {
      tokens.push({ type: 'punct', text: ch });
      i += 1;
      continue;
    }
    if ((m = matchAt(SPACE, text, i))) {
      tokens.push({ type: 'space', text: m });
    } else if (ch === '"' && (m = matchAt(STRING, text, i))) {
      let j = i + m.length;
      while (j < text.length && /[ \t\r\n]/.test(text[j] as string)) j++;
      tokens.push({ type: text[j] === ':' ? 'key' : 'string', text: m });
    } else if ((m = matchAt(NUMBER, text, i)) && !/[A-Za-z0-9_]/.test(text[i + m.length] ?? ' ')) {
      tokens.push({ type: 'number', text: m });
    } else if ((m = matchAt(LITERAL, text, i))) {
      tokens.push({ type: 'literal', text: m });
    } else {
      m = matchAt(INVALID, text, i) ?? ch;
      tokens.push({ type: 'invalid', text: m });
    }
    i += m.length;
  }
  return tokens;
}

export type JsonParse =
  { ok: true; value: unknown } | { ok: false; message: string; line: number; column: number };

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** JSON.parse with the error located (engines say "at position N" and/or "line L column C"). */
export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const lc = /line (\d+) column (\d+)/.exec(raw);
    const pos = /position (\d+)/.exec(raw);
    const where = lc
      ? { line: Number(lc[1]), column: Number(lc[2]) }
      : lineColumn(text, pos ? Number(pos[1]) : text.length);
    const message = raw
      .replace(/^JSON\.parse: /, '')
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/ at line \d+ column \d+.*$/, '')
      .replace(/,? ?"[^"]*"\.\.\. is not valid JSON$/, '');
    return { ok: false, message: message || raw, ...where };
  }
}

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pointerJoin(base: string, key: string | number): string {
  return `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function getAt(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const key of pointerTokens(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isJsonObject(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/**
 * A copy of `doc` with the value at `pointer` replaced; `undefined` removes it, and objects left
 * empty by a removal are removed too (an empty `{}` in an override means nothing).
 */
export function setAt(doc: JsonObject, pointer: string, value: unknown): JsonObject {
  const keys = pointerTokens(pointer);
  if (keys.length === 0) return isJsonObject(value) ? value : {};
  const put = (cur: unknown, i: number): unknown => {
    const key = keys[i] as string;
    const last = i === keys.length - 1;
    if (Array.isArray(cur)) {
      const copy = [...cur];
      const next = last ? value : put(copy[Number(key)], i + 1);
      if (next === undefined) copy.splice(Number(key), 1);
      else copy[Number(key)] = next;
      return copy;
    }
    const obj: JsonObject = isJsonObject(cur) ? { ...cur } : {};
    const next = last ? value : put(obj[key], i + 1);
    if (next === undefined) delete obj[key];
    else obj[key] = next;
    return i > 0 && Object.keys(obj).length === 0 ? undefined : obj;
  };
  return (put(doc, 0) as JsonObject | undefined) ?? {};
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? '';
}
