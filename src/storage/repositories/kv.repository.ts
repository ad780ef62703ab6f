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

/**
 * Store `value` under `key` unless the key is taken; either way the value that is stored now
 * (unique key: two claims at once agree on one winner).
 */
export async function claimKv(q: Q, key: string, value: string, now: number): Promise<string> {
  await q
    .insertInto('kv')
    .values({ key, value: JSON.stringify(value), updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await getKv<string>(q, key)) ?? value;
}

/** Delete keys starting with `prefix` last written before `before` (epoch ms). */
export async function pruneKv(q: Q, prefix: string, before: number): Promise<number> {
  const res = await q
    .deleteFrom('kv')
    .where('key', 'like', `${prefix}%`)
    .where('updated_at', '<', before)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
