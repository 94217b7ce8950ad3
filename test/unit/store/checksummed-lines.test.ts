import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  crc32Fallback,
  decodeLine,
  encodeLine,
  encodeLineBuffer,
  parseLine,
} from '../../../src-main/hub/store/checksummed-lines';

describe('checksummed lines', () => {
  it('round-trips a body and rejects any change', () => {
    const body = JSON.stringify({ a: 'ünïcode ✓', n: 1 });
    const line = Buffer.from(encodeLine(body));
    expect(line.at(-1)).toBe(0x0a);
    expect(decodeLine(line, 0, line.length - 1)).toBe(body);
    expect(parseLine(line, 0, line.length - 1)).toEqual({ a: 'ünïcode ✓', n: 1 });
    for (let i = 0; i < line.length - 1; i++) {
      const damaged = Buffer.from(line);
      damaged[i] = damaged[i]! ^ 0x04;
      expect(decodeLine(damaged, 0, line.length - 1), `byte ${i}`).toBeUndefined();
    }
    expect(decodeLine(line, 0, 5)).toBeUndefined();
    expect(encodeLineBuffer(body)).toEqual(line);
  });

  it('rejects a valid checksum over invalid JSON in parseLine', () => {
    const line = Buffer.from(encodeLine('{not json'));
    expect(decodeLine(line, 0, line.length - 1)).toBe('{not json');
    expect(parseLine(line, 0, line.length - 1)).toBeUndefined();
  });

  it('the pure-JS CRC-32 fallback agrees with zlib', () => {
    for (const text of ['', 'a', 'hello world', 'ünïcode ✓'.repeat(50)]) {
      const bytes = Buffer.from(text);
      expect(crc32Fallback(bytes)).toBe(zlibCrc32(bytes));
    }
  });
});
