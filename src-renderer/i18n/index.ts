/**
 * i18next setup. Every UI string lives in locales/<lng>.json under structured keys; numbers, dates,
 * durations and sizes go through Intl (./format.ts), never through hand-built strings. Adding
 * Portuguese = adding locales/pt.json with the same keys and listing it in `resources`.
 */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';

export const resources = { en: { translation: en } } as const;
export const SUPPORTED_LANGUAGES = Object.keys(resources);

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

function preferredLanguage(): string {
  const wanted = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const tag of wanted) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (SUPPORTED_LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

/** Initialise once (synchronously: resources are bundled). Safe to call again. */
export function setupI18n(language = preferredLanguage()): I18n {
  if (!i18next.isInitialized) {
    void i18next.use(initReactI18next).init({
      resources,
      lng: language,
      fallbackLng: 'en',
      supportedLngs: SUPPORTED_LANGUAGES,
      initAsync: false,
      showSupportNotice: false, // no advertising in the console or test logs
      interpolation: { escapeValue: false }, // React escapes.
      returnNull: false,
    });
  }
  return i18next;
}

export { i18next };
