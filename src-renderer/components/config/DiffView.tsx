/**
 * A flat diff (JSON pointer → [before, after], as produced by jsonDiff and stored in the audit log)
 * as a table: what changed, was and becomes. `null` means "absent".
 */
import { useTranslation } from 'react-i18next';

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

export function DiffView({
  diff,
  testId = 'diff',
  caption,
}: {
  diff: Record<string, [unknown, unknown]>;
  testId?: string;
  caption?: string;
}) {
  const { t } = useTranslation();
  const rows = Object.entries(diff).sort(([a], [b]) => a.localeCompare(b));
  if (rows.length === 0) {
    return (
      <p className="muted" data-testid={`${testId}-empty`}>
        {t('diff.none')}
      </p>
    );
  }
  return (
    <table className="simple-table diff-table" data-testid={testId}>
      {caption && <caption className="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">{t('diff.path')}</th>
          <th scope="col">{t('diff.before')}</th>
          <th scope="col">{t('diff.after')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([path, [before, after]]) => {
          const kind = before === null ? 'added' : after === null ? 'removed' : 'changed';
          return (
            <tr
              key={path}
              className={`diff-${kind}`}
              data-testid="diff-row"
              data-path={path}
              data-kind={kind}
            >
              <td className="mono">{path || '/'}</td>
              <td className="mono diff-before">
                {before === null ? <span className="muted">{t('diff.absent')}</span> : show(before)}
              </td>
              <td className="mono diff-after">
                {after === null ? <span className="muted">{t('diff.absent')}</span> : show(after)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
