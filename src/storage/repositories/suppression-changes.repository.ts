import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * Change counters for the suppression list, so that in-memory indexes (one per instance) notice
 * changes made by any instance with one primary-key read. `writes` counts every change;
 * `deletes` only removals, which an index cannot replay from `updated_at` and rebuilds for.
 *
 * Every transaction that writes suppressions calls markSuppressionsChanged() as its LAST
 * statement: the counter row is a hot row on PostgreSQL, and taking its lock only right before
 * commit means its holder never waits on another lock (no deadlocks) and holds it briefly.
 */
const WRITES_KEY = 'suppressions.writes';
const DELETES_KEY = 'suppressions.deletes';

export interface SuppressionVersion {
  writes: number;
  deletes: number;
}

async function bump(q: Q, key: string): Promise<void> {
  const now = Date.now();
  await q
    .insertInto('kv')
    .values({ key, value: '1', updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        value: sql<string>`cast(cast(kv.value as bigint) + 1 as text)`,
        updated_at: now,
      }),
    )
    .execute();
}

export async function markSuppressionsChanged(q: Q, change: { deleted: boolean }): Promise<void> {
  await bump(q, WRITES_KEY);
  if (change.deleted) await bump(q, DELETES_KEY);
}

export async function readSuppressionVersion(q: Q): Promise<SuppressionVersion> {
  const rows = await q
    .selectFrom('kv')
    .select(['key', 'value'])
    .where('key', 'in', [WRITES_KEY, DELETES_KEY])
    .execute();
  const get = (k: string): number => Number(rows.find((r) => r.key === k)?.value ?? 0);
  return { writes: get(WRITES_KEY), deletes: get(DELETES_KEY) };
}
