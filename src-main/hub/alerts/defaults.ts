/** What a hub starts with the first time (no alert-settings.json yet). */
import type { AlertRule, Channel } from '../../../src-shared';

export const DEFAULT_DESKTOP_CHANNEL_ID = 'desktop';

export function defaultChannels(): Channel[] {
  return [{ id: DEFAULT_DESKTOP_CHANNEL_ID, kind: 'desktop', name: 'Desktop', enabled: true }];
}

export function defaultRules(): AlertRule[] {
  const base = {
    enabled: true,
    hysteresis: 5,
    selector: {},
    channels: [DEFAULT_DESKTOP_CHANNEL_ID],
  };
  return [
    {
      ...base,
      id: 'agent-offline',
      name: 'Agent offline',
      kind: 'agent_offline',
      severity: 'critical',
      forSec: 30,
    },
    {
      ...base,
      id: 'server-offline',
      name: 'Server offline',
      kind: 'server_offline',
      severity: 'critical',
      forSec: 30,
    },
    {
      ...base,
      id: 'cpu-high',
      name: 'CPU above 90 %',
      kind: 'cpu',
      severity: 'warning',
      threshold: 90,
      forSec: 60,
    },
    {
      ...base,
      id: 'memory-high',
      name: 'Memory above 90 %',
      kind: 'memory',
      severity: 'warning',
      threshold: 90,
      forSec: 120,
    },
    {
      ...base,
      id: 'disk-high',
      name: 'Disk above 90 %',
      kind: 'disk',
      severity: 'warning',
      threshold: 90,
      forSec: 300,
    },
    { ...base, id: 'job-failed', name: 'Job failed', kind: 'job_failed', severity: 'warning', forSec: 0 },
  ];
}
