/**
 * The two locale files must stay in step: every key in both languages, the same interpolation
 * variables, no empty text, every plural form the language needs, and no Portuguese text left in
 * English by accident. Failures name the key and the language that lacks it.
 */
import { describe, expect, it } from 'vitest';
import en from '../../../src-renderer/i18n/locales/en.json';
import ptBR from '../../../src-renderer/i18n/locales/pt-BR.json';

const LOCALES: Record<string, unknown> = { en, 'pt-BR': ptBR };
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** "a.b.c" → text, for every leaf. */
function flatten(tree: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (tree && typeof tree === 'object' && !Array.isArray(tree)) {
    for (const [k, v] of Object.entries(tree)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, tree);
  }
  return out;
}

interface Entry {
  /** Plural forms present ("one", "other"…), empty for a plain key. */
  forms: Set<string>;
  texts: string[];
}

/** Keys with their plural suffix folded in: `count_one` + `count_other` → `count`. */
function entries(tree: unknown): Map<string, Entry> {
  const flat = flatten(tree);
  const result = new Map<string, Entry>();
  for (const [key, value] of flat) {
    const m = PLURAL_SUFFIX.exec(key);
    // A suffix only means a plural form when the group has its `_other` (i18next's rule too).
    const plural = m && flat.has(`${key.slice(0, -m[0].length)}_other`);
    const base = plural && m ? key.slice(0, -m[0].length) : key;
    const entry = result.get(base) ?? { forms: new Set<string>(), texts: [] };
    if (plural && m?.[1]) entry.forms.add(m[1]);
    entry.texts.push(typeof value === 'string' ? value : JSON.stringify(value));
    result.set(base, entry);
  }
  return result;
}

/** `{{count, number}}` → count; `$t(key)` nestings count as variables too. */
function variables(text: string): string[] {
  const names = [...text.matchAll(/\{\{\s*([^,}\s]+)[^}]*\}\}/g)].map((m) => m[1] ?? '');
  const nested = [...text.matchAll(/\$t\(([^)]+)\)/g)].map((m) => `$t:${m[1] ?? ''}`);
  return [...names, ...nested];
}

const byLanguage = new Map(Object.entries(LOCALES).map(([lng, tree]) => [lng, entries(tree)]));
const english = byLanguage.get('en') ?? new Map<string, Entry>();
const portuguese = byLanguage.get('pt-BR') ?? new Map<string, Entry>();

describe('locale files', () => {
  it('have exactly the same keys in every language', () => {
    const problems: string[] = [];
    for (const [lng, keys] of byLanguage) {
      for (const [other, otherKeys] of byLanguage) {
        if (other === lng) continue;
        for (const key of otherKeys.keys()) {
          if (!keys.has(key)) problems.push(`${lng} is missing "${key}" (present in ${other})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('use the same interpolation variables for a key in every language', () => {
    const problems: string[] = [];
    for (const [key, entry] of english) {
      const want = new Set(entry.texts.flatMap(variables));
      for (const [lng, keys] of byLanguage) {
        const texts = keys.get(key)?.texts;
        if (!texts) continue; // reported by the key test
        // Each plural form on its own: i18next fills only what that form's text names.
        for (const text of texts) {
          const got = new Set(variables(text));
          const missing = [...want].filter((v) => !got.has(v));
          const unknown = [...got].filter((v) => !want.has(v));
          if (missing.length) problems.push(`${lng} "${key}": "${text}" lacks {{${missing.join('}}, {{')}}}`);
          if (unknown.length)
            problems.push(`${lng} "${key}": "${text}" has unknown {{${unknown.join('}}, {{')}}}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('have no empty or non-text values', () => {
    const problems: string[] = [];
    for (const [lng, tree] of Object.entries(LOCALES)) {
      for (const [key, value] of flatten(tree)) {
        if (typeof value !== 'string') problems.push(`${lng} "${key}" is not text`);
        else if (value.trim() === '') problems.push(`${lng} "${key}" is empty`);
        else if (/^TODO\b/.test(value)) problems.push(`${lng} "${key}" is still a TODO`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('have every plural form each language needs (pt-BR also a zero form: "0 agentes")', () => {
    const problems: string[] = [];
    for (const [lng, keys] of byLanguage) {
      const needed = new Set(new Intl.PluralRules(lng).resolvedOptions().pluralCategories as string[]);
      // Portuguese CLDR puts 0 with "one" ("0 agente"); a _zero form (i18next uses it for count 0)
      // keeps the natural plural.
      if (lng === 'pt-BR') needed.add('zero');
      for (const [key, entry] of keys) {
        if (entry.forms.size === 0) continue;
        const missing = [...needed].filter((f) => !entry.forms.has(f));
        const extra = [...entry.forms].filter((f) => !needed.has(f));
        if (missing.length) problems.push(`${lng} "${key}" lacks the plural form(s) ${missing.join(', ')}`);
        if (extra.length)
          problems.push(`${lng} "${key}" has plural form(s) ${extra.join(', ')} it never uses`);
      }
    }
    // Plural in one language means plural in the other (a count the other would ignore).
    for (const [key, entry] of english) {
      const pt = portuguese.get(key);
      if (pt && entry.forms.size > 0 !== pt.forms.size > 0)
        problems.push(`"${key}" is plural in one language only`);
    }
    expect(problems).toEqual([]);
  });

  /**
   * Words that are the same in Brazilian Portuguese: product, protocol and unit names, loanwords
   * the Brazilian IT vocabulary uses as they are, and each language's own name.
   */
  const SAME_IN_BOTH = new Set([
    'Agent Centralizer',
    'CPU',
    'RAM',
    'IPC',
    'JSON',
    'WebSocket',
    'Webhook',
    'Broker',
    'Broker: {{state}}',
    'Gateway',
    'Host',
    'Hostname',
    'URL',
    'URL: {{url}}',
    'HTTP {{status}}',
    'Online',
    'Offline',
    'Status',
    'Desktop',
    'Virtual host',
    'Rev.',
    'JSON merge patch',
    'Patch {{patch}}',
    '1 h',
    '24 h',
    '7 d',
    '30 min',
    '{{ms, number}} ms',
    'English',
    'Português (Brasil)',
  ]);
  /** Text with no word in it: only placeholders, numbers, arrows and punctuation. */
  const wordless = (text: string): boolean => !/\p{L}{2,}/u.test(text.replace(/\{\{[^}]*\}\}/g, ''));

  it('translate every Portuguese text (identical to English only for the allowlisted words)', () => {
    const en = flatten(LOCALES.en);
    const untranslated: string[] = [];
    for (const [key, value] of flatten(LOCALES['pt-BR'])) {
      const english = en.get(key) ?? en.get(key.replace(/_(zero|many)$/, '_other'));
      if (typeof value !== 'string' || value !== english) continue;
      if (wordless(value) || SAME_IN_BOTH.has(value)) continue;
      untranslated.push(`pt-BR "${key}" is still English: "${value}"`);
    }
    expect(untranslated).toEqual([]);
  });

  it('uses one word for each idea in Portuguese (Tarefas for jobs, Configurações for settings)', () => {
    const pt = flatten(LOCALES['pt-BR']);
    expect(pt.get('nav.jobs')).toBe('Tarefas');
    expect(pt.get('jobs.title')).toBe('Tarefas');
    expect(pt.get('nav.settings')).toBe('Configurações');
    expect(pt.get('settings.title')).toBe('Configurações');
    const stray = [...pt].filter(([, v]) => typeof v === 'string' && /\b(jobs?|settings)\b/i.test(v));
    expect(stray).toEqual([]);
  });
});
