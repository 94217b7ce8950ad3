/** Alert rules: the list (enable/disable in place, edit, delete) next to the rule form. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertRule, AlertSettings } from '../../../src-shared/monitoring';
import { useFormat } from '../../i18n/format';
import { ruleDisplayName } from '../../i18n/rule-names';
import { useConsole } from '../../state/context';
import { Dialog } from '../Dialog';
import { errorMessage, isMetricKind, isOfflineKind, SeverityBadge } from './AlertParts';
import { RuleForm, ruleInput } from './RuleForm';

/** One line on what the rule watches: "above 90 % for 30 s", "after a 30 s grace period". */
function useRuleSummary(): (rule: AlertRule) => string {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (rule) => {
    const duration = fmt.duration(rule.forSec * 1000);
    if (isMetricKind(rule.kind))
      return t('alerts.rules.summaryMetric', { threshold: fmt.percent(rule.threshold ?? 0), duration });
    if (isOfflineKind(rule.kind)) return t('alerts.rules.summaryOffline', { duration });
    return t('alerts.rules.summaryJob');
  };
}

export function RulesPanel({ settings, reload }: { settings: AlertSettings; reload: () => void }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const summary = useRuleSummary();
  /** `null`: no form; `'new'`: creating; else the rule being edited. */
  const [editing, setEditing] = useState<AlertRule | 'new' | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirm, setConfirm] = useState<AlertRule | null>(null);
  /**
   * A toggle shows the click at once; the hub's answer (the next settings object) takes over, so a
   * refused change flips back by itself.
   */
  const [optimistic, setOptimistic] = useState<{
    of: AlertSettings;
    enabled: Record<string, boolean>;
  } | null>(null);
  const enabledOf = (r: AlertRule): boolean =>
    (optimistic?.of === settings ? optimistic.enabled[r.id] : undefined) ?? r.enabled;
  const channelName = (id: string) => settings.channels.find((c) => c.id === id)?.name ?? id;

  async function run(action: () => Promise<unknown>, ok: string, failed: string) {
    setMessage(null);
    try {
      await action();
      setMessage({ ok: true, text: ok });
    } catch (e) {
      setMessage({
        ok: false,
        text: t('alerts.requestFailed', { action: failed, message: errorMessage(e) }),
      });
    } finally {
      reload();
    }
  }

  return (
    <div className="two-columns" data-testid="rules-panel">
      <section className="card stack" aria-label={t('alerts.rules.listLabel')}>
        <div className="card-header">
          <h2 className="card-title">{t('alerts.rules.title')}</h2>
          <button
            type="button"
            className="btn btn-primary btn-small"
            data-testid="rule-new"
            onClick={() => setEditing('new')}
          >
            {t('alerts.rules.new')}
          </button>
        </div>
        {message && (
          <p
            className={message.ok ? 'muted' : 'field-error'}
            role={message.ok ? 'status' : 'alert'}
            data-testid="rules-message"
          >
            {message.text}
          </p>
        )}
        {settings.rules.length === 0 ? (
          <p className="muted">{t('alerts.rules.empty')}</p>
        ) : (
          <ul className="plain-list profile-list" data-testid="rule-list">
            {settings.rules.map((r) => (
              <li
                key={r.id}
                className={`profile-item${editing !== 'new' && editing?.id === r.id ? ' active' : ''}${r.enabled ? '' : ' disabled-item'}`}
                data-testid="rule-item"
                data-rule-id={r.id}
                data-enabled={r.enabled}
              >
                <div className="stack-tight">
                  <div className="alert-head">
                    <strong>{ruleDisplayName(r.id, r.name)}</strong>
                    <SeverityBadge severity={r.severity} />
                  </div>
                  <p className="small">
                    {t(`alerts.kind.${r.kind}`)} · {summary(r)}
                  </p>
                  {Object.keys(r.selector).length > 0 && (
                    <div className="label-list wrap">
                      {Object.entries(r.selector).map(([k, v]) => (
                        <span key={k} className="label-chip">
                          {k}={v}
                        </span>
                      ))}
                    </div>
                  )}
                  <p className="muted small">
                    {r.channels.length === 0
                      ? t('alerts.rules.consoleOnly')
                      : t('alerts.rules.notifies', { channels: r.channels.map(channelName).join(', ') })}
                  </p>
                </div>
                <div className="profile-actions">
                  <label className="form-check-inline small">
                    <input
                      type="checkbox"
                      checked={enabledOf(r)}
                      data-testid="rule-toggle"
                      onChange={(e) => {
                        const enabled = e.target.checked;
                        setOptimistic((o) => ({
                          of: settings,
                          enabled: { ...(o?.of === settings ? o.enabled : {}), [r.id]: enabled },
                        }));
                        void run(
                          () => api.call('saveAlertRule', { ...ruleInput(r), enabled }),
                          t(enabled ? 'alerts.rules.enabledNow' : 'alerts.rules.disabledNow', {
                            name: ruleDisplayName(r.id, r.name),
                          }),
                          t('alerts.rules.saveAction'),
                        );
                      }}
                    />
                    {t('alerts.rules.enabled')}
                  </label>
                  <button
                    type="button"
                    className="btn btn-small"
                    data-testid="rule-edit"
                    aria-label={t('alerts.rules.editNamed', { name: ruleDisplayName(r.id, r.name) })}
                    onClick={() => setEditing(r)}
                  >
                    {t('alerts.edit')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    data-testid="rule-delete"
                    aria-label={t('alerts.rules.deleteNamed', { name: ruleDisplayName(r.id, r.name) })}
                    onClick={() => setConfirm(r)}
                  >
                    {t('alerts.delete')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {editing && (
        <section className="card" aria-label={t('alerts.rules.formLabel')}>
          <h2 className="card-title">
            {editing === 'new' ? t('alerts.rules.new') : ruleDisplayName(editing.id, editing.name)}
          </h2>
          <RuleForm
            key={editing === 'new' ? 'new' : editing.id}
            rule={editing === 'new' ? undefined : editing}
            channels={settings.channels}
            onSaved={(saved) => {
              setEditing(null);
              setMessage({
                ok: true,
                text: t('alerts.rules.saved', { name: ruleDisplayName(saved.id, saved.name) }),
              });
              reload();
            }}
            onCancel={() => setEditing(null)}
          />
        </section>
      )}
      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        label={t('alerts.rules.confirmDeleteTitle')}
      >
        <div className="card stack">
          <h2 className="card-title">{t('alerts.rules.confirmDeleteTitle')}</h2>
          <p>
            {t('alerts.rules.confirmDelete', {
              name: confirm ? ruleDisplayName(confirm.id, confirm.name) : '',
            })}
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-primary"
              data-testid="rule-confirm-delete"
              onClick={() => {
                const rule = confirm;
                setConfirm(null);
                if (!rule) return;
                if (editing !== 'new' && editing?.id === rule.id) setEditing(null);
                void run(
                  () => api.call('deleteAlertRule', { id: rule.id }),
                  t('alerts.rules.deleted', { name: ruleDisplayName(rule.id, rule.name) }),
                  t('alerts.rules.deleteAction'),
                );
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
