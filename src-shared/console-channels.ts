/**
 * Channel names of the console API, free of any dependency so the sandboxed preload (which may only
 * require `electron`) can import them without pulling zod into its bundle. console-api.ts checks at
 * compile time that these lists and the schemas agree.
 */
export const CONSOLE_REQUEST_CHANNELS = [
  'getSnapshot',
  'getAgentDetail',
  'getServerDetail',
  'getAgentConnectionInfo',
] as const;

export const CONSOLE_EVENT_CHANNELS = ['delta'] as const;

/** IPC channel names: requests are `console:<name>`, pushed events `console-event:<name>`. */
export const ipcRequestChannel = (name: string): string => `console:${name}`;
export const ipcEventChannel = (name: string): string => `console-event:${name}`;
