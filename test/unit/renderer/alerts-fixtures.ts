/** Alert, rule, channel, mute and delivery fixtures for the alerts renderer tests. */
import type {
  AlertRule,
  AlertSettings,
  AlertView,
  ChannelView,
  DeliveryView,
  Mute,
} from '../../../src-shared/monitoring';
import { T0 } from './fixtures';

export function alertView(id: string, overrides: Partial<AlertView> = {}): AlertView {
  return {
    id,
    ruleId: 'offline',
    ruleName: 'Agent offline',
    kind: 'agent_offline',
    severity: 'warning',
    subject: { kind: 'agent', id: 'web-1', name: 'Web 1' },
    state: 'firing',
    startedAt: T0 - 65_000,
    firedAt: T0 - 60_000,
    message: 'web-1 has been offline for 5 s',
    muted: false,
    timeline: [
      { at: T0 - 65_000, type: 'pending', detail: 'connection lost' },
      { at: T0 - 60_000, type: 'fired' },
      { at: T0 - 59_000, type: 'notified', detail: 'Desktop' },
    ],
    ...overrides,
  };
}

export function rule(id: string, overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    id,
    name: `Rule ${id}`,
    kind: 'agent_offline',
    enabled: true,
    severity: 'warning',
    forSec: 30,
    hysteresis: 5,
    selector: {},
    channels: [],
    ...overrides,
  };
}

export function delivery(id: string, overrides: Partial<DeliveryView> = {}): DeliveryView {
  return {
    id,
    alertId: 'a1',
    channelId: 'hook',
    channelName: 'Ops webhook',
    event: 'alert.fired',
    state: 'delivered',
    attempts: 1,
    lastStatus: 200,
    createdAt: T0 - 10_000,
    updatedAt: T0 - 9_000,
    ...overrides,
  };
}

export const desktopChannel: ChannelView = { id: 'desk', kind: 'desktop', name: 'Desktop', enabled: true };
export const webhookChannel: ChannelView = {
  id: 'hook',
  kind: 'webhook',
  name: 'Ops webhook',
  enabled: true,
  url: 'https://hooks.example.com/alerts',
  headers: { Authorization: '••••••' },
};

export function mute(id: string, overrides: Partial<Mute> = {}): Mute {
  return {
    id,
    target: { kind: 'agent', agentId: 'web-1' },
    until: Date.now() + 3_600_000,
    reason: 'kernel upgrade',
    createdAt: Date.now() - 60_000,
    createdBy: 'ops',
    ...overrides,
  };
}

export function settings(overrides: Partial<AlertSettings> = {}): AlertSettings {
  return {
    rules: [rule('offline', { name: 'Agent offline', channels: ['desk'] })],
    channels: [desktopChannel, webhookChannel],
    mutes: [],
    ...overrides,
  };
}
