/**
 * The hub: gateway (agents over WebSocket) + fleet state + console API, composed into one object
 * with no Electron import. The Electron main process and the headless CLI both create exactly this.
 */
import type { HubStatus } from '../../src-shared';
import type { ConsoleService } from './console-service';
import type { Logger } from './logger';

export interface HubOptions {
  mode: HubStatus['mode'];
  /** Where the hub keeps settings and generated secrets (Electron: app.getPath('userData')). */
  dataDir: string;
  /** process.env merged with .env (see src-main/hub/settings.ts for the keys). */
  env: Record<string, string | undefined>;
  logger?: Logger;
}

export interface Hub {
  readonly console: ConsoleService;
  /** Start listening for agents. Never throws for a busy port: the error shows in status(). */
  start(): Promise<void>;
  /** Close agent connections with GOING_AWAY and stop timers. */
  stop(): Promise<void>;
  status(): HubStatus;
}

export declare function createHub(options: HubOptions): Hub;
