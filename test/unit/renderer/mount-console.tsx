/**
 * The whole console (App) on a FakeConsoleApi, as the renderer tests of separate features mount it:
 * route, fleet store, sync, provider. `unmountConsole()` in afterEach stops the sync and unmounts.
 */
import { cleanup, render, waitFor } from '@testing-library/react';
import { expect } from 'vitest';
import { App } from '../../../src-renderer/App';
import { ConsoleProvider } from '../../../src-renderer/state/context';
import { createFleetStore, type FleetStore } from '../../../src-renderer/state/fleet-store';
import { startFleetSync, type FleetSync } from '../../../src-renderer/state/sync';
import type { FakeConsoleApi } from './fixtures';

let sync: FleetSync | undefined;

/** Mount at `hash` (e.g. '#/settings'); resolves with the store once the first snapshot is in. */
export async function mountConsole(
  api: FakeConsoleApi,
  hash: string,
  store = createFleetStore(),
): Promise<FleetStore> {
  location.hash = hash;
  sync = startFleetSync(api, store);
  render(
    <ConsoleProvider value={{ api, store, transportKind: 'memory' }}>
      <App />
    </ConsoleProvider>,
  );
  // Generous: machines running the suite are shared, and a slow first render is not under test.
  await waitFor(() => expect(store.getState().loaded).toBe(true), { timeout: 5000 });
  return store;
}

export function unmountConsole(): void {
  sync?.stop();
  sync = undefined;
  cleanup();
}

/** happy-dom does no layout: give elements a size so the virtualizer (which reads clientHeight) renders rows. */
export function giveElementsASize(): void {
  for (const [prop, value] of [
    ['clientHeight', 800],
    ['clientWidth', 1200],
    ['offsetHeight', 800],
    ['offsetWidth', 1200],
  ] as const) {
    Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
  }
}
