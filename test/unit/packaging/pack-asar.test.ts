/**
 * Packs the app the way `npm run dist` does (same electron-builder.yml), for Linux with the `dir`
 * target, and lists what went into app.asar. The real Electron cannot be downloaded on the build
 * machine, so a placeholder Electron folder (a fake `electron` executable and a `version` file) is
 * passed as `electronDist`; fuses cannot be flipped on a fake binary, so `electronFuses: null` skips
 * that step for this test only (the release build keeps them). Nothing here touches the network:
 * `dir` needs no downloaded tools, and `npmRebuild: false` skips native rebuilds.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listPackage } from '@electron/asar';
import { build, Platform } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

let work: string;
let files: string[] = [];
let asarPath: string;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/main/main.js'))) {
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
  work = mkdtempSync(join(tmpdir(), 'ac-pack-'));
  const electronDist = join(work, 'electron');
  mkdirSync(join(electronDist, 'resources'), { recursive: true });
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "placeholder Electron"\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  writeFileSync(join(electronDist, 'version'), `${pkg.devDependencies.electron}\n`);
  await build({
    projectDir: root,
    targets: Platform.LINUX.createTarget('dir'),
    publish: 'never',
    config: { electronFuses: null, electronDist, directories: { output: join(work, 'out') } },
  });
  asarPath = join(work, 'out/linux-unpacked/resources/app.asar');
  // Paths inside the archive, '/'-separated and without the leading separator.
  files = listPackage(asarPath, { isPack: false }).map((p) => p.replaceAll('\\', '/').replace(/^\//, ''));
  console.log(`app.asar: ${(statSync(asarPath).size / 1024 / 1024).toFixed(1)} MB, ${files.length} entries`);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const has = (path: string): boolean => files.includes(path);
const modules = (): Set<string> =>
  new Set(
    files
      .filter((f) => f.startsWith('node_modules/'))
      .map((f) => f.split('/'))
      .filter((parts) => parts.length > 2)
      .map((parts) => (parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]!)),
  );

describe('packaged app.asar', () => {
  it('names the Linux executable and keeps the app in an asar archive', () => {
    expect(existsSync(join(work, 'out/linux-unpacked/agent-centralizer'))).toBe(true);
    expect(existsSync(join(work, 'out/linux-unpacked/resources/app'))).toBe(false);
  });

  it('holds the built app: main, preload, renderer and package.json', () => {
    expect(has('package.json')).toBe(true);
    expect(has('dist/main/main.js')).toBe(true);
    expect(has('dist/main/headless.js')).toBe(true);
    expect(has('dist/preload/preload.cjs')).toBe(true);
    expect(has('dist/renderer/index.html')).toBe(true);
    expect(files.some((f) => /^dist\/renderer\/assets\/.+\.js$/.test(f))).toBe(true);
  });

  it('holds the production dependencies the main process loads', () => {
    const present = modules();
    for (const dep of ['ws', 'amqplib', 'zod', 'dotenv', 'electron-store', '@cfworker/json-schema']) {
      expect(present, dep).toContain(dep);
      expect(pkg.dependencies).toHaveProperty(dep);
    }
  });

  it('holds no sources, tests, docs, scripts, .env files or source maps', () => {
    const offending = files.filter(
      (f) =>
        /^(src-[^/]+|test|bench|docs|scripts|packaging|build|release)(\/|$)/.test(f) ||
        /(^|\/)\.env(\.|$)/.test(f) ||
        (!f.startsWith('node_modules/') && /\.(map|ts|tsx|mts|cts)$/.test(f)) ||
        /^(tsconfig\.json|vite\.config\.ts|eslint\.config\.js|electron-builder\.yml|package-lock\.json|README[^/]*)$/.test(
          f,
        ),
    );
    expect(offending).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('holds no devDependencies', () => {
    const present = modules();
    const leaked = Object.keys(pkg.devDependencies).filter((dev) => present.has(dev));
    expect(leaked).toEqual([]);
    // The heavy ones by name, so a rename of the list above cannot hide them.
    for (const dev of [
      'electron',
      'vite',
      'vitest',
      'playwright-core',
      'typescript',
      'eslint',
      'electron-builder',
    ]) {
      expect(present.has(dev), dev).toBe(false);
    }
  });
});
