/** The shared contract: agent protocol (WebSocket and RabbitMQ), fleet views and console API. */
export * from './agent-protocol';
export * from './broker-protocol';
export * from './config-management';
export * from './fleet';
export * from './monitoring';
export * from './console-api';
export * from './console-channels';
export * from './setting-sources';
export * from './enrollment';
