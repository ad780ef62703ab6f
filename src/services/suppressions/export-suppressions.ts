import type { Clock } from '../../core/clock.js';
import { csvCell, type RecordFormat } from '../../core/records.js';
import type { Db } from '../../storage/database.js';
import { list, type ListFilters } from '../../storage/repositories/suppression.repository.js';
import { rowToEntry, type SuppressionEntry } from './suppressions.js';

const EXPORT_PAGE_ROWS = 5_000;

/** CSV columns of an export; `bouncer import` reads them back (address, scope, reason, source, since, until). */
export const EXPORT_CSV_COLUMNS = [
  'address',
  'channel',
  'scope',
  'reason',
  'source',
  'since',
  'until',
  'last_event_at',
  'soft_count',
] as const;

function csvLine(e: SuppressionEntry): string {
  return EXPORT_CSV_COLUMNS.map((c) => {
    const v = e[c];
    return v === null ? '' : csvCell(String(v));
  }).join(',');
}

/** The whole suppression list (or the part the filters select), newest first, streamed page by page. */
export async function* exportSuppressions(
  deps: { db: Db; clock: Clock },
  filters: ListFilters,
  format: RecordFormat,
): AsyncGenerator<string> {
  if (format === 'csv') yield `${EXPORT_CSV_COLUMNS.join(',')}\n`;
  const now = deps.clock.now();
  let after: { createdAt: number; id: string } | null = null;
  for (;;) {
    const rows = await list(deps.db.kysely, filters, EXPORT_PAGE_ROWS, after);
    if (rows.length === 0) return;
    let out = '';
    for (const r of rows) {
      const e = rowToEntry(r, now);
      out += `${format === 'csv' ? csvLine(e) : JSON.stringify(e)}\n`;
    }
    yield out;
    if (rows.length < EXPORT_PAGE_ROWS) return;
    const last = rows[rows.length - 1]!;
    after = { createdAt: Number(last.created_at), id: last.id };
  }
}
