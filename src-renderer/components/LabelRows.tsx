/** Editable key=value rows (label filters, profile selectors). */
import { useTranslation } from 'react-i18next';

export interface LabelRow {
  key: string;
  value: string;
}

export function rowsToLabels(rows: LabelRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) if (r.key.trim()) out[r.key.trim()] = r.value;
  return out;
}

export function labelsToRows(labels: Record<string, string>): LabelRow[] {
  return Object.entries(labels).map(([key, value]) => ({ key, value }));
}

export function LabelRows({
  rows,
  onChange,
  testId,
}: {
  rows: LabelRow[];
  onChange: (rows: LabelRow[]) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="rows" data-testid={testId}>
      {rows.map((r, i) => (
        <div className="row-edit row-kv" key={i}>
          <input
            className="input"
            aria-label={t('bulk.labelKey', { n: i + 1 })}
            value={r.key}
            placeholder={t('editor.keyPlaceholder')}
            data-testid="label-key"
            onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}
          />
          <span aria-hidden="true">=</span>
          <input
            className="input"
            aria-label={t('bulk.labelValue', { n: i + 1 })}
            value={r.value}
            placeholder={t('editor.valuePlaceholder')}
            data-testid="label-value"
            onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
          />
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={t('bulk.removeLabel', { n: i + 1 })}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn-small"
        data-testid="label-add"
        onClick={() => onChange([...rows, { key: '', value: '' }])}
      >
        {t('bulk.addLabel')}
      </button>
    </div>
  );
}
