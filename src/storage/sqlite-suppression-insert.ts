import type SQLite from 'better-sqlite3';
import type { NewSuppressionRow } from './schema.js';

/** Columns of a new suppression, in insert order. */
const COLUMNS = [
  'id', 'channel', 'address', 'scope', 'reason', 'source', 'first_event_at', 'last_event_at',
  'expires_at', 'soft_count', 'soft_failures', 'metadata', 'created_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof NewSuppressionRow>;

/**
 * Bulk loads on SQLite: one prepared single-row `INSERT … ON CONFLICT DO NOTHING`, run for every
 * row. Cheaper than multi-row statements, which differ in size per batch and are compiled (by
 * Kysely and by SQLite) each time. Runs on the connection's open transaction: the caller holds
 * a Kysely transaction, which on SQLite is that same connection.
 * Returns, per row, whether it was inserted (false: a row with its key exists).
 */
export function sqliteSuppressionInserter(db: SQLite.Database): (rows: readonly NewSuppressionRow[]) => boolean[] {
  let insert: SQLite.Statement | null = null;
  return (rows) => {
    if (!db.inTransaction) throw new Error('the bulk suppression insert must run inside a transaction');
    // Prepared on first use: the table exists only once migrations have run.
    insert ??= db.prepare(
      `insert into suppressions (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')}) on conflict (channel, address, scope) do nothing`,
    );
    const out = new Array<boolean>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = insert.run(r.id, r.channel, r.address, r.scope, r.reason, r.source, r.first_event_at, r.last_event_at, r.expires_at ?? null,
        r.soft_count ?? 0, r.soft_failures ?? '[]', r.metadata ?? '{}', r.created_at, r.updated_at).changes === 1;
    }
    return out;
  };
}
