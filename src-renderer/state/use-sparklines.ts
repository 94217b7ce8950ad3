/**
 * CPU sparklines for the servers and agents lists: one request for the whole fleet every 30 s
 * (the hub keeps 1-minute averages, so asking more often shows nothing new).
 */
import type { Sparklines } from '../../src-shared/monitoring';
import { useConsole } from './context';
import { usePolled } from './use-history';

export const SPARKLINES_REFRESH_MS = 30_000;

export function useSparklines(): Sparklines | null {
  const { api } = useConsole();
  const polled = usePolled('sparklines', () => api.call('getSparklines', undefined), SPARKLINES_REFRESH_MS);
  return polled.data ?? null;
}
