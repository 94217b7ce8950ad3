/**
 * React access to the console: the transport (ConsoleApi + link state) and the fleet store.
 * Provided once by <ConsoleProvider>; tests pass a fake ConsoleApi and their own store.
 */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { ConsoleApi } from '../../src-shared/console-api';
import type { ConnectionState, ConsoleTransport } from '../transport/types';
import type { FleetState, FleetStore } from './fleet-store';

export interface ConsoleContextValue {
  api: ConsoleApi;
  store: FleetStore;
  transportKind: ConsoleTransport['kind'] | 'memory';
  connection?: Pick<ConsoleTransport, 'connection' | 'onConnection'>;
}

const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function ConsoleProvider({ value, children }: { value: ConsoleContextValue; children: ReactNode }) {
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole() outside <ConsoleProvider>');
  return value;
}

export function useFleet<T>(selector: (state: FleetState) => T): T {
  return useStore(useConsole().store, selector);
}

const ALWAYS_OPEN: ConnectionState = { status: 'open', attempt: 0 };
const noop = () => () => {};

export function useConnection(): ConnectionState {
  const { connection } = useConsole();
  return useSyncExternalStore(
    connection ? connection.onConnection : noop,
    connection ? connection.connection : () => ALWAYS_OPEN,
  );
}
