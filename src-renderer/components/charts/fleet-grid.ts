/**
 * The fleet grid's model: one cell per server colored by health, laid out to fit the card. Pure, so
 * the drawing code stays a loop over rectangles and the tests can check the math.
 */
import type { ServerView } from '../../../src-shared/fleet';
import { memoryPercent, worstDisk } from '../../state/selectors';

/** `hot`: up, but CPU, memory or a disk is above HOT_PERCENT. */
export type Health = 'offline' | 'unknown' | 'hot' | 'ok';
export const HEALTHS: readonly Health[] = ['offline', 'hot', 'unknown', 'ok'];

export const HOT_PERCENT = 90;

/** CSS custom property holding each health's color (theme.css; read at draw time so dark mode applies). */
export const HEALTH_COLOR_VAR: Record<Health, string> = {
  offline: '--bad',
  unknown: '--unknown',
  hot: '--warn',
  ok: '--good',
};

/** What made a server `hot`, for the tooltip: the first resource above the threshold. */
export type HotResource = 'cpu' | 'memory' | 'disk';

export function hotResource(server: ServerView): { resource: HotResource; percent: number } | undefined {
  const m = server.metrics;
  if (!m) return undefined;
  if (m.cpuPercent > HOT_PERCENT) return { resource: 'cpu', percent: m.cpuPercent };
  const mem = memoryPercent(m);
  if (mem !== undefined && mem > HOT_PERCENT) return { resource: 'memory', percent: mem };
  const disk = worstDisk(m);
  if (disk && disk.percent > HOT_PERCENT) return { resource: 'disk', percent: disk.percent };
  return undefined;
}

export function serverHealth(server: ServerView): Health {
  if (server.presence === 'offline') return 'offline';
  if (server.presence === 'unknown') return 'unknown';
  return hotResource(server) ? 'hot' : 'ok';
}

export function countHealth(servers: Iterable<ServerView>): Record<Health, number> {
  const counts: Record<Health, number> = { offline: 0, unknown: 0, hot: 0, ok: 0 };
  for (const s of servers) counts[serverHealth(s)] += 1;
  return counts;
}

export interface GridLayout {
  count: number;
  /** Cell side and gap, CSS pixels. */
  cell: number;
  gap: number;
  cols: number;
  rows: number;
  width: number;
  height: number;
}

export interface GridLimits {
  maxCell: number;
  minCell: number;
  /** Height the grid tries to stay within; only the smallest cells may go past it. */
  maxHeight: number;
}

export const DEFAULT_GRID_LIMITS: GridLimits = { maxCell: 28, minCell: 4, maxHeight: 360 };

const gapFor = (cell: number): number => (cell >= 12 ? 3 : cell >= 7 ? 2 : 1);

/**
 * The largest cells that fit `count` servers in `width` × `maxHeight`: a few servers get big cells,
 * 5,000 get small ones, and the grid never needs a scrollbar until cells hit `minCell`.
 */
export function gridLayout(
  count: number,
  width: number,
  limits: GridLimits = DEFAULT_GRID_LIMITS,
): GridLayout {
  const w = Math.max(1, Math.floor(width));
  let cell = limits.maxCell;
  for (; cell > limits.minCell; cell--) {
    const gap = gapFor(cell);
    const cols = Math.max(1, Math.floor((w + gap) / (cell + gap)));
    const rows = Math.ceil(count / cols);
    if (rows * (cell + gap) - gap <= limits.maxHeight) break;
  }
  const gap = gapFor(cell);
  const cols = Math.max(1, Math.floor((w + gap) / (cell + gap)));
  const rows = count === 0 ? 0 : Math.ceil(count / cols);
  return {
    count,
    cell,
    gap,
    cols,
    rows,
    width: w,
    height: rows === 0 ? 0 : rows * (cell + gap) - gap,
  };
}

/** Top-left corner of cell `index`, CSS pixels. */
export function cellOrigin(layout: GridLayout, index: number): { x: number; y: number } {
  const pitch = layout.cell + layout.gap;
  return { x: (index % layout.cols) * pitch, y: Math.floor(index / layout.cols) * pitch };
}

/**
 * The cell under a point, or -1. A point in the gap after a cell counts as that cell: with 5,000
 * cells of a few pixels, hovering should never flicker to "nothing".
 */
export function cellAt(layout: GridLayout, x: number, y: number): number {
  if (x < 0 || y < 0 || layout.count === 0) return -1;
  const pitch = layout.cell + layout.gap;
  const col = Math.floor(x / pitch);
  const row = Math.floor(y / pitch);
  if (col >= layout.cols || row >= layout.rows) return -1;
  const index = row * layout.cols + col;
  return index < layout.count ? index : -1;
}

/** Arrow-key moves in the grid; stays put at the edges. */
export function moveFocus(layout: GridLayout, index: number, key: string): number {
  if (layout.count === 0) return -1;
  if (index < 0) return 0;
  const last = layout.count - 1;
  switch (key) {
    case 'ArrowLeft':
      return index % layout.cols === 0 ? index : index - 1;
    case 'ArrowRight':
      return index % layout.cols === layout.cols - 1 || index === last ? index : index + 1;
    case 'ArrowUp':
      return index - layout.cols >= 0 ? index - layout.cols : index;
    case 'ArrowDown':
      return index + layout.cols <= last ? index + layout.cols : index;
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return index;
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Cells in hostname order: a server keeps its place while its color changes. */
export function orderServers(servers: Iterable<ServerView>): string[] {
  return [...servers]
    .sort((a, b) => collator.compare(a.hostname, b.hostname) || collator.compare(a.serverId, b.serverId))
    .map((s) => s.serverId);
}

/** True when `order` still lists exactly the servers in the map (then it need not be sorted again). */
export function sameMembers(order: readonly string[], servers: ReadonlyMap<string, unknown>): boolean {
  if (order.length !== servers.size) return false;
  for (const id of order) if (!servers.has(id)) return false;
  return true;
}

/** Servers that need a look, worst first (down, then hot, then not seen yet), for the accessible list. */
export function unhealthyServers(servers: Iterable<ServerView>): ServerView[] {
  const rank: Record<Health, number> = { offline: 0, hot: 1, unknown: 2, ok: 3 };
  const list: { s: ServerView; r: number }[] = [];
  for (const s of servers) {
    const r = rank[serverHealth(s)];
    if (r < 3) list.push({ s, r });
  }
  list.sort((a, b) => a.r - b.r || collator.compare(a.s.hostname, b.s.hostname));
  return list.map((x) => x.s);
}
