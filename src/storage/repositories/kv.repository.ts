import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

/** Small named JSON documents (alert state, schema-less settings), upserted by key. */
export async function getKv<T>(q: Q, key: string): Promise<T | null> {
  const row = await q.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : null;
}

export async function putKv(q: Q, key: string, value: unknown, now: number): Promise<void> {
  const json = JSON.stringify(value);
  await q
    .insertInto('kv')
    .values({ key, value: json, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now }))
    .execute();
}
