/**
 * The fleet at a glance: one cell per server, colored by health, drawn on a canvas (5,000 DOM nodes
 * updated several times a second would not stay fast). Hover or arrow keys show a server; click or
 * Enter opens it. The servers that need attention are also listed as plain links below the grid.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServerView } from '../../src-shared/fleet';
import { useFormat } from '../i18n/format';
import { navigate, routeHref } from '../state/router';
import { memoryPercent, worstDisk } from '../state/selectors';
import {
  cellAt,
  cellOrigin,
  countHealth,
  gridLayout,
  HEALTH_COLOR_VAR,
  HEALTHS,
  hotResource,
  moveFocus,
  orderServers,
  sameMembers,
  serverHealth,
  unhealthyServers,
  type GridLayout,
  type Health,
} from './charts/fleet-grid';
import { cssColor, useColorScheme } from './charts/theme';

/** How many servers "needs attention" lists before pointing to the servers list. */
const ATTENTION_LIMIT = 24;

/** Keeps the hostname order across updates and sorts again only when servers come or go. */
class CellOrder {
  private order: string[] = [];
  of(servers: ReadonlyMap<string, ServerView>): string[] {
    if (!sameMembers(this.order, servers)) this.order = orderServers(servers.values());
    return this.order;
  }
}

/** The performance entries the dashboard benchmark reads (only the latest draw is kept). */
export const GRID_DRAW_MEASURE = 'fleet-grid-draw';
export const GRID_FIRST_DRAW_MEASURE = 'fleet-grid-first-draw';
let firstDrawRecorded = false;

function recordDraw(start: number, end: number, count: number): void {
  if (typeof performance.measure !== 'function') return;
  try {
    performance.clearMeasures(GRID_DRAW_MEASURE);
    performance.measure(GRID_DRAW_MEASURE, { start, end, detail: { count } });
    if (!firstDrawRecorded && count > 0) {
      firstDrawRecorded = true;
      performance.measure(GRID_FIRST_DRAW_MEASURE, { start, end, detail: { count } });
    }
  } catch {
    // Timing is a diagnostic; never let it break the dashboard.
  }
}

function drawGrid(
  canvas: HTMLCanvasElement,
  layout: GridLayout,
  order: readonly string[],
  servers: ReadonlyMap<string, ServerView>,
  colors: Record<Health, string>,
): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(layout.width * dpr);
  const h = Math.round(layout.height * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, layout.width, layout.height);
  // One path per color: four fills instead of one per cell.
  const byHealth: Record<Health, number[]> = { offline: [], unknown: [], hot: [], ok: [] };
  for (let i = 0; i < order.length; i++) {
    const s = servers.get(order[i] as string);
    if (s) byHealth[serverHealth(s)].push(i);
  }
  const radius = layout.cell >= 10 ? 2 : 0;
  for (const health of HEALTHS) {
    const cells = byHealth[health];
    if (cells.length === 0) continue;
    ctx.fillStyle = colors[health];
    ctx.beginPath();
    for (const i of cells) {
      const { x, y } = cellOrigin(layout, i);
      if (radius > 0 && typeof ctx.roundRect === 'function')
        ctx.roundRect(x, y, layout.cell, layout.cell, radius);
      else ctx.rect(x, y, layout.cell, layout.cell);
    }
    ctx.fill();
  }
}

export function FleetGrid({ servers }: { servers: ReadonlyMap<string, ServerView> }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const scheme = useColorScheme();
  const hostRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [cellOrder] = useState(() => new CellOrder());
  const [width, setWidth] = useState(0);
  const [hovered, setHovered] = useState(-1);
  const [focused, setFocused] = useState(-1);

  const order = cellOrder.of(servers);
  // Read once per color scheme, not per draw (getComputedStyle would force a style pass each time).
  const colors = useMemo(() => {
    void scheme;
    const root = document.documentElement;
    const read = (h: Health) => cssColor(root, HEALTH_COLOR_VAR[h]);
    return { offline: read('offline'), unknown: read('unknown'), hot: read('hot'), ok: read('ok') };
  }, [scheme]);
  const layout = useMemo(() => gridLayout(order.length, width), [order.length, width]);
  const counts = useMemo(() => countHealth(servers.values()), [servers]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host || typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      setWidth((old) => (old === w ? old : w));
    });
    observer.observe(host);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    const host = hostRef.current;
    if (!canvas || !host || width === 0) return;
    const start = performance.now();
    drawGrid(canvas, layout, order, servers, colors);
    const end = performance.now();
    host.dataset.count = String(order.length);
    host.dataset.renderMs = (end - start).toFixed(2);
    recordDraw(start, end, order.length);
  }, [servers, order, layout, width, colors]);

  const active = hovered >= 0 ? hovered : focused;
  const activeServer =
    active >= 0 && active < order.length ? servers.get(order[active] as string) : undefined;

  /** State and figures of a server (the tooltip's second line; with the host name, what is announced). */
  const describe = (s: ServerView): string => {
    const m = s.presence === 'online' ? s.metrics : undefined;
    const word = t(`presence.serverState.${s.presence}`);
    const hot = hotResource(s);
    if (!m) return t('dashboard.grid.describeNoMetrics', { state: word });
    const mem = memoryPercent(m);
    return t('dashboard.grid.describe', {
      state: hot ? t(`dashboard.grid.hot.${hot.resource}`, { value: fmt.percent(hot.percent) }) : word,
      cpu: fmt.percent(m.cpuPercent),
      mem: mem === undefined ? t('metrics.notAvailable') : fmt.percent(mem),
      disk: fmt.percent(worstDisk(m)?.percent ?? 0),
    });
  };

  const onMouseMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const i = cellAt(layout, e.clientX - rect.left, e.clientY - rect.top);
    setHovered((old) => (old === i ? old : i));
  };
  const open = (i: number) => {
    const id = order[i];
    if (id !== undefined) navigate({ view: 'server', id });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      if (focused >= 0) {
        e.preventDefault();
        open(focused);
      }
      return;
    }
    if (e.key === 'Escape') {
      setFocused(-1);
      return;
    }
    const next = moveFocus(layout, focused, e.key);
    if (next !== focused || (focused < 0 && next >= 0)) {
      e.preventDefault();
      setFocused(next);
    }
  };

  if (order.length === 0) {
    return (
      <p className="muted empty-note" data-testid="fleet-grid-empty">
        {t('dashboard.grid.empty')}
      </p>
    );
  }

  const highlight = active >= 0 ? cellOrigin(layout, active) : undefined;
  const tooltipLeft = highlight
    ? Math.min(highlight.x + layout.cell + 8, Math.max(0, layout.width - 260))
    : 0;
  const tooltipTop = highlight ? highlight.y + layout.cell + 6 : 0;

  return (
    <div className="fleet-grid-wrap">
      <div
        ref={hostRef}
        className="fleet-grid"
        data-testid="fleet-grid"
        data-total={order.length}
        data-cell={layout.cell}
        role="application"
        tabIndex={0}
        aria-roledescription={t('dashboard.grid.roleDescription')}
        aria-label={t('dashboard.grid.label', {
          total: fmt.number(order.length),
          down: fmt.number(counts.offline),
          hot: fmt.number(counts.hot),
        })}
        aria-describedby="fleet-grid-help"
        onKeyDown={onKeyDown}
        onBlur={() => setFocused(-1)}
      >
        <canvas
          ref={canvasRef}
          className="fleet-grid-canvas"
          style={{ width: layout.width, height: layout.height }}
          onMouseMove={onMouseMove}
          onMouseLeave={() => setHovered(-1)}
          onClick={(e) => {
            const rect = e.currentTarget.getBoundingClientRect();
            const i = cellAt(layout, e.clientX - rect.left, e.clientY - rect.top);
            if (i >= 0) open(i);
          }}
        />
        {highlight && (
          <span
            className="fleet-grid-highlight"
            aria-hidden="true"
            style={{
              left: highlight.x - 2,
              top: highlight.y - 2,
              width: layout.cell + 4,
              height: layout.cell + 4,
            }}
          />
        )}
        {activeServer && highlight && (
          <div
            className="fleet-grid-tooltip"
            role="tooltip"
            data-testid="fleet-grid-tooltip"
            style={{ left: tooltipLeft, top: tooltipTop }}
          >
            <strong>{activeServer.hostname}</strong>
            <span>{describe(activeServer)}</span>
          </div>
        )}
      </div>
      <p id="fleet-grid-help" className="visually-hidden">
        {t('dashboard.grid.help')}
      </p>
      <p className="visually-hidden" aria-live="polite" data-testid="fleet-grid-announce">
        {focused >= 0 && activeServer
          ? t('dashboard.grid.announce', { host: activeServer.hostname, detail: describe(activeServer) })
          : ''}
      </p>
      <ul className="fleet-legend" aria-label={t('dashboard.grid.legendLabel')} data-testid="fleet-legend">
        {(['ok', 'hot', 'offline', 'unknown'] as const).map((h) => (
          <li key={h} data-health={h} data-count={counts[h]}>
            <span className={`legend-swatch health-${h}`} aria-hidden="true" />
            {t(`dashboard.grid.health.${h}`, { value: fmt.number(counts[h]) })}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The accessible alternative to the grid: servers down, hot or not seen yet, worst first. */
export function UnhealthyServers({ servers }: { servers: ReadonlyMap<string, ServerView> }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const list = useMemo(() => unhealthyServers(servers.values()), [servers]);
  if (list.length === 0) {
    return <p className="muted small">{servers.size > 0 ? t('dashboard.attention.none') : null}</p>;
  }
  return (
    <div className="attention" data-testid="attention">
      <h3 className="subheading">{t('dashboard.attention.title', { count: list.length })}</h3>
      <ul className="attention-list">
        {list.slice(0, ATTENTION_LIMIT).map((s) => {
          const health = serverHealth(s);
          // A down server's last figures are stale: say it is down, not that its CPU is high.
          const hot = s.presence === 'online' ? hotResource(s) : undefined;
          return (
            <li key={s.serverId}>
              <a
                className={`attention-item health-text-${health}`}
                href={routeHref({ view: 'server', id: s.serverId })}
                data-testid="attention-server"
                data-health={health}
              >
                <span className={`legend-swatch health-${health}`} aria-hidden="true" />
                <span className="attention-host">{s.hostname}</span>
                <span className="muted small">
                  {hot
                    ? t(`dashboard.grid.hot.${hot.resource}`, { value: fmt.percent(hot.percent) })
                    : t(`presence.serverState.${s.presence}`)}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      {list.length > ATTENTION_LIMIT && (
        <a href={routeHref({ view: 'servers' })} className="small">
          {t('dashboard.attention.more', { count: list.length - ATTENTION_LIMIT })}
        </a>
      )}
    </div>
  );
}
