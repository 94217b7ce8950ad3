import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, HelloSchema } from '../../../src-shared';
import { Enrollment } from '../../../src-main/hub/enrollment/enrollment';
import { clipUtf8 } from '../../../src-main/hub/gateway/gateway';
import { createLogger } from '../../../src-main/hub/logger';
import { hello } from '../../helpers/messages';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Enrollment.admit when the credential cannot be written', () => {
  it('refuses with a fixed reason that fits a close frame; the error (hub paths) goes to the log only', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ac-enroll-'));
    dirs.push(dataDir);
    const lines: string[] = [];
    const enrollment = new Enrollment({
      dataDir,
      token: 'enrollment-token-0123456789abcdef',
      tokenSource: 'generated',
      logger: createLogger({ write: (l) => lines.push(l) }),
      onChange: () => {},
    });
    // The journal is closed: the next group commit fails exactly as a failed disk write does.
    enrollment.store.close();
    const admission = await enrollment.admit(
      { kind: 'enrollment' },
      HelloSchema.parse(hello({ agentId: 'new-1' })),
      '10.0.0.9',
    );
    expect(admission).toMatchObject({ ok: false, refused: true, closeCode: CloseCode.UNAUTHORIZED });
    const reason = (admission as { reason: string }).reason;
    expect(reason).not.toContain(dataDir);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(enrollment.store.has('new-1')).toBe(false);
    expect(lines.join('\n')).toMatch(/ERROR.*could not enroll an agent.*append log is closed/);
  });
});

describe('clipUtf8 (WebSocket close reasons)', () => {
  it('keeps short text, cuts long text to the byte limit, never inside a character', () => {
    expect(clipUtf8('short', 123)).toBe('short');
    expect(clipUtf8('x'.repeat(300), 123)).toBe('x'.repeat(123));
    // '€' is 3 bytes: 41 of them are 123 bytes, a 42nd does not fit.
    expect(clipUtf8('€'.repeat(50), 123)).toBe('€'.repeat(41));
    expect(clipUtf8(`a${'€'.repeat(50)}`, 123)).toBe(`a${'€'.repeat(40)}`);
    // An emoji is two UTF-16 units and 4 bytes: never split into a lone surrogate.
    const cut = clipUtf8('😀'.repeat(40), 123);
    expect(cut).toBe('😀'.repeat(30));
    expect(Buffer.byteLength(cut)).toBe(120);
  });
});
