// ESLint flat config: typescript-eslint strict rules everywhere, React hooks rules in the renderer,
// and the architecture guard rails (raw ipcMain/ipcRenderer only in the typed IPC modules, no
// Electron import in the hub, the renderer and the agent).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'coverage/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // Raw IPC is allowed only in the two modules that wrap it with sender checks and validation.
    files: ['**/*.{ts,tsx}'],
    ignores: ['src-main/electron/ipc.ts', 'src-main/electron/preload.ts', 'test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message:
                'Use the typed wrappers in src-main/electron/ipc.ts / preload.ts (contract: src-shared/console-api.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The hub, the shared contract, the renderer and the agent never touch Electron.
    files: ['src-main/hub/**', 'src-main/headless/**', 'src-shared/**', 'src-renderer/**', 'src-agent/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Keep this layer Electron-free.' }] },
      ],
    },
  },
);
