/**
 * Configuration profiles: list (with how many agents each affects, from the agents' labels in the
 * store), create/edit (name, description, selector labels, config as JSON) and delete (confirmed).
 */
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Profile } from '../../src-shared/config-management';
import type { AgentView } from '../../src-shared/fleet';
import { JsonEditor } from '../components/config/JsonEditor';
import { formatJson, isJsonObject, parseJson } from '../components/config/json-text';
import { Dialog } from '../components/Dialog';
import { LabelRows, labelsToRows, rowsToLabels, type LabelRow } from '../components/LabelRows';
import { useConsole, useFleet } from '../state/context';

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Agents a profile reaches through its selector (hand assignments are not in the store). */
export function profileReach(profile: Pick<Profile, 'selector'>, agents: Iterable<AgentView>): number | null {
  const selector = Object.entries(profile.selector ?? {});
  if (selector.length === 0) return null;
  let n = 0;
  for (const a of agents) if (selector.every(([k, v]) => a.labels[k] === v)) n++;
  return n;
}

interface Draft {
  original: string | null;
  name: string;
  description: string;
  selector: LabelRow[];
  configText: string;
}

const emptyDraft = (): Draft => ({
  original: null,
  name: '',
  description: '',
  selector: [],
  configText: '{\n  \n}',
});

export function ProfilesView() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const ids = useId().replace(/:/g, '');
  const agents = useFleet((s) => s.agents);
  const [profiles, setProfiles] = useState<Profile[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);

  const reload = useCallback(() => {
    api.call('listProfiles', undefined).then(
      (list) => {
        setProfiles(list);
        setLoadError(null);
      },
      (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)),
    );
  }, [api]);
  useEffect(() => reload(), [reload]);

  const reach = useMemo(
    () => new Map((profiles ?? []).map((p) => [p.name, profileReach(p, agents.values())])),
    [profiles, agents],
  );

  const parsed = draft ? parseJson(draft.configText) : null;
  const configError =
    parsed && !parsed.ok
      ? t('editor.jsonError', { line: parsed.line, column: parsed.column, message: parsed.message })
      : parsed && parsed.ok && !isJsonObject(parsed.value)
        ? t('config.notObject')
        : null;
  const nameError = draft && draft.name !== '' && !NAME.test(draft.name) ? t('profiles.invalidName') : null;
  const canSave = draft && !busy && !configError && !nameError && NAME.test(draft.name);

  async function save() {
    if (!draft || !canSave || !parsed?.ok || !isJsonObject(parsed.value)) return;
    setBusy(true);
    setMessage(null);
    try {
      const res = await api.call('saveProfile', {
        name: draft.name,
        description: draft.description,
        selector: rowsToLabels(draft.selector),
        config: parsed.value,
      });
      setMessage({ ok: true, text: t('profiles.saved', { count: res.affected }) });
      setDraft(null);
      reload();
    } catch (e) {
      setMessage({
        ok: false,
        text: t('profiles.saveFailed', { message: e instanceof Error ? e.message : String(e) }),
      });
    } finally {
      setBusy(false);
    }
  }

  async function remove(name: string) {
    setConfirm(null);
    setBusy(true);
    try {
      const res = await api.call('deleteProfile', { name });
      setMessage({ ok: true, text: t('profiles.deleted', { count: res.affected }) });
      if (draft?.original === name) setDraft(null);
      reload();
    } catch (e) {
      setMessage({
        ok: false,
        text: t('profiles.deleteFailed', { message: e instanceof Error ? e.message : String(e) }),
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page" data-testid="profiles-view">
      <header className="page-header">
        <div>
          <h1>{t('profiles.title')}</h1>
          <p className="muted">{t('profiles.subtitle')}</p>
        </div>
        <div className="toolbar">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="profile-new"
            onClick={() => setDraft(emptyDraft())}
          >
            {t('profiles.new')}
          </button>
        </div>
      </header>
      {loadError && (
        <p className="error-text" role="alert">
          {t('profiles.loadFailed', { message: loadError })}
        </p>
      )}
      {message && (
        <p className={message.ok ? 'muted' : 'field-error'} role="status" data-testid="profile-message">
          {message.text}
        </p>
      )}
      <div className="two-columns">
        <section className="card" aria-label={t('profiles.listLabel')}>
          {profiles && profiles.length === 0 ? (
            <p className="muted">{t('profiles.empty')}</p>
          ) : (
            <ul className="plain-list profile-list" data-testid="profile-list">
              {(profiles ?? []).map((p) => {
                const n = reach.get(p.name);
                return (
                  <li
                    key={p.name}
                    className={`profile-item${draft?.original === p.name ? ' active' : ''}`}
                    data-testid="profile-item"
                    data-name={p.name}
                  >
                    <div>
                      <strong>{p.name}</strong>
                      {p.description && <p className="muted small">{p.description}</p>}
                      <div className="label-list wrap">
                        {Object.entries(p.selector).map(([k, v]) => (
                          <span key={k} className="label-chip">
                            {k}={v}
                          </span>
                        ))}
                      </div>
                      <p className="small" data-testid="profile-affects">
                        {n === null || n === undefined
                          ? t('profiles.assignedOnly')
                          : t('profiles.affects', { count: n })}
                      </p>
                    </div>
                    <div className="profile-actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() =>
                          setDraft({
                            original: p.name,
                            name: p.name,
                            description: p.description,
                            selector: labelsToRows(p.selector),
                            configText: formatJson(p.config),
                          })
                        }
                      >
                        {t('profiles.edit')}
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        data-testid="profile-delete"
                        onClick={() => setConfirm(p.name)}
                      >
                        {t('profiles.delete')}
                      </button>
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
        {draft && (
          <section className="card" aria-labelledby={`${ids}-edit`}>
            <h2 id={`${ids}-edit`} className="card-title">
              {draft.original ? draft.original : t('profiles.new')}
            </h2>
            <form
              className="config-form"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                void save();
              }}
            >
              <label className="form-field">
                <span className="form-label">{t('profiles.name')}</span>
                <input
                  className="input"
                  value={draft.name}
                  readOnly={draft.original !== null}
                  data-testid="profile-name"
                  aria-invalid={nameError ? true : undefined}
                  aria-describedby={`${ids}-name-hint`}
                  onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                />
                <span id={`${ids}-name-hint`} className={nameError ? 'field-error' : 'muted small'}>
                  {nameError ?? t('profiles.nameHint')}
                </span>
              </label>
              <label className="form-field">
                <span className="form-label">{t('profiles.description')}</span>
                <input
                  className="input"
                  value={draft.description}
                  maxLength={500}
                  data-testid="profile-description"
                  onChange={(e) => setDraft({ ...draft, description: e.target.value })}
                />
              </label>
              <div className="form-field">
                <span className="form-label">{t('profiles.selector')}</span>
                <LabelRows
                  rows={draft.selector}
                  onChange={(selector) => setDraft({ ...draft, selector })}
                  testId="profile-selector"
                />
                <span className="muted small">
                  {(() => {
                    const n = profileReach({ selector: rowsToLabels(draft.selector) }, agents.values());
                    return n === null ? t('profiles.assignedOnly') : t('profiles.affects', { count: n });
                  })()}
                </span>
              </div>
              <JsonEditor
                id={`${ids}-config`}
                label={t('profiles.config')}
                testId="profile-config"
                rows={10}
                value={draft.configText}
                invalid={Boolean(configError)}
                describedBy={configError ? `${ids}-config-error` : undefined}
                onChange={(configText) => setDraft({ ...draft, configText })}
              >
                {configError && (
                  <p id={`${ids}-config-error`} className="field-error" role="alert">
                    {configError}
                  </p>
                )}
              </JsonEditor>
              <div className="form-actions">
                <button
                  type="submit"
                  className="btn btn-primary"
                  data-testid="profile-save"
                  disabled={!canSave}
                >
                  {busy ? t('profiles.saving') : t('profiles.save')}
                </button>
                <button type="button" className="btn btn-ghost" onClick={() => setDraft(null)}>
                  {t('profiles.cancel')}
                </button>
              </div>
            </form>
          </section>
        )}
      </div>
      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        label={t('profiles.confirmDeleteTitle')}
      >
        <div className="card stack">
          <h2 className="card-title">{t('profiles.confirmDeleteTitle')}</h2>
          <p>{t('profiles.confirmDelete', { name: confirm ?? '' })}</p>
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-primary"
              data-testid="profile-confirm-delete"
              onClick={() => confirm && void remove(confirm)}
            >
              {t('profiles.delete')}
            </button>
            <button type="button" className="btn" onClick={() => setConfirm(null)}>
              {t('profiles.cancel')}
            </button>
          </div>
        </div>
      </Dialog>
    </div>
  );
}
