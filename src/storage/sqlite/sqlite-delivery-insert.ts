import type { SqliteHandle } from './sqlite-handle.js';
import type { NewDeliveryRow } from '../schema.js';

/** Columns of a new delivery, in insert order (the others keep their defaults). */
export const DELIVERY_INSERT_COLUMNS = [
  'id',
  'provider',
  'endpoint',
  'received_at',
  'url',
  'params',
  'headers',
  'body',
  'status',
  'attempts',
  'run_at',
  'last_error',
  'outcome',
  'processed_at',
] as const satisfies ReadonlyArray<keyof NewDeliveryRow>;

/** One prepared INSERT, run for every row of a batch inside one transaction. */
export function sqliteDeliveryInserter(db: SqliteHandle): (rows: readonly unknown[][]) => void {
  const insert = db.prepare(
    `insert into deliveries (${DELIVERY_INSERT_COLUMNS.join(', ')}) values (${DELIVERY_INSERT_COLUMNS.map(() => '?').join(', ')})`,
  );
  return db.transaction((rows: readonly unknown[][]) => {
    for (const row of rows) insert.run(row);
  });
}
