/** Numbers, sizes, durations, relative times and dates in each console language (Intl). */
import { describe, expect, it } from 'vitest';
import { createFormatters } from '../../../src-renderer/i18n/format';

const NOW = 1_000_000_000;
// Local time, so the expectations hold in any time zone.
const JAN_5 = new Date(2026, 0, 5, 14, 3, 9).getTime();

describe('formatters in English', () => {
  const fmt = createFormatters('en');
  it('formats numbers, sizes and percents', () => {
    expect(fmt.number(1_234_567.891, 2)).toBe('1,234,567.89');
    expect(fmt.bytes(1536)).toBe('1.5 kB');
    expect(fmt.bytesPerSecond(125_000)).toBe('122 kB/s');
    expect(fmt.percent(87.4)).toBe('87%');
  });
  it('formats durations, relative times and dates', () => {
    expect(fmt.duration(5 * 60_000 + 17_000)).toBe('5 min 17 sec');
    expect(fmt.duration(93_780_000)).toBe('1 day 2 hr');
    expect(fmt.relative(NOW - 5 * 60_000, NOW)).toBe('5 minutes ago');
    expect(fmt.relative(NOW + 3 * 3_600_000, NOW)).toBe('in 3 hours');
    expect(fmt.dateTime(JAN_5)).toBe('Jan 5, 2026, 2:03:09 PM');
  });
});

describe('formatters in Brazilian Portuguese', () => {
  const fmt = createFormatters('pt-BR');
  it('formats numbers, sizes and percents with a decimal comma', () => {
    expect(fmt.number(1_234_567.891, 2)).toBe('1.234.567,89');
    expect(fmt.bytes(512)).toBe('0,5 kB');
    expect(fmt.bytes(1536)).toBe('1,5 kB');
    expect(fmt.bytes(16 * 1024 ** 3)).toBe('16 GB');
    expect(fmt.bytesPerSecond(125_000)).toBe('122 kB/s');
    expect(fmt.percent(87.4)).toBe('87%');
  });
  it('formats durations and relative times in Portuguese', () => {
    expect(fmt.duration(0)).toBe('0 s');
    expect(fmt.duration(5 * 60_000 + 17_000)).toBe('5 min 17 s');
    expect(fmt.duration(93_780_000)).toBe('1 dia 2 h');
    expect(fmt.duration(2 * 86_400_000 + 5_000)).toBe('2 dias');
    expect(fmt.relative(NOW - 2_000, NOW)).toBe('agora');
    expect(fmt.relative(NOW - 30_000, NOW)).toBe('há 30 segundos');
    expect(fmt.relative(NOW - 5 * 60_000, NOW)).toBe('há 5 minutos');
    expect(fmt.relative(NOW + 3 * 3_600_000, NOW)).toBe('em 3 horas');
  });
  it('formats dates day first with a 24-hour clock', () => {
    expect(fmt.dateTime(JAN_5)).toBe('5 de jan. de 2026, 14:03:09');
  });
});
