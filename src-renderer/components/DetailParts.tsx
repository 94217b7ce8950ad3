import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { PresenceReason, PresenceState } from '../../src-shared/fleet';
import { useFormat } from '../i18n/format';
import { useNow } from '../state/clock';
import { routeHref, type Route } from '../state/router';
import { PresenceBadge } from './PresenceBadge';

export function BackLink({ to }: { to: Extract<Route, { view: 'agents' | 'servers' }> }) {
  const { t } = useTranslation();
  return (
    <a className="back-link" href={routeHref(to)}>
      {t('nav.back', { view: t(`nav.${to.view}`) })}
    </a>
  );
}

/** What a detail page shows before its entity is known: loading, not found, or the load error. */
export function DetailPlaceholder({
  back,
  kind,
  error,
  notFound,
}: {
  back: Extract<Route, { view: 'agents' | 'servers' }>;
  kind: 'detail.kindAgent' | 'detail.kindServer';
  error?: string | null;
  notFound: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="page">
      <BackLink to={back} />
      {error ? (
        <p className="error-text" role="alert">
          {t('app.loadFailed', { message: error })}
        </p>
      ) : (
        <p className="muted">{notFound ? t('detail.notFound', { kind: t(kind) }) : t('detail.loading')}</p>
      )}
    </div>
  );
}

export function Fields({ children }: { children: ReactNode }) {
  return <dl className="fields">{children}</dl>;
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function PresenceCard({
  presence,
  since,
  reason,
  lastSeen,
  kind,
}: {
  presence: PresenceState;
  since: number;
  reason: PresenceReason;
  lastSeen?: number;
  kind: 'agent' | 'server';
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  return (
    <section className="card" aria-labelledby="presence-title" data-testid="presence-card">
      <h2 id="presence-title" className="card-title">
        {t('detail.presence')}
      </h2>
      <Fields>
        <Field label={t('detail.fields.state')}>
          <PresenceBadge presence={presence} kind={kind} />
        </Field>
        <Field label={t('detail.fields.since')}>
          <span title={fmt.dateTime(since)}>
            {fmt.time(since)}{' '}
            <span className="muted">{t('presence.for', { duration: fmt.duration(now - since) })}</span>
          </span>
        </Field>
        <Field label={t('detail.fields.reason')}>{t(`presence.reason.${reason}`)}</Field>
        {lastSeen !== undefined && (
          <Field label={t('detail.fields.lastSeen')}>
            {presence === 'online' ? (
              t('presence.seenNow')
            ) : lastSeen ? (
              <span title={fmt.dateTime(lastSeen)}>{fmt.relative(lastSeen, now)}</span>
            ) : (
              t('presence.never')
            )}
          </Field>
        )}
      </Fields>
    </section>
  );
}
