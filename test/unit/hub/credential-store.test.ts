import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_FILE, CredentialStore } from '../../../src-main/hub/enrollment/credential-store';
import { createLogger } from '../../../src-main/hub/logger';
import { fileCredentials } from '../../../src-agent/credential-file';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ac-cred-'));
  dirs.push(d);
  return d;
}
const facts = { name: 'a', hostname: 'h' };
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('CredentialStore', () => {
  it('issues a credential, keeps only its hash on disk, and finds it again after a reopen', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, createLogger({ write: () => {} }));
    const secret = await store.issue('agent-1', facts, 'active', 1000);
    const text = readFileSync(join(dir, CREDENTIALS_FILE), 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain(sha256(secret));
    expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    const reopened = new CredentialStore(dir, createLogger({ write: () => {} }));
    expect(reopened.lookup(secret)).toEqual({ state: 'active', agentId: 'agent-1' });
    expect(reopened.lookup(`${secret}x`)).toEqual({ state: 'unknown' });
  });

  it('many enrollments at once: every one is on disk when its promise resolves; an id enrolls once', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, createLogger({ write: () => {} }));
    const secrets = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.issue(`agent-${i}`, facts, 'active', i)),
    );
    const file = JSON.parse(readFileSync(join(dir, CREDENTIALS_FILE), 'utf8')) as {
      agents: Record<string, { hash: string }>;
    };
    expect(Object.keys(file.agents)).toHaveLength(50);
    expect(file.agents['agent-7']?.hash).toBe(sha256(secrets[7]!));
    await expect(store.issue('agent-7', facts, 'active', 99)).rejects.toThrow(/already enrolled/);
  });

  it('pending → accepted; removed (rejected or revoked) → remembered as revoked', async () => {
    const store = new CredentialStore(tempDir(), createLogger({ write: () => {} }));
    const secret = await store.issue('p-1', facts, 'pending', 1);
    expect(store.lookup(secret)).toEqual({ state: 'pending', agentId: 'p-1' });
    expect(store.accept('p-1', 2)).toBe(true);
    expect(store.accept('p-1', 3)).toBe(false);
    expect(store.lookup(secret).state).toBe('active');
    expect(store.remove('p-1', 4)).toBe(true);
    expect(store.lookup(secret)).toEqual({ state: 'revoked', agentId: 'p-1' });
    expect(store.remove('p-1', 5)).toBe(false);
  });

  it('keeps a corrupt file aside with a clear error and starts empty', () => {
    const dir = tempDir();
    writeFileSync(join(dir, CREDENTIALS_FILE), '{"version":1,"agents":');
    const lines: string[] = [];
    const store = new CredentialStore(dir, createLogger({ write: (l) => lines.push(l) }));
    expect(store.size).toBe(0);
    const aside = readdirSync(dir).filter((f) => f.startsWith(`${CREDENTIALS_FILE}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('{"version":1,"agents":');
    expect(lines.join('\n')).toMatch(/ERROR.*store file was corrupt; kept aside/);
  });

  it('treats agent ids such as "constructor" and "toString" as plain ids', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, createLogger({ write: () => {} }));
    expect(store.has('constructor')).toBe(false);
    expect(store.get('toString')).toBeUndefined();
    expect(store.remove('toString', 1)).toBe(false);
    const secret = await store.issue('constructor', facts, 'active', 1);
    const reopened = new CredentialStore(dir, createLogger({ write: () => {} }));
    expect(reopened.lookup(secret)).toEqual({ state: 'active', agentId: 'constructor' });
    expect(reopened.size).toBe(1);
  });

  it('records queue deletions owed while the broker is away, durably', () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, createLogger({ write: () => {} }));
    store.setQueueDelete('gone-1', true);
    expect(new CredentialStore(dir, createLogger({ write: () => {} })).queueDeletes).toEqual(['gone-1']);
    store.setQueueDelete('gone-1', false);
    expect(new CredentialStore(dir, createLogger({ write: () => {} })).queueDeletes).toEqual([]);
  });
});

describe('agent credential file', () => {
  it('writes 0600, reads it back, narrows widened permissions, deletes on undefined', () => {
    const dir = tempDir();
    const file = join(dir, 'state', 'credential');
    const warnings: string[] = [];
    const keeper = fileCredentials(file, (w) => warnings.push(w));
    expect(keeper.load()).toBeUndefined();
    keeper.save('ac1_secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keeper.load()).toBe('ac1_secret');
    writeFileSync(file, 'ac1_secret\n', { mode: 0o644 });
    // writeFileSync keeps the existing mode: widen it explicitly.
    chmodSync(file, 0o644);
    expect(keeper.load()).toBe('ac1_secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    keeper.save(undefined);
    expect(keeper.load()).toBeUndefined();
  });
});
