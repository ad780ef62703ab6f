import type { SqliteHandle, SqliteStatement } from './sqlite-handle.js';
import type { NewEventRow, NewSuppressionRow } from '../schema.js';

/** Columns of a new suppression, in insert order, with the defaults of the optional ones. */
const SUPPRESSION_COLUMNS = [
  'id',
  'channel',
  'address',
  'scope',
  'reason',
  'source',
  'first_event_at',
  'last_event_at',
  'expires_at',
  'soft_count',
  'soft_failures',
  'metadata',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof NewSuppressionRow>;
const SUPPRESSION_DEFAULTS: Partial<Record<keyof NewSuppressionRow, unknown>> = {
  soft_count: 0,
  soft_failures: '[]',
  metadata: '{}',
};

const EVENT_COLUMNS = [
  'id',
  'provider',
  'dedup_key',
  'type',
  'channel',
  'address',
  'scope',
  'severity',
  'reason',
  'fine_reason',
  'smtp_code',
  'enhanced_status',
  'diagnostic',
  'error_code',
  'provider_message_id',
  'campaign',
  'occurred_at',
  'received_at',
  'delivery_id',
  'details',
] as const satisfies ReadonlyArray<keyof NewEventRow>;

// Every column of each table is listed (a column added to the schema and not here fails to compile).
const everySuppressionColumn: [
  Exclude<keyof NewSuppressionRow, (typeof SUPPRESSION_COLUMNS)[number]>,
] extends [never]
  ? true
  : never = true;
const everyEventColumn: [Exclude<keyof NewEventRow, (typeof EVENT_COLUMNS)[number]>] extends [never]
  ? true
  : never = true;
void everySuppressionColumn;
void everyEventColumn;

/** Inserts rows on the open transaction; per row, whether it was new. */
export type PreparedInsert<Row> = (rows: readonly Row[]) => boolean[];

/**
 * Bulk inserts on SQLite: one prepared single-row `INSERT … ON CONFLICT DO NOTHING`, run for every
 * row. Cheaper than multi-row statements, which differ in size per batch and are compiled (by
 * Kysely and by SQLite) each time. Runs on the connection's open transaction: the caller holds
 * a Kysely transaction, which on SQLite is that same connection.
 * The inserter returns, per row, whether it was inserted (false: a row with its key exists).
 */
function preparedInserter<Row extends object>(
  db: SqliteHandle,
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
  conflict: string,
  defaults: Partial<Record<keyof Row, unknown>> = {},
): PreparedInsert<Row> {
  let insert: SqliteStatement | null = null;
  return (rows) => {
    if (!db.inTransaction)
      throw new Error(`the bulk ${table} insert must run inside a transaction`);
    // Prepared on first use: the table exists only once migrations have run.
    insert ??= db.prepare(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) on conflict (${conflict}) do nothing`,
    );
    const out = new Array<boolean>(rows.length);
    const values = new Array<unknown>(columns.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Record<string, unknown>;
      for (let c = 0; c < columns.length; c++)
        values[c] = row[columns[c]!] ?? defaults[columns[c]!] ?? null;
      out[i] = insert.run(values).changes === 1;
    }
    return out;
  };
}

export const sqliteSuppressionInserter = (db: SqliteHandle): PreparedInsert<NewSuppressionRow> =>
  preparedInserter<NewSuppressionRow>(
    db,
    'suppressions',
    SUPPRESSION_COLUMNS,
    'channel, address, scope',
    SUPPRESSION_DEFAULTS,
  );

export const sqliteEventInserter = (db: SqliteHandle): PreparedInsert<NewEventRow> =>
  preparedInserter<NewEventRow>(db, 'events', EVENT_COLUMNS, 'provider, dedup_key');
