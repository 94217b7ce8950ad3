/**
 * Bundles src-main/hub/store/journal-store.ts (and what it imports: only Node built-ins) into one
 * plain ESM file a child `node` process can import: there is no TS runner in the project, and the
 * store has no dependencies, so a private vite SSR build into a temp folder is enough (~100 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '../../..');

export async function buildStoreBundle(): Promise<{ dir: string; module: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'store-build-'));
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: join(root, 'src-main/hub/store/journal-store.ts'),
      outDir: dir,
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'journal-store.mjs' } },
    },
  });
  return {
    dir,
    module: join(dir, 'journal-store.mjs'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
