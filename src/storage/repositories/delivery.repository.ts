import type { Kysely, Transaction } from 'kysely';
import type { Database, DeliveryRow, NewDeliveryRow } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export const DELIVERY_STATUSES = ['pending', 'processing', 'done', 'ignored', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export async function insertDeliveries(q: Q, rows: readonly NewDeliveryRow[]): Promise<void> {
  // 16 columns: stay far below SQLite's parameter limit.
  for (let i = 0; i < rows.length; i += 500)
    await q
      .insertInto('deliveries')
      .values(rows.slice(i, i + 500))
      .execute();
}

export async function getDelivery(q: Q, id: string): Promise<DeliveryRow | undefined> {
  return q.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface DeliveryFilters {
  status?: DeliveryStatus | undefined;
  provider?: string | undefined;
  since?: number | undefined;
}

export type DeliverySummaryRow = Omit<DeliveryRow, 'body' | 'headers' | 'params'>;

/** Newest first, without the bodies. */
export async function listDeliveries(
  q: Q,
  filters: DeliveryFilters,
  limit: number,
  beforeId: string | null,
): Promise<DeliverySummaryRow[]> {
  let query = q
    .selectFrom('deliveries')
    .select([
      'id',
      'provider',
      'endpoint',
      'received_at',
      'url',
      'status',
      'attempts',
      'run_at',
      'locked_by',
      'locked_until',
      'last_error',
      'outcome',
      'processed_at',
    ]);
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.provider) query = query.where('provider', '=', filters.provider);
  if (filters.since !== undefined) query = query.where('received_at', '>=', filters.since);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** Put deliveries back in the queue, attempts reset. Returns how many were re-queued. */
export async function requeue(q: Q, ids: readonly string[], now: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const res = await q
      .updateTable('deliveries')
      .set({ status: 'pending', attempts: 0, run_at: now, locked_by: null, locked_until: null })
      .where('id', 'in', ids.slice(i, i + 500))
      .where('status', '!=', 'processing')
      .executeTakeFirst();
    n += Number(res.numUpdatedRows);
  }
  return n;
}

export async function countByStatus(q: Q): Promise<Record<string, number>> {
  const rows = await q
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Receipt time of the oldest delivery still waiting, or null when the queue is empty. */
export async function oldestPending(q: Q): Promise<number | null> {
  const row = await q
    .selectFrom('deliveries')
    .select((eb) => eb.fn.min<number>('received_at').as('t'))
    .where('status', 'in', ['pending', 'processing'])
    .executeTakeFirst();
  return row?.t === null || row?.t === undefined ? null : Number(row.t);
}
