import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export interface Completion {
  id: string;
  status: 'done' | 'ignored' | 'dead';
  outcome: string;
  error?: string | null;
}

/**
 * Mark claimed deliveries finished, only while this worker still holds them. Deliveries with the
 * same outcome (most of a batch: "1 event(s)") share one UPDATE … WHERE id IN (…).
 */
export async function completeDeliveries(
  q: Q,
  workerId: string,
  items: readonly Completion[],
  now: number,
): Promise<void> {
  const groups = new Map<string, { item: Completion; ids: string[] }>();
  for (const item of items) {
    const key = JSON.stringify([item.status, item.outcome, item.error ?? null]);
    const group = groups.get(key);
    if (group) group.ids.push(item.id);
    else groups.set(key, { item, ids: [item.id] });
  }
  for (const { item, ids } of groups.values()) {
    for (let i = 0; i < ids.length; i += 500) {
      await q
        .updateTable('deliveries')
        .set({
          status: item.status,
          outcome: item.outcome,
          last_error: item.error ?? null,
          processed_at: now,
          locked_by: null,
          locked_until: null,
        })
        .where('id', 'in', ids.slice(i, i + 500))
        .where('locked_by', '=', workerId)
        .execute();
    }
  }
}

/** Schedule another attempt at `runAt`, keeping the error. */
export async function retryDelivery(
  q: Q,
  workerId: string,
  id: string,
  error: string,
  runAt: number,
): Promise<void> {
  await q
    .updateTable('deliveries')
    .set({
      status: 'pending',
      last_error: error,
      run_at: runAt,
      locked_by: null,
      locked_until: null,
    })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** Raw deliveries past retention are removed; events stay. Dead ones stay until dealt with. */
export async function pruneDeliveries(q: Q, before: number, limit: number): Promise<number> {
  const ids = await q
    .selectFrom('deliveries')
    .select('id')
    .where('received_at', '<', before)
    .where('status', 'in', ['done', 'ignored'])
    .limit(limit)
    .execute();
  if (ids.length === 0) return 0;
  const res = await q
    .deleteFrom('deliveries')
    .where(
      'id',
      'in',
      ids.map((r) => r.id),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
