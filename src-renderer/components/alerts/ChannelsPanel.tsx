/**
 * Notification channels: the list (last delivery, "Send test", edit, delete) next to the channel
 * form. A test delivery is followed until it is delivered or failed, so a wrong URL or token shows
 * up here, with the HTTP status and error, not just in the delivery log.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertSettings, ChannelView, DeliveryView } from '../../../src-shared/monitoring';
import { useConsole } from '../../state/context';
import { Dialog } from '../Dialog';
import { DeliveryStateBadge, errorMessage } from './AlertParts';
import { ChannelForm } from './ChannelForm';
import { DeliveryOutcome } from './DeliveryLog';

export const TEST_POLL_MS = 1500;
/** Webhook retries back off; stop following a test after this long (the log keeps it). */
const TEST_FOLLOW_MS = 120_000;

const settled = (d: DeliveryView) => d.state === 'delivered' || d.state === 'failed';

/** Follows one test delivery through its retries until it settles. */
function useFollowedDelivery(initial: DeliveryView): DeliveryView {
  const { api } = useConsole();
  const [delivery, setDelivery] = useState(initial);
  const done = settled(delivery);
  useEffect(() => {
    if (done) return;
    const until = Date.now() + TEST_FOLLOW_MS;
    const timer = setInterval(() => {
      if (Date.now() > until) {
        clearInterval(timer);
        return;
      }
      api.call('listDeliveries', { limit: 100 }).then(
        (list) => {
          const found = list.find((d) => d.id === initial.id);
          if (found) setDelivery(found);
        },
        () => {}, // a failed poll is retried on the next tick
      );
    }, TEST_POLL_MS);
    return () => clearInterval(timer);
  }, [api, done, initial.id]);
  return delivery;
}

function TestResult({ initial }: { initial: DeliveryView }) {
  const { t } = useTranslation();
  const delivery = useFollowedDelivery(initial);
  const bad = delivery.state === 'failed';
  return (
    <div
      className={`result ${bad ? 'result-bad' : delivery.state === 'delivered' ? 'result-good' : ''}`}
      role={bad ? 'alert' : 'status'}
      data-testid="channel-test-result"
      data-state={delivery.state}
    >
      <div>
        <strong>{t('alerts.channels.testResult')}</strong> <DeliveryStateBadge state={delivery.state} />
      </div>
      <DeliveryOutcome delivery={delivery} />
    </div>
  );
}

function ChannelItem({
  channel,
  active,
  onEdit,
  onDelete,
}: {
  channel: ChannelView;
  active: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const [test, setTest] = useState<{ delivery: DeliveryView } | { error: string } | null>(null);
  const [testing, setTesting] = useState(false);

  async function sendTest() {
    setTesting(true);
    setTest(null);
    try {
      setTest({ delivery: await api.call('testChannel', { id: channel.id }) });
    } catch (e) {
      setTest({ error: errorMessage(e) });
    } finally {
      setTesting(false);
    }
  }

  const last = channel.lastDelivery;
  return (
    <li
      className={`profile-item channel-item${active ? ' active' : ''}${channel.enabled ? '' : ' disabled-item'}`}
      data-testid="channel-item"
      data-channel-id={channel.id}
      data-kind={channel.kind}
    >
      <div className="stack-tight">
        <div className="alert-head">
          <strong>{channel.name}</strong>
          <span className="label-chip">{t(`alerts.channels.kind.${channel.kind}`)}</span>
          {!channel.enabled && <span className="muted small">{t('alerts.channels.disabled')}</span>}
        </div>
        {channel.kind === 'webhook' && <code className="small truncate channel-url">{channel.url}</code>}
        {last && (
          <p className="small" data-testid="channel-last-delivery">
            {t('alerts.channels.lastDelivery')} <DeliveryStateBadge state={last.state} />{' '}
            <DeliveryOutcome delivery={last} />
          </p>
        )}
        {test && 'delivery' in test && <TestResult key={test.delivery.id} initial={test.delivery} />}
        {test && 'error' in test && (
          <div
            className="result result-bad"
            role="alert"
            data-testid="channel-test-result"
            data-state="error"
          >
            {t('alerts.channels.testFailed', { message: test.error })}
          </div>
        )}
      </div>
      <div className="profile-actions">
        <button
          type="button"
          className="btn btn-small"
          data-testid="channel-test"
          disabled={testing}
          aria-label={t('alerts.channels.testNamed', { name: channel.name })}
          onClick={() => void sendTest()}
        >
          {testing ? t('alerts.channels.testing') : t('alerts.channels.test')}
        </button>
        <button
          type="button"
          className="btn btn-small"
          data-testid="channel-edit"
          aria-label={t('alerts.channels.editNamed', { name: channel.name })}
          onClick={onEdit}
        >
          {t('alerts.edit')}
        </button>
        <button
          type="button"
          className="btn btn-small"
          data-testid="channel-delete"
          aria-label={t('alerts.channels.deleteNamed', { name: channel.name })}
          onClick={onDelete}
        >
          {t('alerts.delete')}
        </button>
      </div>
    </li>
  );
}

export function ChannelsPanel({ settings, reload }: { settings: AlertSettings; reload: () => void }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const [editing, setEditing] = useState<ChannelView | 'new' | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirm, setConfirm] = useState<ChannelView | null>(null);
  const usedBy = (id: string) => settings.rules.filter((r) => r.channels.includes(id)).length;

  async function remove(channel: ChannelView) {
    setMessage(null);
    if (editing !== 'new' && editing?.id === channel.id) setEditing(null);
    try {
      await api.call('deleteChannel', { id: channel.id });
      setMessage({ ok: true, text: t('alerts.channels.deleted', { name: channel.name }) });
    } catch (e) {
      setMessage({
        ok: false,
        text: t('alerts.requestFailed', {
          action: t('alerts.channels.deleteAction'),
          message: errorMessage(e),
        }),
      });
    } finally {
      reload();
    }
  }

  return (
    <div className="two-columns" data-testid="channels-panel">
      <section className="card stack" aria-label={t('alerts.channels.listLabel')}>
        <div className="card-header">
          <h2 className="card-title">{t('alerts.channels.title')}</h2>
          <button
            type="button"
            className="btn btn-primary btn-small"
            data-testid="channel-new"
            onClick={() => setEditing('new')}
          >
            {t('alerts.channels.new')}
          </button>
        </div>
        {message && (
          <p
            className={message.ok ? 'muted' : 'field-error'}
            role={message.ok ? 'status' : 'alert'}
            data-testid="channels-message"
          >
            {message.text}
          </p>
        )}
        {settings.channels.length === 0 ? (
          <p className="muted">{t('alerts.channels.empty')}</p>
        ) : (
          <ul className="plain-list profile-list" data-testid="channel-list">
            {settings.channels.map((c) => (
              <ChannelItem
                key={c.id}
                channel={c}
                active={editing !== 'new' && editing?.id === c.id}
                onEdit={() => setEditing(c)}
                onDelete={() => setConfirm(c)}
              />
            ))}
          </ul>
        )}
      </section>
      {editing && (
        <section className="card" aria-label={t('alerts.channels.formLabel')}>
          <h2 className="card-title">{editing === 'new' ? t('alerts.channels.new') : editing.name}</h2>
          <ChannelForm
            key={editing === 'new' ? 'new' : editing.id}
            channel={editing === 'new' ? undefined : editing}
            onSaved={(saved) => {
              setEditing(null);
              setMessage({ ok: true, text: t('alerts.channels.saved', { name: saved.name }) });
              reload();
            }}
            onCancel={() => setEditing(null)}
          />
        </section>
      )}
      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        label={t('alerts.channels.confirmDeleteTitle')}
      >
        <div className="card stack">
          <h2 className="card-title">{t('alerts.channels.confirmDeleteTitle')}</h2>
          <p>
            {t('alerts.channels.confirmDelete', { name: confirm?.name ?? '' })}{' '}
            {confirm && usedBy(confirm.id) > 0 && t('alerts.channels.usedBy', { count: usedBy(confirm.id) })}
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-primary"
              data-testid="channel-confirm-delete"
              onClick={() => {
                const channel = confirm;
                setConfirm(null);
                if (channel) void remove(channel);
              }}
            >
              {t('alerts.delete')}
            </button>
            <button type="button" className="btn" onClick={() => setConfirm(null)}>
              {t('alerts.cancel')}
            </button>
          </div>
        </div>
      </Dialog>
    </div>
  );
}
