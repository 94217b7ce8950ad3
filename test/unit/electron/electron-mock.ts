/**
 * Hand-made stand-in for the `electron` module (the binary is not installed in CI), in the spirit of
 * GitHub Desktop's app/test/__mocks__/electron.ts. Only what src-main/electron uses, with enough
 * behaviour to drive it: an ipcMain handler registry, windows with webContents and frames, sessions
 * that record their handlers, and an `app` whose quit() emits before-quit like the real one.
 *
 * Use with `vi.mock('electron', () => import('./electron-mock'))` and call `resetElectronMock()` in
 * beforeEach.
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { vi } from 'vitest';

let nextId = 1;

export class MockWebFrameMain {
  readonly routingId = nextId++;
  constructor(
    public url: string,
    readonly parent: MockWebFrameMain | null = null,
    readonly processId = 100,
  ) {}
}

export class MockSession {
  permissionRequestHandler: ((...args: unknown[]) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null = null;
  headersReceived: ((details: unknown, callback: (r: unknown) => void) => void) | null = null;
  setPermissionRequestHandler = vi.fn((h: MockSession['permissionRequestHandler']) => {
    this.permissionRequestHandler = h;
  });
  setPermissionCheckHandler = vi.fn((h: MockSession['permissionCheckHandler']) => {
    this.permissionCheckHandler = h;
  });
  setDevicePermissionHandler = vi.fn((h: MockSession['devicePermissionHandler']) => {
    this.devicePermissionHandler = h;
  });
  webRequest = {
    onHeadersReceived: vi.fn((h: MockSession['headersReceived']) => {
      this.headersReceived = h;
    }),
  };
}

export const session = { defaultSession: new MockSession() };

/** A cancellable event like Electron's. */
export function mockEvent<T extends object>(
  fields: T = {} as T,
): T & {
  defaultPrevented: boolean;
  preventDefault(): void;
} {
  return {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export class MockWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new MockWebFrameMain('about:blank');
  readonly session: MockSession;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  private destroyed = false;
  send = vi.fn();
  constructor(sessionToUse: MockSession = session.defaultSession) {
    super();
    this.session = sessionToUse;
  }
  setWindowOpenHandler = vi.fn((h: MockWebContents['windowOpenHandler']) => {
    this.windowOpenHandler = h;
  });
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly webContents = new MockWebContents();
  readonly options: Record<string, unknown> & { webPreferences: Record<string, unknown> };
  private destroyed = false;
  private minimized = false;
  title = '';
  setTitle = vi.fn((title: string) => {
    this.title = title;
  });
  getTitle(): string {
    return this.title;
  }
  show = vi.fn();
  focus = vi.fn();
  restore = vi.fn(() => {
    this.minimized = false;
  });
  loadFile = vi.fn(async (file: string) => {
    this.webContents.mainFrame.url = pathToFileURL(file).href;
  });
  loadURL = vi.fn(async (url: string) => {
    this.webContents.mainFrame.url = url;
  });
  constructor(options: BrowserWindow['options']) {
    super();
    this.options = options;
    BrowserWindow.instances.push(this);
    app.emit('web-contents-created', mockEvent(), this.webContents);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  minimize(): void {
    this.minimized = true;
  }
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroy();
    this.emit('closed');
    if (BrowserWindow.instances.every((w) => w.isDestroyed())) app.emit('window-all-closed');
  }
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((w) => !w.isDestroyed());
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class MockIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle = vi.fn((channel: string, handler: Handler) => {
    // Electron throws on a second handler for the same channel.
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  });
  removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel);
  });
  /** Test helper: what ipcRenderer.invoke would do. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}
export const ipcMain = new MockIpcMain();

class MockIpcRenderer extends EventEmitter {
  invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => undefined);
  send = vi.fn();
}
export const ipcRenderer = new MockIpcRenderer();

export const contextBridge = {
  exposed: {} as Record<string, unknown>,
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    if (Object.hasOwn(contextBridge.exposed, key))
      throw new Error(`Cannot bind an API on top of an existing property '${key}'`);
    contextBridge.exposed[key] = api;
  }),
};

class MockApp extends EventEmitter {
  isPackaged = false;
  userData = '';
  quitted = false;
  exitCode: number | null = null;
  private ready = true;
  requestSingleInstanceLock = vi.fn(() => true);
  enableSandbox = vi.fn();
  whenReady = vi.fn(async () => undefined);
  isReady = vi.fn(() => this.ready);
  getPath = vi.fn((name: string) => {
    if (name !== 'userData') throw new Error(`mock app.getPath(${name}) not supported`);
    if (!this.userData) throw new Error('test did not set app.userData');
    return this.userData;
  });
  /** Like Electron: emits before-quit (cancellable), and quits only if nobody prevented it. */
  quit = vi.fn(() => {
    const event = mockEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) {
      this.quitted = true;
      this.emit('will-quit', mockEvent());
    }
  });
  exit = vi.fn((code = 0) => {
    this.exitCode = code;
  });
  badgeCount = 0;
  private readonly recordBadge = (count?: number): boolean => {
    this.badgeCount = count ?? 0;
    return true;
  };
  setBadgeCount = vi.fn(this.recordBadge);
  reset(): void {
    this.badgeCount = 0;
    this.setBadgeCount.mockImplementation(this.recordBadge);
    this.removeAllListeners();
    this.isPackaged = false;
    this.userData = '';
    this.quitted = false;
    this.exitCode = null;
    this.ready = true;
  }
}
export const app = new MockApp();

/** A reversible fake cipher: enough to check that only ciphertext reaches the disk. */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  isEncryptionAvailable: vi.fn(() => safeStorage.available),
  getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
  encryptString: vi.fn((plain: string) => Buffer.from(`enc:${Buffer.from(plain).toString('hex')}`)),
  decryptString: vi.fn((blob: Buffer) => {
    const text = blob.toString();
    if (!text.startsWith('enc:')) throw new Error('cannot decrypt');
    return Buffer.from(text.slice(4), 'hex').toString();
  }),
};

/** Native notifications: records every one created; `supported` drives isSupported(). */
export class Notification extends EventEmitter {
  static supported = true;
  static instances: Notification[] = [];
  static isSupported = vi.fn(() => Notification.supported);
  show = vi.fn();
  close = vi.fn();
  constructor(readonly options: { title?: string; body?: string; urgency?: string } = {}) {
    super();
    Notification.instances.push(this);
  }
}

type ProtocolHandler = (request: { url: string; method: string }) => Promise<Response> | Response;
/** Custom schemes: records the privileged registrations and the handlers (one per scheme, like Electron). */
export const protocol = {
  privileged: [] as Array<{ scheme: string; privileges?: Record<string, boolean> }>,
  handlers: new Map<string, ProtocolHandler>(),
  registerSchemesAsPrivileged: vi.fn(
    (schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>) => {
      protocol.privileged.push(...schemes);
    },
  ),
  handle: vi.fn((scheme: string, handler: ProtocolHandler) => {
    if (protocol.handlers.has(scheme)) throw new Error(`scheme ${scheme} is already handled`);
    protocol.handlers.set(scheme, handler);
  }),
  unhandle: vi.fn((scheme: string) => {
    protocol.handlers.delete(scheme);
  }),
};

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) };
export const dialog = { showErrorBox: vi.fn() };

export function resetElectronMock(): void {
  vi.clearAllMocks();
  BrowserWindow.instances = [];
  session.defaultSession = new MockSession();
  ipcMain.handlers.clear();
  ipcMain.removeAllListeners();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invoke.mockImplementation(async () => undefined);
  contextBridge.exposed = {};
  app.reset();
  app.requestSingleInstanceLock.mockImplementation(() => true);
  shell.openExternal.mockImplementation(async () => undefined);
  protocol.privileged = [];
  protocol.handlers.clear();
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  Notification.supported = true;
  Notification.instances = [];
  Notification.isSupported.mockImplementation(() => Notification.supported);
}

export default {
  safeStorage,
  app,
  BrowserWindow,
  contextBridge,
  dialog,
  ipcMain,
  ipcRenderer,
  Notification,
  protocol,
  session,
  shell,
};
