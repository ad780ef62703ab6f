import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

const CHUNK = 500;

/**
 * Hashed mode keeps no raw request once it is applied: body, headers, parameters and query go
 * (the URL keeps its path without the last segment, which may be a token naming the recipient).
 * Dead deliveries keep their bytes until replayed: they are the only copy of what failed.
 */
export async function redactDeliveries(q: Q, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK)
    await q
      .updateTable('deliveries')
      .set({ body: Buffer.alloc(0), headers: '{}', params: '{}', url: '(redacted)' })
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .where('status', 'in', ['done', 'ignored'])
      .execute();
}

/** Ids of applied deliveries that still hold their raw request (for `bouncer privacy migrate`). */
export async function unredactedDeliveryIds(q: Q, limit: number): Promise<string[]> {
  const rows = await q
    .selectFrom('deliveries')
    .select('id')
    .where('status', 'in', ['done', 'ignored'])
    .where('url', '!=', '(redacted)')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Distinct plain (not yet hashed) addresses in suppressions, events and audit entries. */
export async function plainAddresses(
  q: Q,
  limit: number,
): Promise<Array<{ channel: string; address: string }>> {
  const fromSuppressions = await q
    .selectFrom('suppressions')
    .select(['channel', 'address'])
    .distinct()
    .where('address', 'not like', 'hmac:%')
    .limit(limit)
    .execute();
  if (fromSuppressions.length > 0) return fromSuppressions;
  const fromEvents = await q
    .selectFrom('events')
    .select(['channel', 'address'])
    .distinct()
    .where('address', 'not like', 'hmac:%')
    .limit(limit)
    .execute();
  if (fromEvents.length > 0) return fromEvents;
  const fromAudit = await q
    .selectFrom('audit_log')
    .select(['channel', 'address'])
    .distinct()
    .where('address', 'is not', null)
    .where('channel', 'is not', null)
    .where('address', 'not like', 'hmac:%')
    .limit(limit)
    .execute();
  return fromAudit.map((r) => ({ channel: r.channel!, address: r.address! }));
}

/** Events of one plain address, for rewriting in memory (diagnostic and details redacted). */
export async function eventsOf(
  q: Q,
  channel: string,
  address: string,
): Promise<Array<{ id: string; diagnostic: string | null; details: string }>> {
  return q
    .selectFrom('events')
    .select(['id', 'diagnostic', 'details'])
    .where('channel', '=', channel)
    .where('address', '=', address)
    .execute();
}

export async function rewriteEvent(
  q: Q,
  id: string,
  values: { address: string; diagnostic: string | null; details: string },
): Promise<void> {
  await q.updateTable('events').set(values).where('id', '=', id).execute();
}

/** Audit entries of one address name its hash; copies of rows and notes that may name it go. */
export async function hashAudit(q: Q, address: string, keyed: string): Promise<void> {
  await q
    .updateTable('audit_log')
    .set({ address: keyed, before: null, after: null })
    .where('address', '=', address)
    .execute();
}

/** Move one suppression row under the keyed hash (metadata already redacted by the caller). */
export async function rehashSuppression(
  q: Q,
  id: string,
  keyed: string,
  metadata: string,
  now: number,
): Promise<void> {
  await q
    .updateTable('suppressions')
    .set({ address: keyed, metadata, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function deleteSuppressionById(q: Q, id: string): Promise<void> {
  await q.deleteFrom('suppressions').where('id', '=', id).execute();
}

/** Delete up to `limit` events that happened before `before` (BOUNCER_EVENT_RETENTION_DAYS). */
export async function pruneEvents(q: Q, before: number, limit: number): Promise<number> {
  const ids = await q
    .selectFrom('events')
    .select('id')
    .where('occurred_at', '<', before)
    .limit(limit)
    .execute();
  let n = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const res = await q
      .deleteFrom('events')
      .where(
        'id',
        'in',
        ids.slice(i, i + CHUNK).map((r) => r.id),
      )
      .executeTakeFirst();
    n += Number(res.numDeletedRows);
  }
  return n;
}
