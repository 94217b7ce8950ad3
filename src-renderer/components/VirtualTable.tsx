/**
 * A virtualized, sortable table (ARIA table semantics on CSS grid rows). Only the rows in view
 * (plus overscan) exist in the DOM, so 10,000 agents scroll as smoothly as 10.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type HTMLAttributes, type ReactNode } from 'react';
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
