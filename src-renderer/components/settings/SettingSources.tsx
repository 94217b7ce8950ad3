/**
 * Settings → "Where settings come from": for each setting the hub reads, the value in use (secrets
 * masked by the hub, never sent in clear) and the place it came from, in the documented order of
 * precedence; the `.env` files looked at; and the hub's log file with a copy button.
 */
import { useEffect, useId, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { SettingSource, SettingSourcesView } from '../../../src-shared';
import { CopyButton } from '../CopyButton';
import { Field, Fields } from '../DetailParts';
import { useConsole } from '../../state/context';

export function describeSource(source: SettingSource, t: TFunction): string {
  switch (source.kind) {
    case 'envFile':
      return t('settings.sources.from.envFile', { path: source.path });
    case 'environment':
      return t('settings.sources.from.environment', { variable: source.variable });
    default:
      return t(`settings.sources.from.${source.kind}`);
  }
}

export function SettingSources() {
  const { t } = useTranslation();
  const { api } = useConsole();
  const ids = useId();
  const [view, setView] = useState<SettingSourcesView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.call('getSettingSources', undefined).then(
      (value) => {
        if (!cancelled) setView(value);
      },
      (e: unknown) => {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="setting-sources">
      <h2 id={`${ids}-title`} className="card-title">
        {t('settings.sources.title')}
      </h2>
      <p className="muted">{t('settings.sources.intro')}</p>
      {error && (
        <p className="error-text" role="alert">
          {t('settings.sources.loadError', { message: error })}
        </p>
      )}
      {!view && !error && <p className="muted">{t('settings.sources.loading')}</p>}
      {view && (
        <>
          <Fields>
            <Field label={t('settings.sources.logFile')}>
              {view.logFile ? (
                <span data-testid="log-file-path">
                  <code>{view.logFile}</code>{' '}
                  <CopyButton text={view.logFile} what={t('settings.sources.logFileWhat')} />
                </span>
              ) : (
                <span className="muted">{t('settings.sources.noLogFile')}</span>
              )}
            </Field>
            <Field label={t('settings.sources.dataDir')}>
              <code>{view.dataDir}</code>
            </Field>
            <Field label={t('settings.sources.envFiles')}>
              {view.envFiles.length === 0 ? (
                <span className="muted">{t('settings.sources.noEnvFiles')}</span>
              ) : (
                <ul className="plain-list">
                  {view.envFiles.map((f) => (
                    <li key={f.path}>
                      <code>{f.path}</code>{' '}
                      <span className="muted">
                        ({f.found ? t('settings.sources.found') : t('settings.sources.notFound')})
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </Field>
          </Fields>
          <table className="simple-table" aria-labelledby={`${ids}-title`}>
            <thead>
              <tr>
                <th scope="col">{t('settings.sources.key')}</th>
                <th scope="col">{t('settings.sources.value')}</th>
                <th scope="col">{t('settings.sources.source')}</th>
              </tr>
            </thead>
            <tbody>
              {view.settings.map((s) => (
                <tr key={s.key} data-testid={`source-${s.key}`}>
                  <th scope="row">
                    <code>{s.key}</code>
                  </th>
                  <td>
                    {s.value === null ? (
                      <span className="muted">{t('settings.sources.notSet')}</span>
                    ) : (
                      <code aria-label={s.secret ? t('settings.sources.hidden') : undefined}>{s.value}</code>
                    )}
                  </td>
                  <td>
                    {describeSource(s.source, t)}
                    {s.shadowed.length > 0 && (
                      <div className="muted">
                        {t('settings.sources.overrides', {
                          list: s.shadowed.map((o) => describeSource(o, t)).join('; '),
                        })}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
