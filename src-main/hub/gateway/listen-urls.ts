import { networkInterfaces } from 'node:os';

/**
 * host:port strings an agent can use to reach a server bound to `host`. A wildcard bind lists
 * loopback plus every external IPv4 address, so the operator can copy the right one.
 */
export function listenUrls(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [`${host.includes(':') ? `[${host}]` : host}:${port}`];
  const addresses = ['127.0.0.1'];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) addresses.push(info.address);
    }
  }
  return addresses.map((a) => `${a}:${port}`);
}
