import { sql, type Kysely } from 'kysely';
import type { Capabilities } from '../database.js';
import type { Database, DeliveryRow } from '../schema.js';

/**
 * Claim up to `limit` due deliveries for `workerId` until `now + leaseMs`. On PostgreSQL the
 * inner select uses FOR UPDATE SKIP LOCKED, so concurrent instances never claim the same row;
 * on SQLite the single writer makes the plain UPDATE … RETURNING safe.
 */
export async function claimDeliveries(
  db: Kysely<Database>,
  caps: Capabilities,
  workerId: string,
  limit: number,
  now: number,
  leaseMs: number,
): Promise<DeliveryRow[]> {
  const lockClause = caps.rowLocks ? sql`for update skip locked` : sql``;
  const result = await sql<DeliveryRow>`
    update deliveries
       set status = 'processing', locked_by = ${workerId}, locked_until = ${now + leaseMs}, attempts = attempts + 1
     where id in (
       select id from deliveries
        where status = 'pending' and run_at <= ${now}
        order by run_at, id
        limit ${limit}
        ${lockClause})
    returning *`.execute(db);
  return result.rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Work claimed by an instance that died: its lease ran out, so it goes back in the queue. */
export async function reclaimExpired(db: Kysely<Database>, now: number): Promise<number> {
  const res = await db
    .updateTable('deliveries')
    .set({ status: 'pending', locked_by: null, locked_until: null, run_at: now })
    .where('status', '=', 'processing')
    .where('locked_until', '<', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Give back everything `workerId` still holds (it is between batches, so it is working on none
 * of it): after the database came back from an outage that stopped the worker from recording
 * how its batch ended, the work is retried now rather than when the lease runs out.
 */
export async function releaseClaims(
  db: Kysely<Database>,
  workerId: string,
  now: number,
): Promise<number> {
  const res = await db
    .updateTable('deliveries')
    .set({ status: 'pending', locked_by: null, locked_until: null, run_at: now })
    .where('status', '=', 'processing')
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
