import type { Kysely, Transaction } from 'kysely';
import type { Database, EventRow, NewEventRow } from '../schema.js';
import type { PreparedInsert } from '../sqlite/sqlite-prepared-insert.js';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * Append events; the unique (provider, dedup_key) makes a second copy of an event a no-op.
 * Returns the dedup keys that were new. `prepared`: SQLite's prepared single-row insert (Db),
 * run on the caller's transaction instead of multi-row statements.
 */
export async function insertEvents(
  q: Q,
  rows: readonly NewEventRow[],
  prepared?: PreparedInsert<NewEventRow> | null,
): Promise<Set<string>> {
  const inserted = new Set<string>();
  if (prepared) {
    const done = prepared(rows);
    rows.forEach((r, i) => done[i] && inserted.add(`${r.provider}\u0000${r.dedup_key}`));
    return inserted;
  }
  for (let i = 0; i < rows.length; i += 400) {
    const res = await q
      .insertInto('events')
      .values(rows.slice(i, i + 400))
      .onConflict((oc) => oc.columns(['provider', 'dedup_key']).doNothing())
      .returning(['provider', 'dedup_key'])
      .execute();
    for (const r of res) inserted.add(`${r.provider}\u0000${r.dedup_key}`);
  }
  return inserted;
}

export async function listForAddress(
  q: Q,
  channel: string,
  address: string,
  limit: number,
  before: { occurredAt: number; id: string } | null,
): Promise<EventRow[]> {
  let query = q
    .selectFrom('events')
    .selectAll()
    .where('channel', '=', channel)
    .where('address', '=', address);
  if (before) {
    query = query.where((eb) =>
      eb.or([
        eb('occurred_at', '<', before.occurredAt),
        eb.and([eb('occurred_at', '=', before.occurredAt), eb('id', '<', before.id)]),
      ]),
    );
  }
  return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** A message's events, oldest first, through the provider_message_id index. */
export async function listForMessage(
  q: Q,
  providerMessageId: string,
  limit: number,
): Promise<EventRow[]> {
  return q
    .selectFrom('events')
    .selectAll()
    .where('provider_message_id', '=', providerMessageId)
    .orderBy('occurred_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}
