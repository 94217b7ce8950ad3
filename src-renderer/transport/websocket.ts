/**
 * ConsoleApi over the headless bridge: one WebSocket to `${BRIDGE_PATH}` on the server that served
 * the page, authenticated with the token the operator opened the page with (`?token=`).
 *
 * Framing (src-shared/console-api.ts): browser → hub `BridgeRequest {id, channel, input}`;
 * hub → browser `BridgeMessage`, either a result matched by id or a pushed event.
 *
 * The link reconnects on its own with capped, jittered exponential backoff and reports its state
 * (connecting / open / closed + reason); event listeners survive reconnects. Requests made while
 * the link is down wait for it (up to the request timeout); requests in flight when it drops fail.
 */
import type {
  BridgeMessage,
  BridgeRequest,
  ConsoleEvents,
  EventChannel,
  RequestChannel,
  RequestOutput,
} from '../../src-shared/console-api';
// console-channels, not console-api: the latter imports zod, which must stay out of the renderer bundle.
import { BRIDGE_PATH, ConsoleError } from '../../src-shared/console-channels';
import type { ConnectionState, ConsoleTransport } from './types';

export const TOKEN_STORAGE_KEY = 'agent-centralizer.bridge-token';

/** The subset of the DOM WebSocket the transport uses (so tests can pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** Full bridge URL, token included. Default: derived from `location` and the stored token. */
  url?: string;
  /** Default: `new WebSocket(url)`. */
  createSocket?: WebSocketFactory;
  /** First retry delay; doubles per failed attempt up to `maxRetryMs`. */
  baseRetryMs?: number;
  maxRetryMs?: number;
  /** A request with no answer after this long fails (default 30 s). */
  requestTimeoutMs?: number;
  /** 0..1 → jitter source (tests pass a constant). */
  random?: () => number;
  now?: () => number;
}

const OPEN = 1;

/**
 * Take the bridge token from the page address (`?token=`), keep it in sessionStorage (so a reload
 * keeps working) and remove it from the address bar and history, where it would leak into
 * screenshots, bookmarks and the Referer of anything the page loads.
 */
export function takeBridgeToken(loc: Location = location, storage: Storage = sessionStorage): string | null {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    url.searchParams.delete('token');
    history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return storage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function bridgeUrl(token: string | null, loc: Location = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}://${loc.host}${BRIDGE_PATH}${query}`;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Serialized frame; undefined once sent. */
  frame?: string;
}

function isBridgeMessage(value: unknown): value is BridgeMessage {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  if (m.kind === 'result') return typeof m.id === 'number' && typeof m.ok === 'boolean';
  if (m.kind === 'event') return typeof m.event === 'string';
  return false;
}

export function createWebSocketTransport(options: WebSocketTransportOptions = {}): ConsoleTransport {
  let token: string | null = null;
  const url = options.url ?? bridgeUrl((token = takeBridgeToken()));
  const hasToken = options.url !== undefined || token !== null;
  const createSocket: WebSocketFactory = options.createSocket ?? ((u) => new WebSocket(u));
  const baseRetryMs = options.baseRetryMs ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 15_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  let socket: WebSocketLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const eventListeners = new Map<string, Set<(payload: never) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = { status: 'connecting', attempt: 0 };

  function setState(next: ConnectionState): void {
    state = next;
    for (const listener of [...connectionListeners]) listener(state);
  }

  function fail(id: number, error: Error): void {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.reject(error);
  }

  function flushQueued(): void {
    if (!socket || socket.readyState !== OPEN) return;
    for (const p of pending.values()) {
      if (p.frame !== undefined) {
        socket.send(p.frame);
        delete p.frame;
      }
    }
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn('[bridge] ignoring a frame that is not JSON');
      return;
    }
    if (!isBridgeMessage(message)) {
      console.warn('[bridge] ignoring an unknown frame');
      return;
    }
    if (message.kind === 'event') {
      for (const listener of [...(eventListeners.get(message.event) ?? [])]) {
        (listener as (payload: unknown) => void)(message.payload);
      }
      return;
    }
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    clearTimeout(p.timer);
    if (message.ok) p.resolve(message.value);
    else p.reject(new ConsoleError(message.error.code, message.error.message));
  }

  function scheduleReconnect(
    closeCode?: number,
    closeText?: string,
    reason: ConnectionState['reason'] = 'closed',
  ): void {
    const attempt = state.attempt + 1;
    const exp = Math.min(maxRetryMs, baseRetryMs * 2 ** (attempt - 1));
    // Full jitter on the upper half: many consoles restarting with a hub do not reconnect in lockstep.
    const delay = Math.round(exp / 2 + (random() * exp) / 2);
    setState({ status: 'closed', reason, closeCode, closeText, attempt, retryAt: now() + delay });
    retryTimer = setTimeout(connect, delay);
  }

  function connect(): void {
    retryTimer = undefined;
    if (disposed) return;
    setState({ ...state, status: 'connecting', retryAt: undefined });
    let ws: WebSocketLike;
    try {
      ws = createSocket(url);
    } catch {
      scheduleReconnect(undefined, undefined, 'unreachable');
      return;
    }
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      if (socket !== ws) return;
      opened = true;
      setState({ status: 'open', attempt: 0 });
      flushQueued();
    };
    ws.onmessage = (ev) => {
      if (socket === ws) onMessage(ev.data);
    };
    ws.onerror = () => {
      // Always followed by close; the close handler decides what happens next.
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      // Requests already sent will never get their answer on a new connection.
      for (const [id, p] of pending) {
        if (p.frame === undefined) fail(id, new ConsoleError('internal', 'console connection lost'));
      }
      if (disposed) return;
      const reason = !hasToken ? 'missing_token' : opened ? 'closed' : 'unreachable';
      scheduleReconnect(ev.code, ev.reason || undefined, reason);
    };
  }

  connect();

  return {
    kind: 'websocket',
    call<K extends RequestChannel>(channel: K, input: unknown): Promise<RequestOutput<K>> {
      if (disposed) return Promise.reject(new ConsoleError('internal', 'console transport stopped'));
      const id = nextId++;
      const request: BridgeRequest = input === undefined ? { id, channel } : { id, channel, input };
      return new Promise<RequestOutput<K>>((resolve, reject) => {
        const timer = setTimeout(
          () => fail(id, new ConsoleError('internal', `${channel}: no answer from the hub`)),
          requestTimeoutMs,
        );
        pending.set(id, {
          resolve: resolve as (value: unknown) => void,
          reject,
          timer,
          frame: JSON.stringify(request),
        });
        flushQueued();
      });
    },
    on<E extends EventChannel>(event: E, listener: (payload: ConsoleEvents[E]) => void): () => void {
      let set = eventListeners.get(event);
      if (!set) eventListeners.set(event, (set = new Set()));
      const l = listener as (payload: never) => void;
      set.add(l);
      return () => set.delete(l);
    },
    connection: () => state,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(retryTimer);
      const ws = socket;
      socket = null;
      ws?.close(1000, 'console closed');
      for (const id of [...pending.keys()])
        fail(id, new ConsoleError('internal', 'console transport stopped'));
      setState({ status: 'closed', reason: 'stopped', attempt: 0 });
    },
  };
}
