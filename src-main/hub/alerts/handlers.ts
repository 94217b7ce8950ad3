/**
 * The alerting part of the console API. Inputs arrive validated by the shared schemas; what they
 * cannot express (a threshold for cpu rules, existing channels, a mute in the future…) is checked
 * here and reported as bad_request with words for the operator. Logs name rules and channels by id
 * and name only: webhook URLs and header values may carry credentials.
 */
import { ConsoleError, type ChannelView, type Channel } from '../../../src-shared';
import type { Logger } from '../logger';
import type { AlertBook } from './alert-book';
import type { AlertingHandlers } from './alerting';
import { ChannelError, maskChannel, type Channels } from './channels';
import type { AlertEngine } from './engine';
import { MuteError, type Mutes } from './mutes';
import type { Notifier } from './notifier';
import type { RuleBook } from './rule-book';
import { RuleError } from './rules';

export interface HandlerDeps {
  rules: RuleBook;
  channels: Channels;
  mutes: Mutes;
  book: AlertBook;
  notifier: Notifier;
  engine: AlertEngine;
  user: string;
  logger: Logger;
}

/** Operator mistakes become bad_request; anything else stays an internal error. */
function operatorCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RuleError || error instanceof ChannelError || error instanceof MuteError)
      throw new ConsoleError('bad_request', error.message);
    throw error;
  }
}

export function createHandlers(d: HandlerDeps): AlertingHandlers {
  const view = (channel: Channel): ChannelView => {
    const last = d.notifier.lastDelivery(channel.id);
    return last ? { ...maskChannel(channel), lastDelivery: last } : maskChannel(channel);
  };

  return {
    getAlertSettings: async () => ({
      rules: d.rules.all().map((r) => ({ ...r, selector: { ...r.selector }, channels: [...r.channels] })),
      channels: d.channels.all().map(view),
      mutes: d.mutes.active(),
    }),

    saveAlertRule: async (input) =>
      operatorCall(() => {
        const { before, after } = d.rules.save(input, (id) => d.channels.get(id) !== undefined);
        d.engine.ruleChanged(before, after);
        d.logger.info(before ? 'alert rule updated' : 'alert rule created', {
          ruleId: after.id,
          name: after.name,
          kind: after.kind,
          enabled: after.enabled,
          by: d.user,
        });
        return { ...after };
      }),

    deleteAlertRule: async ({ id }) => {
      const rule = d.rules.delete(id);
      if (!rule) return { deleted: false };
      d.engine.ruleChanged(rule, undefined);
      d.logger.info('alert rule deleted', { ruleId: id, name: rule.name, by: d.user });
      return { deleted: true };
    },

    saveChannel: async (input) =>
      operatorCall(() => {
        const existed = input.id !== undefined && d.channels.get(input.id) !== undefined;
        const channel = d.channels.save(input);
        d.logger.info(existed ? 'notification channel updated' : 'notification channel created', {
          channelId: channel.id,
          name: channel.name,
          kind: channel.kind,
          by: d.user,
        });
        return view(channel);
      }),

    deleteChannel: async ({ id }) => {
      if (!d.channels.delete(id)) return { deleted: false };
      for (const { before, after } of d.rules.dropChannel(id)) d.engine.ruleChanged(before, after);
      d.notifier.channelDeleted(id);
      d.logger.info('notification channel deleted', { channelId: id, by: d.user });
      return { deleted: true };
    },

    testChannel: async ({ id }) => {
      const channel = d.channels.get(id);
      if (!channel) throw new ConsoleError('bad_request', `unknown notification channel "${id}"`);
      return d.notifier.test(channel);
    },

    addMute: async (input) =>
      operatorCall(() => {
        const mute = d.mutes.add(input, d.user);
        d.logger.info('mute added', { muteId: mute.id, target: mute.target, until: mute.until, by: d.user });
        return mute;
      }),

    deleteMute: async ({ id }) => {
      const deleted = d.mutes.delete(id);
      if (deleted) d.logger.info('mute deleted', { muteId: id, by: d.user });
      return { deleted };
    },

    listAlerts: async (query) => d.book.list(query),

    listDeliveries: async ({ limit }) => d.notifier.list(limit),
  };
}
