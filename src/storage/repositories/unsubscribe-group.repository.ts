import type { Kysely, Transaction } from 'kysely';
import type { Database, UnsubscribeGroupRow } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export async function listGroups(q: Q): Promise<UnsubscribeGroupRow[]> {
  const rows = await q
    .selectFrom('unsubscribe_groups')
    .selectAll()
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(numeric);
}

export async function findGroup(q: Q, id: string): Promise<UnsubscribeGroupRow | null> {
  const row = await q
    .selectFrom('unsubscribe_groups')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? numeric(row) : null;
}

/** Insert; false when the id is taken (the primary key decides, no select first). */
export async function insertGroup(q: Q, row: UnsubscribeGroupRow): Promise<boolean> {
  const r = await q
    .insertInto('unsubscribe_groups')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function updateGroup(
  q: Q,
  id: string,
  patch: Partial<Pick<UnsubscribeGroupRow, 'name' | 'description'>>,
  now: number,
): Promise<boolean> {
  const r = await q
    .updateTable('unsubscribe_groups')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteGroup(q: Q, id: string): Promise<boolean> {
  const r = await q.deleteFrom('unsubscribe_groups').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

function numeric(r: UnsubscribeGroupRow): UnsubscribeGroupRow {
  return { ...r, created_at: Number(r.created_at), updated_at: Number(r.updated_at) };
}
