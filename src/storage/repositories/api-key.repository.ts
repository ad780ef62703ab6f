import type { Insertable, Kysely, Transaction } from 'kysely';
import type { ApiKeyRow, ApiKeysTable, Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export async function insertApiKey(q: Q, row: Insertable<ApiKeysTable>): Promise<void> {
  await q.insertInto('api_keys').values(row).execute();
}

export async function findApiKeyByHash(q: Q, keyHash: string): Promise<ApiKeyRow | undefined> {
  return q.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function listApiKeys(q: Q): Promise<ApiKeyRow[]> {
  return q.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
}

/** Whether any key that has not been revoked exists (one indexed row at most). */
export async function hasActiveApiKey(q: Q): Promise<boolean> {
  const row = await q
    .selectFrom('api_keys')
    .select('id')
    .where('revoked_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function revokeApiKey(q: Q, id: string, now: number): Promise<boolean> {
  const res = await q
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function touchApiKey(q: Q, id: string, now: number): Promise<void> {
  await q.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}
