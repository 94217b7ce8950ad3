/**
 * Sends alert events through a rule's channels: desktop channels become one `notification` event
 * for the consoles (the Electron shell and the browser show it), webhook channels an HTTP POST of
 * WebhookBody with retries. Every webhook attempt updates a DeliveryView (listDeliveries,
 * ChannelView.lastDelivery); the outcome lands on the alert's timeline as notified / notify_failed.
 * Deliveries live in memory only: retries pending at stop are cancelled, not resumed after a restart.
 */
import { randomBytes } from 'node:crypto';
import type { AlertNotification, AlertView, Channel, DeliveryView, WebhookBody } from '../../../src-shared';
import type { Logger } from '../logger';
import type { AlertBook } from './alert-book';
import type { Clock } from '../util/clock';
import { attemptWebhook, backoffMs, type FetchLike } from './webhook';

/** Deliveries kept for listDeliveries (finished ones are dropped oldest first). */
export const DELIVERIES_KEPT = 500;

export type AlertEvent = AlertNotification['event'];

export interface NotifierOptions {
  clock: Clock;
  channel(id: string): Channel | undefined;
  book: AlertBook;
  consoleName: string;
  webhook: { retryBaseMs: number; maxAttempts: number; timeoutMs: number };
  fetch: FetchLike;
  random: () => number;
  logger: Logger;
  /** A delivery of an alert gave up (counters changed). */
  onFailed(): void;
}

interface Delivery {
  view: DeliveryView;
  alert: AlertView | null;
  timer?: unknown;
}

const copy = (view: DeliveryView): DeliveryView => ({ ...view });

export class Notifier {
  private readonly listeners = new Set<(notification: AlertNotification) => void>();
  private readonly deliveries = new Map<string, Delivery>();
  private readonly lastByChannel = new Map<string, DeliveryView>();
  private readonly abort = new AbortController();
  private stopped = false;
  private failed = 0;

  constructor(private readonly options: NotifierOptions) {}

  /** Alert deliveries that gave up since start (test deliveries are not counted). */
  get failedDeliveries(): number {
    return this.failed;
  }

  onNotification(listener: (notification: AlertNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Notify the channels an alert was fired with (a resolution goes to the same channels). */
  alert(event: AlertEvent, alertId: string, channelIds: string[]): void {
    const { book } = this.options;
    const alert = book.view(alertId);
    if (!alert || this.stopped) return;
    let desktopSent = false;
    for (const id of channelIds) {
      const channel = this.options.channel(id);
      if (!channel?.enabled) continue;
      if (channel.kind === 'desktop') {
        // Several desktop channels on one rule still make one desktop notification.
        if (desktopSent) continue;
        desktopSent = true;
        this.emit({ event, alert });
        book.note(alertId, 'notified', `${channel.name} (desktop)`, this.options.clock.now());
      } else {
        void this.start(channel, event, alert);
      }
    }
  }

  /**
   * Send event 'test' through a channel. Webhook: resolves after the first attempt (retries go on in
   * the background). Desktop: pushes a notification whose alert id starts with "test-".
   */
  async test(channel: Channel): Promise<DeliveryView> {
    if (channel.kind === 'desktop') return this.testDesktop(channel);
    const delivery = this.create(channel, 'test', null);
    await this.attempt(delivery);
    return copy(delivery.view);
  }

  list(limit: number): DeliveryView[] {
    return [...this.deliveries.values()]
      .reverse()
      .slice(0, limit)
      .map((d) => copy(d.view));
  }

  lastDelivery(channelId: string): DeliveryView | undefined {
    const view = this.lastByChannel.get(channelId);
    return view && copy(view);
  }

  channelDeleted(channelId: string): void {
    this.lastByChannel.delete(channelId);
  }

  /** Cancel pending retries and in-flight requests. Final. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
    for (const delivery of this.deliveries.values()) {
      if (delivery.timer !== undefined) this.options.clock.clearTimeout(delivery.timer);
      delivery.timer = undefined;
    }
  }

  private emit(notification: AlertNotification): void {
    for (const listener of this.listeners) {
      try {
        listener(notification);
      } catch (error) {
        // One failing console must not keep the others from being told.
        this.options.logger.warn('notification listener failed', { error: String(error) });
      }
    }
  }

  private testDesktop(channel: Channel): DeliveryView {
    const now = this.options.clock.now();
    const id = `test-${randomBytes(5).toString('hex')}`;
    this.emit({
      event: 'alert.fired',
      alert: {
        id,
        ruleId: 'test',
        ruleName: 'Test notification',
        kind: 'agent_offline',
        severity: 'warning',
        subject: { kind: 'server', id: this.options.consoleName, name: this.options.consoleName },
        state: 'firing',
        startedAt: now,
        firedAt: now,
        message: `Test notification from Agent Centralizer (channel "${channel.name}")`,
        muted: false,
        timeline: [{ at: now, type: 'fired', detail: 'test' }],
      },
    });
    const delivery = this.create(channel, 'test', null);
    Object.assign(delivery.view, { state: 'delivered', attempts: 1, updatedAt: now });
    return copy(delivery.view);
  }

  private start(channel: Channel, event: AlertEvent, alert: AlertView): Promise<void> {
    return this.attempt(this.create(channel, event, alert));
  }

  private create(channel: Channel, event: DeliveryView['event'], alert: AlertView | null): Delivery {
    const now = this.options.clock.now();
    const view: DeliveryView = {
      id: `dlv-${randomBytes(6).toString('hex')}`,
      alertId: alert?.id ?? '',
      channelId: channel.id,
      channelName: channel.name,
      event,
      state: 'pending',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    const delivery: Delivery = { view, alert };
    this.deliveries.set(view.id, delivery);
    this.lastByChannel.set(channel.id, view);
    this.trim();
    return delivery;
  }

  private trim(): void {
    if (this.deliveries.size <= DELIVERIES_KEPT) return;
    for (const [id, d] of this.deliveries) {
      if (this.deliveries.size <= DELIVERIES_KEPT) break;
      // In-flight deliveries stay listed until they finish.
      if (d.view.state === 'delivered' || d.view.state === 'failed') this.deliveries.delete(id);
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.timer = undefined;
    if (this.stopped) return;
    const { clock, webhook } = this.options;
    const view = delivery.view;
    const channel = this.options.channel(view.channelId);
    // A test goes through even on a disabled channel: checking it before enabling it is the point.
    if (channel?.kind !== 'webhook' || (!channel.enabled && view.event !== 'test')) {
      this.finish(delivery, 'failed', channel ? 'channel disabled' : 'channel deleted', true);
      return;
    }
    view.attempts++;
    view.nextAttemptAt = undefined;
    view.updatedAt = clock.now();
    const body: WebhookBody = {
      version: 1,
      event: view.event,
      sentAt: new Date(clock.now()).toISOString(),
      console: this.options.consoleName,
      alert: delivery.alert,
    };
    let outcome;
    try {
      outcome = await attemptWebhook(this.options.fetch, {
        url: channel.url,
        headers: channel.headers,
        body: JSON.stringify(body),
        timeoutMs: webhook.timeoutMs,
        signal: this.abort.signal,
      });
    } catch (error) {
      // attemptWebhook does not throw; this is the last line of defence for the hub.
      outcome = { delivered: false, retryable: false, error: String(error) };
    }
    if (this.stopped) return;
    view.lastStatus = outcome.status;
    view.lastError = outcome.error;
    view.updatedAt = clock.now();
    if (outcome.delivered) {
      this.finish(delivery, 'delivered');
    } else if (outcome.retryable && view.attempts < webhook.maxAttempts) {
      const delay = backoffMs(view.attempts, webhook.retryBaseMs, this.options.random, outcome.retryAfterMs);
      view.state = 'retrying';
      view.nextAttemptAt = clock.now() + delay;
      delivery.timer = clock.setTimeout(() => void this.attempt(delivery), delay);
      this.options.logger.debug('webhook delivery will be retried', {
        channelId: view.channelId,
        attempts: view.attempts,
        error: view.lastError,
        delayMs: delay,
      });
    } else {
      this.finish(delivery, 'failed');
    }
  }

  private finish(
    delivery: Delivery,
    state: 'delivered' | 'failed',
    reason?: string,
    cancelled = false,
  ): void {
    const { view } = delivery;
    const now = this.options.clock.now();
    view.state = state;
    view.nextAttemptAt = undefined;
    view.updatedAt = now;
    if (reason) view.lastError = reason;
    const { book, logger } = this.options;
    if (state === 'delivered') {
      if (delivery.alert) {
        const detail = `${view.channelName}: ${view.event} delivered (HTTP ${view.lastStatus}, attempt ${view.attempts})`;
        book.note(view.alertId, 'notified', detail, now);
      }
      return;
    }
    const fields = {
      channelId: view.channelId,
      channel: view.channelName,
      event: view.event,
      attempts: view.attempts,
      status: view.lastStatus,
      error: view.lastError,
    };
    if (cancelled) {
      // The operator deleted or disabled the channel meanwhile: not a delivery failure.
      logger.info('webhook delivery dropped', fields);
      if (delivery.alert)
        book.note(
          view.alertId,
          'cancelled',
          `${view.channelName}: ${view.event} not sent (${view.lastError})`,
          now,
        );
      return;
    }
    logger.warn('webhook delivery gave up', fields);
    if (!delivery.alert) return;
    const attempts = `${view.attempts} attempt${view.attempts === 1 ? '' : 's'}`;
    book.note(
      view.alertId,
      'notify_failed',
      `${view.channelName}: ${view.event} failed (${view.lastError ?? 'unknown error'}, ${attempts})`,
      now,
    );
    this.failed++;
    this.options.onFailed();
  }
}
