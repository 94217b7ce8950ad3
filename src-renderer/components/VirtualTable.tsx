/**
 * A virtualized, sortable table (ARIA table semantics on CSS grid rows). Only the rows in view
 * (plus overscan) exist in the DOM, so 10,000 agents scroll as smoothly as 10.
 *
 * Keyboard: clickable rows are one tab stop (roving tabindex); ↑/↓, Page Up/Down, Home/End move
 * between rows (scrolling a row that is not rendered yet into the DOM first) and Enter opens the
 * row like a click. The links and controls inside a row stay in the normal tab order.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type HTMLAttributes, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SortState } from '../state/selectors';

export interface Column<T, K extends string> {
  id: K;
  header: string;
  /** CSS grid track, e.g. "minmax(8rem, 2fr)". */
  width: string;
  sortable?: boolean;
  align?: 'start' | 'end';
  render(row: T): ReactNode;
}

type DataAttributes = Record<`data-${string}`, string | number | undefined>;

export interface VirtualTableProps<T, K extends string> {
  label: string;
  rows: readonly T[];
  columns: readonly Column<T, K>[];
  rowKey(row: T): string;
  rowAttributes?(row: T): DataAttributes & HTMLAttributes<HTMLDivElement>;
  onRowClick?(row: T): void;
  sort?: SortState<K>;
  onSort?(key: K): void;
  empty?: ReactNode;
  rowHeight?: number;
}

export function VirtualTable<T, K extends string>({
  label,
  rows,
  columns,
  rowKey,
  rowAttributes,
  onRowClick,
  sort,
  onSort,
  empty,
  rowHeight = 44,
}: VirtualTableProps<T, K>) {
  const { t } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual is fine with React Compiler off.
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    getItemKey: (index) => (rows[index] ? rowKey(rows[index]) : index),
  });
  const grid = { gridTemplateColumns: columns.map((c) => c.width).join(' ') };

  // The row that holds the table's tab stop; kept in range when the list shrinks.
  const [activeIndex, setActiveIndex] = useState(0);
  const active = Math.min(activeIndex, Math.max(rows.length - 1, 0));
  // The row a key moved to: focused once the virtualizer has rendered it.
  const focusTarget = useRef<number | null>(null);
  useEffect(() => {
    if (focusTarget.current === null) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${focusTarget.current}"]`);
    if (el) {
      focusTarget.current = null;
      el.focus();
    }
  });
  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    focusTarget.current = next;
    setActiveIndex(next);
    virtualizer.scrollToIndex(next);
  };
  const onRowKeyDown = (e: KeyboardEvent<HTMLDivElement>, index: number, row: T) => {
    // Keys pressed in a link or control inside the row belong to that element.
    if (e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: rows.length - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      moveTo(moves[e.key] as number);
    } else if (e.key === 'Enter' && onRowClick) {
      e.preventDefault();
      onRowClick(row);
    }
  };

  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={rows.length + 1}>
      <div className="vtable-head" role="rowgroup">
        <div className="vtable-row vtable-header-row" role="row" aria-rowindex={1} style={grid}>
          {columns.map((col) => {
            const active = sort?.key === col.id;
            const ariaSort = active
              ? sort.dir === 'asc'
                ? 'ascending'
                : 'descending'
              : col.sortable
                ? 'none'
                : undefined;
            return (
              <div
                key={col.id}
                role="columnheader"
                aria-sort={ariaSort}
                className={`vtable-cell vtable-th${col.align === 'end' ? ' align-end' : ''}`}
              >
                {col.sortable && onSort ? (
                  <button
                    type="button"
                    className={`sort-button${active ? ' sort-active' : ''}`}
                    onClick={() => onSort(col.id)}
                    title={t('table.sortBy', { column: col.header })}
                  >
                    <span>{col.header}</span>
                    <span className="sort-arrow" aria-hidden="true">
                      {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
                    </span>
                  </button>
                ) : (
                  <span>{col.header}</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
      <div className="vtable-body" ref={scrollRef}>
        {rows.length === 0 ? (
          <div className="vtable-empty">{empty}</div>
        ) : (
          <div role="rowgroup" className="vtable-canvas" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index] as T;
              const attributes = rowAttributes?.(row);
              return (
                <div
                  key={item.key}
                  role="row"
                  aria-rowindex={item.index + 2}
                  {...attributes}
                  className={`vtable-row${onRowClick ? ' clickable' : ''}${item.index % 2 ? ' odd' : ''}`}
                  style={{ ...grid, height: item.size, transform: `translateY(${item.start}px)` }}
                  onClick={onRowClick ? () => onRowClick(row) : undefined}
                  data-row-index={item.index}
                  tabIndex={onRowClick ? (item.index === active ? 0 : -1) : undefined}
                  onKeyDown={onRowClick ? (e) => onRowKeyDown(e, item.index, row) : undefined}
                  // A click or Tab into the row's link makes it the row Tab comes back to.
                  onFocus={onRowClick ? () => setActiveIndex(item.index) : undefined}
                >
                  {columns.map((col) => (
                    <div
                      key={col.id}
                      role="cell"
                      className={`vtable-cell${col.align === 'end' ? ' align-end' : ''}`}
                    >
                      {col.render(row)}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
