/**
 * The words of the native desktop notifications, in the console's languages. The main process has
 * no i18next; it reads the renderer's locale files (the same keys as the in-page notifications,
 * src-renderer/state/notifications.ts) and picks the language of the OS (`app.getLocale()`), which
 * is also the console's default language: any `pt*` locale gives pt-BR, anything else English.
 */
import type { AlertNotification } from '../../src-shared';
import en from '../../src-renderer/i18n/locales/en.json';
import ptBR from '../../src-renderer/i18n/locales/pt-BR.json';

export type NotificationLanguage = 'en' | 'pt-BR';

const LOCALES = { en, 'pt-BR': ptBR } as const;

export function notificationLanguage(locale: string | undefined): NotificationLanguage {
  return /^pt(?:[-_]|$)/i.test(locale ?? '') ? 'pt-BR' : 'en';
}

/** `{{name}}` as given, `{{name, number}}` grouped for the language (like i18next's number format). */
function fill(text: string, values: Record<string, string | number>, lng: NotificationLanguage): string {
  return text.replace(
    /\{\{\s*([^,}\s]+)\s*(,\s*number\s*)?\}\}/g,
    (whole, name: string, asNumber?: string) => {
      const value = values[name];
      if (value === undefined) return whole;
      return asNumber && typeof value === 'number' ? new Intl.NumberFormat(lng).format(value) : String(value);
    },
  );
}

/** The i18next plural form for `count`: `_zero` when the file has one, then CLDR's category. */
function plural(
  forms: Record<string, string>,
  base: string,
  count: number,
  lng: NotificationLanguage,
): string {
  const zero = forms[`${base}_zero`];
  if (count === 0 && zero !== undefined) return zero;
  return forms[`${base}_${new Intl.PluralRules(lng).select(count)}`] ?? forms[`${base}_other`] ?? '';
}

/** A default rule's English name is shown in the language; a name the operator typed stays. */
export function ruleName(ruleId: string, name: string, lng: NotificationLanguage): string {
  const english = (en.alerts.rules.defaultName as Record<string, string>)[ruleId];
  const local = (LOCALES[lng].alerts.rules.defaultName as Record<string, string>)[ruleId];
  return english !== undefined && local !== undefined && name === english ? local : name;
}

export function notificationContent(
  n: AlertNotification,
  lng: NotificationLanguage = 'en',
): { title: string; body: string } {
  const words = LOCALES[lng].alerts.notify;
  const { alert } = n;
  const rule = ruleName(alert.ruleId, alert.ruleName, lng);
  const title =
    n.event === 'alert.resolved'
      ? fill(words.resolvedTitle, { rule }, lng)
      : fill(words.firedTitle[alert.severity === 'critical' ? 'critical' : 'warning'], { rule }, lng);
  return { title, body: fill(words.body, { subject: alert.subject.name, message: alert.message }, lng) };
}

/** The one notification that stands for those a storm held back. */
export function summaryContent(
  count: number,
  lng: NotificationLanguage = 'en',
): { title: string; body: string } {
  const words = LOCALES[lng].alerts.notify as unknown as Record<string, string>;
  return {
    title: fill(plural(words, 'summaryTitle', count, lng), { count }, lng),
    body: words.summaryBody ?? '',
  };
}
