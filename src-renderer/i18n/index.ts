/**
 * i18next setup. Every UI string lives in locales/<lng>.json under structured keys; numbers, dates,
 * durations and sizes go through Intl (./format.ts), never through hand-built strings.
 *
 * Languages: English and Brazilian Portuguese. The default follows the OS (Electron's renderer
 * reports `app.getLocale()` as `navigator.language`) or the browser of the headless console:
 * any `pt*` tag picks pt-BR, anything else English. A choice made in Settings is kept in
 * localStorage (works in both shells) and applied at once, without a reload.
 */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';

export const resources = { en: { translation: en }, 'pt-BR': { translation: ptBR } } as const;
export type Language = keyof typeof resources;
export const SUPPORTED_LANGUAGES = Object.keys(resources) as Language[];
/** Each language's name in itself: the switch must be readable by someone who cannot read the other. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', 'pt-BR': 'Português (Brasil)' };

/** localStorage key of the language chosen in Settings; absent = follow the OS/browser. */
export const LANGUAGE_STORAGE_KEY = 'centralizer.language';
/**
 * localStorage key that turns on the translation check (e2e): no fallback to English, so a key
 * missing in the current language shows as the raw key, and every miss is recorded in
 * `window.__i18nMissing`. Off for users: a missing translation falls back to English.
 */
export const I18N_CHECK_STORAGE_KEY = 'centralizer.i18nCheck';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

declare global {
  interface Window {
    __i18nMissing?: { lng: string; key: string }[];
  }
}

/** Maps a BCP 47 tag to a supported language: `pt`, `pt-PT`, `pt-BR` → pt-BR; `en-*` → en. */
export function languageForTag(tag: string | undefined | null): Language | undefined {
  const base = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  if (base === 'pt') return 'pt-BR';
  if (base === 'en') return 'en';
  return undefined;
}

/** The OS/browser preference: the first supported tag in `navigator.languages`, else English. */
export function systemLanguage(tags?: readonly string[]): Language {
  const wanted =
    tags ??
    (typeof navigator === 'undefined'
      ? []
      : navigator.languages?.length
        ? navigator.languages
        : [navigator.language]);
  for (const tag of wanted) {
    const lng = languageForTag(tag);
    if (lng) return lng;
  }
  return 'en';
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // Storage blocked (opaque origin, privacy settings): choices are not kept.
  }
}

/** The language chosen in Settings, if any (an unknown stored value counts as no choice). */
export function storedLanguage(): Language | undefined {
  const value = storage()?.getItem(LANGUAGE_STORAGE_KEY);
  return value && (SUPPORTED_LANGUAGES as string[]).includes(value) ? (value as Language) : undefined;
}

export function preferredLanguage(): Language {
  return storedLanguage() ?? systemLanguage();
}

function checkMode(): boolean {
  return storage()?.getItem(I18N_CHECK_STORAGE_KEY) === '1';
}

/** `<html lang>` follows the language, so screen readers pronounce the page right. */
function applyToDocument(lng: string): void {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}

/** Initialise once (synchronously: resources are bundled). Safe to call again. */
export function setupI18n(language: string = preferredLanguage()): I18n {
  if (!i18next.isInitialized) {
    const check = checkMode();
    if (check && typeof window !== 'undefined') window.__i18nMissing = [];
    i18next.on('languageChanged', applyToDocument);
    void i18next.use(initReactI18next).init({
      resources,
      lng: language,
      fallbackLng: check ? false : 'en',
      supportedLngs: SUPPORTED_LANGUAGES,
      load: 'currentOnly',
      initAsync: false,
      showSupportNotice: false, // no advertising in the console or test logs
      interpolation: { escapeValue: false }, // React escapes.
      returnNull: false,
      saveMissing: check,
      missingKeyHandler: check
        ? (lngs, _ns, key) => {
            for (const lng of lngs) window.__i18nMissing?.push({ lng, key });
          }
        : false,
    });
  }
  return i18next;
}

/**
 * Switch the console's language now and remember the choice; `'system'` forgets it and goes back
 * to the OS/browser language. Components re-render through react-i18next; `<html lang>` follows.
 */
export async function chooseLanguage(choice: Language | 'system'): Promise<void> {
  const store = storage();
  try {
    if (choice === 'system') store?.removeItem(LANGUAGE_STORAGE_KEY);
    else store?.setItem(LANGUAGE_STORAGE_KEY, choice);
  } catch {
    // Quota or blocked storage: the switch still applies to this session.
  }
  await i18next.changeLanguage(choice === 'system' ? systemLanguage() : choice);
}

export { i18next };
