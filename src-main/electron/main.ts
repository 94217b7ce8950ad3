/**
 * Electron main entry (built to dist/main/main.js, ESM). Everything lives in app.ts so tests can
 * drive the lifecycle with a mocked `electron`; this file only starts it.
 */
import { startApp } from './app';

startApp();
