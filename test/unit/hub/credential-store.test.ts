import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CREDENTIALS_FILE,
  CREDENTIALS_JOURNAL,
  CredentialStore,
} from '../../../src-main/hub/enrollment/credential-store';
import { createLogger } from '../../../src-main/hub/logger';
import { encodeLine } from '../../../src-main/hub/store/checksummed-lines';
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
const quiet = () => createLogger({ write: () => {} });
/** What the hub has on disk about credentials: the snapshot and the journal, as text. */
function onDisk(dir: string): string {
  return [CREDENTIALS_FILE, CREDENTIALS_JOURNAL]
    .map((f) => {
      try {
        return readFileSync(join(dir, f), 'utf8');
      } catch {
        return '';
      }
    })
    .join('\n');
}
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('CredentialStore', () => {
  it('issues a credential, keeps only its hash on disk, and finds it again after a reopen', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, createLogger({ write: () => {} }));
    const secret = await store.issue('agent-1', facts, 'active', 1000);
    const text = onDisk(dir);
    expect(text).not.toContain(secret);
    expect(text).toContain(sha256(secret));
    expect(statSync(join(dir, CREDENTIALS_JOURNAL)).mode & 0o777).toBe(0o600);
    store.close(); // folds the journal into the snapshot
    expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, CREDENTIALS_JOURNAL)).size).toBe(0);
    expect(onDisk(dir)).toContain(sha256(secret));
    const reopened = new CredentialStore(dir, createLogger({ write: () => {} }));
    expect(reopened.lookup(secret)).toEqual({ state: 'active', agentId: 'agent-1', hash: sha256(secret) });
    expect(reopened.lookup(`${secret}x`)).toEqual({ state: 'unknown' });
  });

  it('many enrollments at once: every one is on disk when its promise resolves; an id enrolls once', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, createLogger({ write: () => {} }));
    const secrets = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.issue(`agent-${i}`, facts, 'active', i)),
    );
    // On disk before any snapshot: the journal alone, read by a fresh store, holds all 50.
    const reread = new CredentialStore(dir, quiet());
    expect(reread.size).toBe(50);
    expect(reread.lookup(secrets[7]!)).toMatchObject({ state: 'active', agentId: 'agent-7' });
    expect(onDisk(dir)).toContain(sha256(secrets[7]!));
    await expect(store.issue('agent-7', facts, 'active', 99)).rejects.toThrow(/already enrolled/);
  });

  it('pending → accepted; removed (rejected or revoked) → remembered as revoked', async () => {
    const store = new CredentialStore(tempDir(), createLogger({ write: () => {} }));
    const secret = await store.issue('p-1', facts, 'pending', 1);
    expect(store.lookup(secret)).toEqual({ state: 'pending', agentId: 'p-1', hash: sha256(secret) });
    expect(store.pendingCount).toBe(1);
    expect(store.pending().map(([id]) => id)).toEqual(['p-1']);
    expect(store.accept('p-1', 2)).toBe(true);
    expect(store.pendingCount).toBe(0);
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
    expect(reopened.lookup(secret)).toMatchObject({ state: 'active', agentId: 'constructor' });
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

describe('CredentialStore journal', () => {
  it('a group of enrollments appends to the journal instead of rewriting the snapshot', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, quiet());
    store.setApprovalMode(false); // writes the snapshot once
    const snapshot = readFileSync(join(dir, CREDENTIALS_FILE), 'utf8');
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.issue(`a-${i}`, facts, 'active', i)));
    await store.issue('late', facts, 'active', 99);
    expect(readFileSync(join(dir, CREDENTIALS_FILE), 'utf8')).toBe(snapshot);
    const lines = readFileSync(join(dir, CREDENTIALS_JOURNAL), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(21);
  });

  it('folds a long journal into the snapshot (write amplification stays bounded)', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, quiet());
    for (let round = 0; round < 6; round++) {
      await Promise.all(
        Array.from({ length: 400 }, (_, i) => store.issue(`r${round}-${i}`, facts, 'active', i)),
      );
    }
    // 2,400 records: past 1,024 the next group went into a snapshot, so the journal is short.
    const journalLines = readFileSync(join(dir, CREDENTIALS_JOURNAL), 'utf8').split('\n').length - 1;
    expect(journalLines).toBeLessThan(2400);
    const snapshot = JSON.parse(readFileSync(join(dir, CREDENTIALS_FILE), 'utf8')) as {
      agents: Record<string, unknown>;
    };
    expect(Object.keys(snapshot.agents).length + journalLines).toBe(2400);
    expect(new CredentialStore(dir, quiet()).size).toBe(2400);
  });

  it('a revocation is not undone by a journal line left behind by a crash', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, quiet());
    const secret = await store.issue('gone', facts, 'active', 1);
    const journal = readFileSync(join(dir, CREDENTIALS_JOURNAL));
    expect(store.remove('gone', 2)).toBe(true);
    // The hub died after writing the revocation's snapshot, before emptying the journal.
    writeFileSync(join(dir, CREDENTIALS_JOURNAL), journal);
    const reopened = new CredentialStore(dir, quiet());
    expect(reopened.lookup(secret)).toEqual({ state: 'revoked', agentId: 'gone' });
    expect(reopened.has('gone')).toBe(false);
  });

  it('a torn last journal line loses only that record; a damaged one is skipped with an error', async () => {
    const dir = tempDir();
    const store = new CredentialStore(dir, quiet());
    const first = await store.issue('first', facts, 'active', 1);
    const second = await store.issue('second', facts, 'active', 2);
    const file = join(dir, CREDENTIALS_JOURNAL);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, -20)); // torn write of the second line
    const torn = new CredentialStore(dir, quiet());
    expect(torn.lookup(first).state).toBe('active');
    expect(torn.lookup(second).state).toBe('unknown'); // that agent gets 401 and enrolls again
    torn.close();

    const dir2 = tempDir();
    const store2 = new CredentialStore(dir2, quiet());
    const ok = await store2.issue('ok', facts, 'active', 1);
    const file2 = join(dir2, CREDENTIALS_JOURNAL);
    // A line with a valid checksum but not a credential record (e.g. written by a future version).
    const bad = readFileSync(file2, 'utf8');
    writeFileSync(file2, `${bad}${encodeLine('{"id":"x","r":{"hash":"nope"}}')}`);
    const logs: string[] = [];
    const reread = new CredentialStore(dir2, createLogger({ write: (l) => logs.push(l) }));
    expect(reread.lookup(ok).state).toBe('active');
    expect(reread.has('x')).toBe(false);
    expect(logs.join('\n')).toMatch(/ERROR.*records not understood were skipped/);
  });
});
