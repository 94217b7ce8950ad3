import { useTranslation } from 'react-i18next';
import { useFleet } from '../state/context';
import { routeHref, type Route } from '../state/router';

type Section =
  'overview' | 'agents' | 'servers' | 'alerts' | 'jobs' | 'profiles' | 'bulk' | 'audit' | 'settings';

function sectionOf(route: Route): Section {
  if (route.view === 'agent') return 'agents';
  if (route.view === 'server') return 'servers';
  return route.view;
}

const ICONS: Record<Section, string> = {
  overview: 'M2 2h5v5H2zM9 2h5v5H9zM2 9h5v5H2zM9 9h5v5H9z',
  agents: 'M8 2a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM2.5 14c.5-3 2.7-4.5 5.5-4.5s5 1.5 5.5 4.5z',
  servers: 'M2 2.5h12v4H2zM2 9.5h12v4H2zM4.5 4.5h.01M4.5 11.5h.01',
  alerts: 'M8 2a4 4 0 0 0-4 4v3.5L2.5 12h11L12 9.5V6a4 4 0 0 0-4-4zM6.5 13.5a1.5 1.5 0 0 0 3 0',
  jobs: 'M2.5 3.5h11M2.5 8h11M2.5 12.5h6M11 11l1.5 1.5L15 10',
  profiles: 'M3 2.5h10v11H3zM5.5 5.5h5M5.5 8h5M5.5 10.5h3',
  bulk: 'M2 3h5v4H2zM9 3h5v4H9zM2 9h5v4H2zM9 9h5v4H9zM7 5h2M7 11h2',
  audit: 'M4 1.5h6l3 3v10H4zM10 1.5v3h3M6 8h5M6 10.5h5',
  settings:
    'M8 5.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5zM8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4',
};

export function Sidebar({ route, onConnect }: { route: Route; onConnect: () => void }) {
  const { t } = useTranslation();
  const counts = useFleet((s) => s.counts);
  const runningJobs = useFleet((s) => s.jobStats.running);
  const activeBulks = useFleet((s) => {
    let n = 0;
    for (const b of s.bulks.values()) if (!b.done) n++;
    return n;
  });
  const alerts = useFleet((s) => s.status?.alerts);
  const current = sectionOf(route);
  // `spoken`: the badge in words for screen readers ("3/5" and a red dot say little out loud).
  const items: { id: Section; badge?: string; spoken?: string; tone?: 'warn' | 'bad' }[] = [
    { id: 'overview' },
    {
      id: 'agents',
      badge: `${counts.agentsOnline}/${counts.agentsTotal}`,
      spoken: t('nav.badge.agents', { online: counts.agentsOnline, total: counts.agentsTotal }),
    },
    {
      id: 'servers',
      badge: `${counts.serversUp}/${counts.serversTotal}`,
      spoken: t('nav.badge.servers', { up: counts.serversUp, total: counts.serversTotal }),
    },
    // Firing alerts; red while any of them is critical (and said so in words).
    {
      id: 'alerts',
      badge: alerts && alerts.active > 0 ? String(alerts.active) : undefined,
      spoken: alerts
        ? t(alerts.critical > 0 ? 'nav.badge.alertsCritical' : 'nav.badge.alerts', { n: alerts.active })
        : undefined,
      tone: alerts && alerts.critical > 0 ? 'bad' : 'warn',
    },
    {
      id: 'jobs',
      badge: runningJobs > 0 ? String(runningJobs) : undefined,
      spoken: t('nav.badge.jobs', { n: runningJobs }),
    },
    { id: 'profiles' },
    {
      id: 'bulk',
      badge: activeBulks > 0 ? String(activeBulks) : undefined,
      spoken: t('nav.badge.bulk', { n: activeBulks }),
    },
    { id: 'audit' },
    { id: 'settings' },
  ];
  return (
    <aside className="sidebar">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="12" cy="12" r="3.2" />
          <circle cx="4.5" cy="6" r="2" />
          <circle cx="19.5" cy="6" r="2" />
          <circle cx="12" cy="21" r="2" />
          <path d="M6 7l3.6 3M18 7l-3.6 3M12 15.2V19" />
        </svg>
        <div>
          <div className="brand-name">{t('app.name')}</div>
          <div className="brand-tagline">{t('app.tagline')}</div>
        </div>
      </div>
      <nav aria-label={t('nav.label')}>
        <ul className="nav-list">
          {items.map((item) => (
            <li key={item.id}>
              <a
                href={routeHref({ view: item.id } as Route)}
                className={`nav-item${current === item.id ? ' active' : ''}`}
                aria-current={current === item.id ? 'page' : undefined}
                data-testid={`nav-${item.id}`}
              >
                <svg viewBox="0 0 16 16" className="nav-icon" aria-hidden="true">
                  <path d={ICONS[item.id]} />
                </svg>
                <span className="nav-label">{t(`nav.${item.id}`)}</span>
                {item.badge && (
                  <span
                    className={`nav-badge${item.tone ? ` nav-badge-${item.tone}` : ''}`}
                    data-testid={`nav-${item.id}-badge`}
                    aria-hidden={item.spoken ? true : undefined}
                  >
                    {item.badge}
                  </span>
                )}
                {item.badge && item.spoken && <span className="visually-hidden">{item.spoken}</span>}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-foot">
        <button
          type="button"
          className="btn btn-primary btn-block"
          onClick={onConnect}
          data-testid="open-connect"
        >
          {t('nav.connectAgent')}
        </button>
      </div>
    </aside>
  );
}
