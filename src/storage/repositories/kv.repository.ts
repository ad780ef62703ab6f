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

/**
 * Take (or renew) a lease: `key` is set to `holder` when it is free, already `holder`'s, or its
 * holder last wrote it before `now - ttlMs` (crashed). One conditional upsert, so two instances
 * asking at once agree on one winner. True when `holder` has it.
 */
export async function takeLease(
  q: Q,
  key: string,
  holder: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  const value = JSON.stringify(holder);
  await q
    .insertInto('kv')
    .values({ key, value, updated_at: now })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ value, updated_at: now })
        .where((eb) => eb.or([eb('kv.value', '=', value), eb('kv.updated_at', '<', now - ttlMs)])),
    )
    .execute();
  return (await getKv<string>(q, key)) === holder;
}

/** Give a lease up (only if `holder` still has it). */
export async function releaseLease(q: Q, key: string, holder: string): Promise<void> {
  await q
    .deleteFrom('kv')
    .where('key', '=', key)
    .where('value', '=', JSON.stringify(holder))
    .execute();
}
