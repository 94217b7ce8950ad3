/** Audit log export: CSV (RFC 4180, one row per entry) or JSON, as a file the console offers to save. */
import type { AuditEntry } from '../../../src-shared';

const COLUMNS = ['id', 'at', 'user', 'action', 'agentIds', 'summary', 'outcome', 'diff'] as const;

function csvCell(value: string): string {
  // Quote everything that needs it; neutralize spreadsheet formulas (=, +, -, @) in user-controlled text.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function exportAudit(
  entries: AuditEntry[],
  format: 'csv' | 'json',
): { filename: string; mimeType: string; content: string } {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (format === 'json') {
    return {
      filename: `audit-${stamp}.json`,
      mimeType: 'application/json',
      content: JSON.stringify(entries, null, 2),
    };
  }
  const rows = entries.map((e) =>
    [
      e.id,
      new Date(e.at).toISOString(),
      e.user,
      e.action,
      e.agentIds.join(' '),
      e.summary,
      e.outcome ?? '',
      e.diff ? JSON.stringify(e.diff) : '',
    ]
      .map(csvCell)
      .join(','),
  );
  return {
    filename: `audit-${stamp}.csv`,
    mimeType: 'text/csv',
    content: [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n',
  };
}
