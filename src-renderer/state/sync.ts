/**
 * Keeps a fleet store in step with the hub: snapshot, then deltas.
 *
 * Deltas are subscribed to *before* the snapshot is requested, and those that arrive while it is in
 * flight are buffered, then applied in seq order if newer than the snapshot: nothing falls in the
 * gap between "snapshot taken" and "listening". After the transport comes back from a disconnect
 * the whole dance is repeated (the hub does not replay missed deltas).
 */
import type { ConsoleApi } from '../../src-shared/console-api';
import type { FleetDelta } from '../../src-shared/fleet';
import type { ConnectionState } from '../transport/types';
import { afterRender, recordDeltaTiming } from './delta-timing';
import { lastDeltaBuildTime, type FleetStore } from './fleet-store';

export interface SyncOptions {
  /** Transport link state, when the transport has one (the WebSocket bridge). */
  connection?: {
    connection(): ConnectionState;
    onConnection(listener: (state: ConnectionState) => void): () => void;
  };
  onError?: (error: unknown) => void;
  /** Delay before retrying a failed snapshot while the link stays up (default 3 s). */
  retryMs?: number;
}

export interface FleetSync {
  /** Fetch a fresh snapshot (deltas keep buffering meanwhile). Resolves once applied. */
  resync(): Promise<void>;
  stop(): void;
}

function applyTimed(store: FleetStore, delta: FleetDelta): void {
  const started = performance.now();
  if (!store.getState().applyDelta(delta)) return;
  const stored = performance.now();
  const timing = {
    size: delta.agents.length + delta.servers.length + delta.jobs.length + (delta.alerts?.length ?? 0),
    agents: delta.agents.length,
    storeMs: stored - started,
    buildMs: lastDeltaBuildTime(),
    renderMs: 0,
  };
  afterRender(() => {
    timing.renderMs = performance.now() - started;
    recordDeltaTiming(timing);
  });
}

export function startFleetSync(api: ConsoleApi, store: FleetStore, options: SyncOptions = {}): FleetSync {
  /** Non-null while a snapshot is in flight: deltas go here instead of the store. */
  let buffer: FleetDelta[] | null = null;
  let generation = 0;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const offDelta = api.on('delta', (delta) => {
    if (stopped) return;
    if (buffer) buffer.push(delta);
    else applyTimed(store, delta);
  });

  async function resync(): Promise<void> {
    const mine = ++generation;
    clearTimeout(retryTimer);
    buffer ??= [];
    try {
      const snapshot = await api.call('getSnapshot', undefined);
      // A newer resync started meanwhile: let it finish the job.
      if (stopped || mine !== generation) return;
      const pending = buffer;
      buffer = null;
      const { applySnapshot, applyDelta } = store.getState();
      applySnapshot(snapshot);
      pending
        .filter((d) => d.seq > snapshot.seq)
        .sort((a, b) => a.seq - b.seq)
        .forEach((d) => applyDelta(d));
    } catch (error) {
      if (stopped || mine !== generation) return;
      // Keep buffering: the next resync (reconnect) will pick the buffer up. Bound it meanwhile.
      if (buffer && buffer.length > 1000) buffer.splice(0, buffer.length - 1000);
      options.onError?.(error);
      // While the link is down, the reconnect triggers the next attempt; otherwise retry here.
      if (options.connection?.connection().status !== 'closed') {
        retryTimer = setTimeout(() => void resync(), options.retryMs ?? 3000);
      }
    }
  }

  let wasDown = false;
  const offConnection = options.connection?.onConnection((state) => {
    if (state.status === 'closed') {
      wasDown = true;
      // Nothing arrives while down; start buffering so the re-snapshot sees a clean slate.
      buffer ??= [];
    } else if (state.status === 'open' && wasDown) {
      wasDown = false;
      void resync();
    }
  });

  void resync();

  return {
    resync,
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      offDelta();
      offConnection?.();
    },
  };
}
