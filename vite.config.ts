/// <reference types="vitest/config" />
/**
 * One config builds the three targets (Vite environments):
 *  - client:  the React renderer → dist/renderer (relative base so it loads from app://console/ in Electron)
 *  - main:    Node/Electron entry points (Electron main, headless hub, agent, simulator) → dist/main, ESM
 *  - preload: the sandboxed preload → dist/preload/preload.cjs, one CommonJS file, only `electron` external
 * Runtime dependencies stay external in main: they are installed next to the app (node_modules or asar).
 */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

const root = import.meta.dirname;
const nodeExternals = [
  'electron',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies),
];
const isExternal = (id: string): boolean =>
  nodeExternals.some((name) => id === name || id.startsWith(`${name}/`));

export default defineConfig({
  root: resolve(root, 'src-renderer'),
  base: './',
  plugins: [react()],
  builder: {},
  environments: {
    client: {
      build: {
        outDir: resolve(root, 'dist/renderer'),
        emptyOutDir: true,
        target: 'chrome130',
        rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
      },
    },
    main: {
      consumer: 'server',
      build: {
        outDir: resolve(root, 'dist/main'),
        emptyOutDir: true,
        target: 'node20',
        ssr: true,
        minify: false,
        sourcemap: true,
        rollupOptions: {
          input: {
            main: resolve(root, 'src-main/electron/main.ts'),
            headless: resolve(root, 'src-main/headless/cli.ts'),
            agent: resolve(root, 'src-agent/cli.ts'),
            simulator: resolve(root, 'src-agent/simulator.ts'),
          },
          external: isExternal,
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        },
      },
    },
    preload: {
      consumer: 'server',
      build: {
        outDir: resolve(root, 'dist/preload'),
        emptyOutDir: true,
        target: 'node20',
        ssr: true,
        minify: false,
        rollupOptions: {
          input: { preload: resolve(root, 'src-main/electron/preload.ts') },
          external: ['electron'],
          output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
        },
      },
    },
  },
  test: {
    root,
    include: [
      'test/unit/**/*.test.{ts,tsx}',
      'test/integration/**/*.test.ts',
      'test/fault/**/*.test.ts',
      'test/e2e/**/*.test.ts',
      'test/fuzz/**/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
