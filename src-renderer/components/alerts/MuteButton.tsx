/**
 * "Mute alerts" for a detail page: one self-contained button (drop it into a page header) that says
 * whether the agent/server is muted and opens a dialog to add or remove a mute for it.
 *
 *   <MuteButton target={{ kind: 'agent', agentId }} />
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Mute, MuteTarget } from '../../../src-shared/monitoring';
import { useFormat } from '../../i18n/format';
import { useNow } from '../../state/clock';
import { useConsole } from '../../state/context';
import { Dialog } from '../Dialog';
import { MuteForm } from './MuteForm';
import { MuteList, sameTarget } from './MutesPanel';

export function MuteButton({ target }: { target: MuteTarget }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const { api } = useConsole();
  const [open, setOpen] = useState(false);
  const [mutes, setMutes] = useState<Mute[]>([]);
  const [error, setError] = useState<string | null>(null);

  // `target` is usually an object literal at the call site: key the reload on its content.
  const targetKey = JSON.stringify(target);
  const reload = useCallback(() => {
    const wanted = JSON.parse(targetKey) as MuteTarget;
    api.call('getAlertSettings', undefined).then(
      (s) => setMutes(s.mutes.filter((m) => sameTarget(m.target, wanted))),
      () => setMutes([]), // the button still works; the dialog says if saving fails
    );
  }, [api, targetKey]);
  useEffect(() => reload(), [reload]);

  const live = mutes.filter((m) => m.until > now);
  const until = live.reduce((max, m) => Math.max(max, m.until), 0);
  return (
    <>
      <button
        type="button"
        className={`btn btn-small mute-button${live.length > 0 ? ' is-muted' : ''}`}
        data-testid="mute-button"
        data-muted={live.length > 0}
        aria-haspopup="dialog"
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
      >
        <svg viewBox="0 0 16 16" className="nav-icon" aria-hidden="true">
          <path d="M8 2.5a4 4 0 0 0-4 4v3l-1.5 2h11L12 9.5v-3a4 4 0 0 0-4-4zM6.5 13.5a1.5 1.5 0 0 0 3 0" />
          {live.length > 0 && <path d="M2 2l12 12" />}
        </svg>
        {live.length > 0 ? t('alerts.mutes.mutedUntil', { time: fmt.time(until) }) : t('alerts.mutes.button')}
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} label={t('alerts.mutes.dialogTitle')}>
        <div className="card stack" data-testid="mute-dialog">
          <h2 className="card-title">{t('alerts.mutes.dialogTitle')}</h2>
          <p className="muted small">{t('alerts.mutes.explain')}</p>
          {live.length > 0 && (
            <MuteList
              mutes={live}
              onDeleted={(_m, e) => {
                setError(e ?? null);
                reload();
              }}
            />
          )}
          {error && (
            <p className="field-error" role="alert">
              {t('alerts.requestFailed', { action: t('alerts.mutes.unmute'), message: error })}
            </p>
          )}
          <MuteForm
            target={target}
            onSaved={() => {
              setOpen(false);
              reload();
            }}
            onCancel={() => setOpen(false)}
          />
        </div>
      </Dialog>
    </>
  );
}
