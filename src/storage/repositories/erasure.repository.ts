import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

/** Rows read per page while scanning raw deliveries for an address. */
const SCAN_PAGE_ROWS = 500;

/** `%text%` for LIKE … ESCAPE '\' (addresses often hold `_`). */
function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function mentions(column: string, text: string) {
  return sql<boolean>`lower(${sql.ref(column)}) like ${containing(text)} escape '\\'`;
}

/** Events about the subject, and the raw deliveries they came from. */
export async function deleteSubjectEvents(
  q: Q,
  channel: string,
  address: string,
): Promise<{ events: number; deliveryIds: string[] }> {
  const linked = await q
    .selectFrom('events')
    .select('delivery_id')
    .distinct()
    .where('channel', '=', channel)
    .where('address', '=', address)
    .where('delivery_id', 'is not', null)
    .execute();
  const res = await q
    .deleteFrom('events')
    .where('channel', '=', channel)
    .where('address', '=', address)
    .executeTakeFirst();
  return {
    events: Number(res.numDeletedRows),
    deliveryIds: linked.map((r) => r.delivery_id!).filter((id) => id !== null),
  };
}

/** Other people's events whose diagnostic or details name the subject: those parts are cleared. */
export async function scrubEventMentions(q: Q, address: string): Promise<number> {
  const res = await q
    .updateTable('events')
    .set({ diagnostic: null, details: '{"erased":true}' })
    .where((eb) => eb.or([mentions('diagnostic', address), mentions('details', address)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function deleteDeliveries(q: Q, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += SCAN_PAGE_ROWS) {
    const chunk = ids.slice(i, i + SCAN_PAGE_ROWS);
    // Mailbox bookkeeping points at deliveries; keep the row (it stops a re-import) without it.
    await q
      .updateTable('mailbox_messages')
      .set({ delivery_id: null })
      .where('delivery_id', 'in', chunk)
      .execute();
    const res = await q.deleteFrom('deliveries').where('id', 'in', chunk).executeTakeFirst();
    n += Number(res.numDeletedRows);
  }
  return n;
}

/**
 * Ids of raw deliveries whose bytes or stored request parts name the address (any case). Read in
 * pages in id order, compared in memory: raw bodies are bytes, and one portable scan beats two
 * engine-specific byte searches for an operation this rare.
 */
export async function deliveriesMentioning(q: Q, address: string): Promise<string[]> {
  const needle = address.toLowerCase();
  const found: string[] = [];
  let after = '';
  for (;;) {
    const rows = await q
      .selectFrom('deliveries')
      .select(['id', 'body', 'url', 'params', 'headers', 'last_error'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(SCAN_PAGE_ROWS)
      .execute();
    for (const r of rows) {
      const text = [
        Buffer.from(r.body).toString('latin1'),
        Buffer.from(r.body).toString('utf8'),
        r.url,
        r.params,
        r.headers,
        r.last_error ?? '',
      ]
        .join('\n')
        .toLowerCase();
      if (text.includes(needle)) found.push(r.id);
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < SCAN_PAGE_ROWS) return found;
    after = last.id;
  }
}

/**
 * The subject's suppressions keep only the keyed hash: the address is replaced and metadata that
 * could name it (diagnostics, notes) is dropped. When a hashed row already holds the scope (an
 * earlier erasure), the plain row goes and the hashed one stays.
 */
export async function hashSubjectSuppressions(
  q: Q,
  channel: string,
  address: string,
  keyed: string,
  now: number,
): Promise<number> {
  const rows = await q
    .selectFrom('suppressions')
    .select(['id', 'scope'])
    .where('channel', '=', channel)
    .where('address', '=', address)
    .execute();
  const hashedScopes = new Set(
    (
      await q
        .selectFrom('suppressions')
        .select('scope')
        .where('channel', '=', channel)
        .where('address', '=', keyed)
        .execute()
    ).map((r) => r.scope),
  );
  for (const r of rows) {
    if (hashedScopes.has(r.scope))
      await q.deleteFrom('suppressions').where('id', '=', r.id).execute();
    else
      await q
        .updateTable('suppressions')
        .set({ address: keyed, metadata: '{"erased":true}', updated_at: now })
        .where('id', '=', r.id)
        .execute();
  }
  await q
    .updateTable('suppressions')
    .set({ metadata: '{"erased":true}', updated_at: now })
    .where(mentions('metadata', address))
    .execute();
  return rows.length;
}

/** Audit entries about the subject name the hash instead; before/after/notes naming it are dropped. */
export async function hashSubjectAudit(q: Q, address: string, keyed: string): Promise<number> {
  const res = await q
    .updateTable('audit_log')
    .set({ address: keyed, before: null, after: null, note: null })
    .where('address', '=', address)
    .executeTakeFirst();
  await q
    .updateTable('audit_log')
    .set({ before: null, after: null, note: null })
    .where((eb) =>
      eb.or([mentions('before', address), mentions('after', address), mentions('note', address)]),
    )
    .execute();
  return Number(res.numUpdatedRows);
}
