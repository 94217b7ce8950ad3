/** Maintenance mutes: add one (any target) and the list of active ones, each removable. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertSettings, Mute, MuteTarget } from '../../../src-shared/monitoring';
import { useFormat } from '../../i18n/format';
import { useNow } from '../../state/clock';
import { useConsole, useFleet } from '../../state/context';
import { routeHref } from '../../state/router';
import { errorMessage } from './AlertParts';
import { MuteForm } from './MuteForm';

/** Does the mute cover exactly this target (what a detail page's MuteButton lists)? */
export function sameTarget(a: MuteTarget, b: MuteTarget): boolean {
  if (a.kind === 'agent' && b.kind === 'agent') return a.agentId === b.agentId;
  if (a.kind === 'server' && b.kind === 'server') return a.serverId === b.serverId;
  if (a.kind === 'label' && b.kind === 'label') return a.key === b.key && a.value === b.value;
  return false;
}

export function MuteTargetText({ target }: { target: MuteTarget }) {
  const { t } = useTranslation();
  const agents = useFleet((s) => s.agents);
  if (target.kind === 'agent') {
    const name = agents.get(target.agentId)?.name ?? target.agentId;
    return (
      <a href={routeHref({ view: 'agent', id: target.agentId })}>{t('alerts.mutes.targetAgent', { name })}</a>
    );
  }
  if (target.kind === 'server') {
    return (
      <a href={routeHref({ view: 'server', id: target.serverId })}>
        {t('alerts.mutes.targetServer', { name: target.serverId })}
      </a>
    );
  }
  return (
    <span>
      {t('alerts.mutes.targetLabel')}{' '}
      <span className="label-chip">
        {target.key}={target.value}
      </span>
    </span>
  );
}

/** Active mutes with an "Unmute" button each. */
export function MuteList({
  mutes,
  onDeleted,
}: {
  mutes: readonly Mute[];
  onDeleted: (mute: Mute, error?: string) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const { api } = useConsole();
  const [busy, setBusy] = useState<string | null>(null);
  const live = mutes.filter((m) => m.until > now);
  if (live.length === 0) return <p className="muted">{t('alerts.mutes.empty')}</p>;
  return (
    <ul className="plain-list mute-list" data-testid="mute-list">
      {live.map((m) => (
        <li key={m.id} className="mute-item" data-testid="mute-item" data-mute-id={m.id}>
          <div className="stack-tight">
            <MuteTargetText target={m.target} />
            <span className="small" title={fmt.dateTime(m.until)}>
              {t('alerts.mutes.untilText', { time: fmt.time(m.until), relative: fmt.relative(m.until, now) })}
            </span>
            {m.reason && <span className="small">{m.reason}</span>}
            <span className="muted small">
              {t('alerts.mutes.createdBy', { user: m.createdBy, time: fmt.time(m.createdAt) })}
            </span>
          </div>
          <button
            type="button"
            className="btn btn-small"
            data-testid="mute-delete"
            disabled={busy === m.id}
            onClick={() => {
              setBusy(m.id);
              api
                .call('deleteMute', { id: m.id })
                .then(
                  () => onDeleted(m),
                  (e: unknown) => onDeleted(m, errorMessage(e)),
                )
                .finally(() => setBusy(null));
            }}
          >
            {t('alerts.mutes.unmute')}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function MutesPanel({ settings, reload }: { settings: AlertSettings; reload: () => void }) {
  const { t } = useTranslation();
  const [formKey, setFormKey] = useState(0);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <div className="two-columns" data-testid="mutes-panel">
      <section className="card stack" aria-labelledby="mute-add-title">
        <h2 id="mute-add-title" className="card-title">
          {t('alerts.mutes.addTitle')}
        </h2>
        <p className="muted small">{t('alerts.mutes.explain')}</p>
        <MuteForm
          key={formKey}
          onSaved={() => {
            setMessage({ ok: true, text: t('alerts.mutes.added') });
            setFormKey((k) => k + 1);
            reload();
          }}
        />
      </section>
      <section className="card stack" aria-labelledby="mute-list-title">
        <h2 id="mute-list-title" className="card-title">
          {t('alerts.mutes.active')}
        </h2>
        {message && (
          <p
            className={message.ok ? 'muted' : 'field-error'}
            role={message.ok ? 'status' : 'alert'}
            data-testid="mutes-message"
          >
            {message.text}
          </p>
        )}
        <MuteList
          mutes={settings.mutes}
          onDeleted={(_mute, error) => {
            setMessage(
              error
                ? {
                    ok: false,
                    text: t('alerts.requestFailed', { action: t('alerts.mutes.unmute'), message: error }),
                  }
                : { ok: true, text: t('alerts.mutes.removed') },
            );
            reload();
          }}
        />
      </section>
    </div>
  );
}
