/** The shared contract: agent protocol, fleet views and console API. */
export * from './agent-protocol';
export * from './fleet';
export * from './console-api';
export * from './console-channels';
