/**
 * Locale-aware formatting with Intl, cached per language. Components call these through
 * `useFormat()` so a language switch re-renders with the right formats.
 */
import { useTranslation } from 'react-i18next';

const KIB = 1024;
/** Sizes use binary multiples (like `free -h` and most OS monitors) with Intl's byte unit names. */
const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;

export interface Formatters {
  number(value: number, maxFractionDigits?: number, minFractionDigits?: number): string;
  /** `value` in 0..100. */
  percent(value: number): string;
  bytes(value: number): string;
  bytesPerSecond(value: number): string;
  /** "5 min ago", "in 3 s", "now". */
  relative(ts: number, now: number): string;
  /** "3 h 5 min": the two largest non-zero units. */
  duration(ms: number): string;
  dateTime(ts: number): string;
  time(ts: number): string;
}

const cache = new Map<string, Formatters>();

/** Below 1 KiB we still say kB ("0.3 kB"): Intl's short name for a lone byte reads oddly ("512 byte"). */
function scale(value: number): { amount: number; unit: (typeof BYTE_UNITS)[number] } {
  let amount = Math.max(0, value) / KIB;
  let i = 1;
  while (amount >= KIB && i < BYTE_UNITS.length - 1) {
    amount /= KIB;
    i++;
  }
  return { amount, unit: BYTE_UNITS[i] ?? 'byte' };
}

const DURATION_UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

export function createFormatters(language: string): Formatters {
  const cached = cache.get(language);
  if (cached) return cached;

  const numberFormats = new Map<string, Intl.NumberFormat>();
  const num = (max: number, min: number): Intl.NumberFormat => {
    const key = `${max}/${min}`;
    let f = numberFormats.get(key);
    if (!f) {
      f = new Intl.NumberFormat(language, { maximumFractionDigits: max, minimumFractionDigits: min });
      numberFormats.set(key, f);
    }
    return f;
  };
  const percentFormat = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 });
  const unitFormats = new Map<string, Intl.NumberFormat>();
  const unit = (u: string, digits: number, display: 'short' | 'narrow' = 'short'): Intl.NumberFormat => {
    const key = `${u}/${digits}/${display}`;
    let f = unitFormats.get(key);
    if (!f) {
      f = new Intl.NumberFormat(language, {
        style: 'unit',
        unit: u,
        unitDisplay: display,
        maximumFractionDigits: digits,
      });
      unitFormats.set(key, f);
    }
    return f;
  };
  const rtf = new Intl.RelativeTimeFormat(language, { numeric: 'auto', style: 'long' });
  const list = new Intl.ListFormat(language, { type: 'unit', style: 'narrow' });
  const dateTimeFormat = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' });
  const timeFormat = new Intl.DateTimeFormat(language, { timeStyle: 'short' });
  const sameDay = (a: number, b: number): boolean =>
    new Date(a).toDateString() === new Date(b).toDateString();

  const f: Formatters = {
    number: (value, max = 0, min = 0) => num(max, min).format(value),
    percent: (value) => percentFormat.format(value / 100),
    bytes(value) {
      const { amount, unit: u } = scale(value);
      return unit(u, amount < 10 ? 1 : 0).format(amount);
    },
    bytesPerSecond(value) {
      const { amount, unit: u } = scale(value);
      return unit(`${u}-per-second`, amount < 10 ? 1 : 0).format(amount);
    },
    relative(ts, now) {
      const diff = ts - now;
      const abs = Math.abs(diff);
      if (abs < 5_000) return rtf.format(0, 'second');
      if (abs < 60_000) return rtf.format(Math.round(diff / 1000), 'second');
      if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
      if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
      return rtf.format(Math.round(diff / 86_400_000), 'day');
    },
    duration(ms) {
      let rest = Math.max(0, ms);
      const parts: string[] = [];
      for (const [u, size] of DURATION_UNITS) {
        const n = Math.floor(rest / size);
        if (n > 0 || (u === 'second' && parts.length === 0)) {
          parts.push(unit(u, 0).format(n));
          rest -= n * size;
        }
        if (parts.length === 2) break;
        // Keep the two parts adjacent: "2 d 3 h", never "2 d 5 s".
        if (parts.length === 1 && n === 0) break;
      }
      return list.format(parts);
    },
    dateTime: (ts) => dateTimeFormat.format(ts),
    time: (ts) => (sameDay(ts, Date.now()) ? timeFormat.format(ts) : dateTimeFormat.format(ts)),
  };
  cache.set(language, f);
  return f;
}

export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  return createFormatters(i18n.resolvedLanguage ?? i18n.language ?? 'en');
}
