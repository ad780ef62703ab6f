import { sql, type Kysely, type Transaction } from 'kysely';
import type { Capabilities } from '../database.js';
import type { Database, NewSuppressionRow, SuppressionRow } from '../schema.js';
import type { PreparedInsert } from '../sqlite/sqlite-prepared-insert.js';

type Q = Kysely<Database> | Transaction<Database>;

export interface SuppressionKey {
  channel: string;
  address: string;
  scope: string;
}

const keyOf = (k: SuppressionKey): string => `${k.channel}\u0000${k.address}\u0000${k.scope}`;
export { keyOf as suppressionKeyString };

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Rows for these keys. With `lock`, PostgreSQL locks them (`FOR UPDATE`) for the rest of the
 * transaction so two instances never compute from the same stale row.
 */
export async function findByKeys(
  q: Q,
  caps: Capabilities,
  keys: readonly SuppressionKey[],
  lock: boolean,
): Promise<Map<string, SuppressionRow>> {
  const out = new Map<string, SuppressionRow>();
  const byChannel = new Map<string, string[]>();
  for (const k of keys) {
    const list = byChannel.get(k.channel);
    if (list) list.push(k.address);
    else byChannel.set(k.channel, [k.address]);
  }
  const wanted = new Set(keys.map(keyOf));
  for (const [channel, addresses] of byChannel) {
    for (const part of chunk([...new Set(addresses)], caps.arrayParams ? 50_000 : 5_000)) {
      let query = q.selectFrom('suppressions').selectAll().where('channel', '=', channel);
      query = caps.arrayParams
        ? query.where(sql<boolean>`address = any(${sql.val(part)}::text[])`)
        : query.where('address', 'in', part);
      if (lock && caps.rowLocks) query = query.forUpdate();
      for (const row of await query.execute()) if (wanted.has(keyOf(row))) out.set(keyOf(row), row);
    }
  }
  return out;
}

const COLUMNS = [
  'id',
  'channel',
  'address',
  'scope',
  'reason',
  'source',
  'first_event_at',
  'last_event_at',
  'expires_at',
  'soft_count',
  'soft_failures',
  'metadata',
  'created_at',
  'updated_at',
] as const;
const COLUMN_TYPES: Record<(typeof COLUMNS)[number], string> = {
  id: 'text',
  channel: 'text',
  address: 'text',
  scope: 'text',
  reason: 'text',
  source: 'text',
  first_event_at: 'bigint',
  last_event_at: 'bigint',
  expires_at: 'bigint',
  soft_count: 'integer',
  soft_failures: 'text',
  metadata: 'text',
  created_at: 'bigint',
  updated_at: 'bigint',
};

/**
 * Rows as an insert source. With `caps` (bulk loads): one `unnest` of column arrays per
 * statement where the engine binds arrays (PostgreSQL), else as many rows per statement as the
 * parameter limit allows. Without: 500-row VALUES lists.
 */
function insertSource(q: Q, rows: readonly NewSuppressionRow[], caps: Capabilities | undefined) {
  const into = q.insertInto('suppressions');
  if (!caps?.arrayParams) return into.values(rows);
  const arrays = COLUMNS.map(
    (c) => sql`${sql.val(rows.map((r) => r[c] ?? null))}::${sql.raw(COLUMN_TYPES[c])}[]`,
  );
  return into.columns([...COLUMNS]).expression(sql`select * from unnest(${sql.join(arrays)})`);
}

const rowsPerStatement = (caps: Capabilities | undefined): number =>
  caps ? (caps.arrayParams ? 50_000 : Math.floor(caps.maxParams / COLUMNS.length)) : 500;

/**
 * Insert new rows; returns the keys that were inserted (the rest already existed). `prepared`:
 * SQLite's prepared single-row insert (Db), run on the caller's transaction instead.
 */
export async function insertNew(
  q: Q,
  rows: readonly NewSuppressionRow[],
  caps?: Capabilities,
  prepared?: PreparedInsert<NewSuppressionRow> | null,
): Promise<Set<string>> {
  const inserted = new Set<string>();
  if (prepared) {
    const done = prepared(rows);
    rows.forEach((r, i) => done[i] && inserted.add(keyOf(r)));
    return inserted;
  }
  for (const part of chunk(rows, rowsPerStatement(caps))) {
    const res = await insertSource(q, part, caps)
      .onConflict((oc) => oc.columns(['channel', 'address', 'scope']).doNothing())
      .returning(['channel', 'address', 'scope'])
      .execute();
    for (const r of res) inserted.add(keyOf(r));
  }
  return inserted;
}

/** Overwrite the policy-owned columns of existing rows (`caps`: bulk statements, as insertNew). */
export async function updateState(
  q: Q,
  rows: readonly NewSuppressionRow[],
  caps?: Capabilities,
): Promise<void> {
  for (const part of chunk(rows, rowsPerStatement(caps))) {
    await insertSource(q, part, caps)
      .onConflict((oc) =>
        oc.columns(['channel', 'address', 'scope']).doUpdateSet((eb) => ({
          reason: eb.ref('excluded.reason'),
          source: eb.ref('excluded.source'),
          first_event_at: eb.ref('excluded.first_event_at'),
          last_event_at: eb.ref('excluded.last_event_at'),
          expires_at: eb.ref('excluded.expires_at'),
          soft_count: eb.ref('excluded.soft_count'),
          soft_failures: eb.ref('excluded.soft_failures'),
          metadata: eb.ref('excluded.metadata'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

export async function deleteByKey(q: Q, key: SuppressionKey): Promise<number> {
  const res = await q
    .deleteFrom('suppressions')
    .where('channel', '=', key.channel)
    .where('address', '=', key.address)
    .where('scope', '=', key.scope)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * Active suppressions for many addresses of one channel: one indexed query per chunk
 * (an array parameter on PostgreSQL), never a query per address.
 */
export async function findActive(
  q: Q,
  caps: Capabilities,
  channel: string,
  addresses: readonly string[],
  scope: string | null,
  now: number,
): Promise<SuppressionRow[]> {
  const out: SuppressionRow[] = [];
  const size = caps.arrayParams ? 50_000 : 5_000;
  for (const part of chunk(addresses, size)) {
    let query = q.selectFrom('suppressions').selectAll().where('channel', '=', channel);
    query = caps.arrayParams
      ? query.where(sql<boolean>`address = any(${sql.val(part)}::text[])`)
      : query.where('address', 'in', part);
    query = query.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    query =
      scope === null ? query.where('scope', '=', '*') : query.where('scope', 'in', ['*', scope]);
    out.push(...(await query.execute()));
  }
  return out;
}

export async function listForAddress(
  q: Q,
  channel: string,
  address: string,
): Promise<SuppressionRow[]> {
  return q
    .selectFrom('suppressions')
    .selectAll()
    .where('channel', '=', channel)
    .where('address', '=', address)
    .orderBy('scope')
    .execute();
}

export interface ListFilters {
  channel?: string | undefined;
  reason?: string | undefined;
  source?: string | undefined;
  scope?: string | undefined;
  /** Address prefix or substring search. */
  q?: string | undefined;
  createdFrom?: number | undefined;
  createdTo?: number | undefined;
  activeAt?: number | undefined;
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function list(
  q: Q,
  filters: ListFilters,
  limit: number,
  after: { createdAt: number; id: string } | null,
): Promise<SuppressionRow[]> {
  let query = q.selectFrom('suppressions').selectAll();
  if (filters.channel) query = query.where('channel', '=', filters.channel);
  if (filters.reason) query = query.where('reason', '=', filters.reason);
  if (filters.source) query = query.where('source', '=', filters.source);
  if (filters.scope) query = query.where('scope', '=', filters.scope);
  if (filters.q)
    query = query.where('address', 'like', `%${filters.q.toLowerCase().replace(/[%_\\]/g, '')}%`);
  if (filters.createdFrom !== undefined)
    query = query.where('created_at', '>=', filters.createdFrom);
  if (filters.createdTo !== undefined) query = query.where('created_at', '<', filters.createdTo);
  if (filters.activeAt !== undefined) {
    const t = filters.activeAt;
    query = query.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', t)]));
  }
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function countByReason(
  q: Q,
  now: number,
): Promise<Array<{ reason: string; channel: string; count: number }>> {
  const rows = await q
    .selectFrom('suppressions')
    .select(['reason', 'channel', (eb) => eb.fn.countAll<number>().as('count')])
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .groupBy(['reason', 'channel'])
    .execute();
  return rows.map((r) => ({ reason: r.reason, channel: r.channel, count: Number(r.count) }));
}

/** The columns an in-memory index keeps. */
export type IndexRow = Pick<
  SuppressionRow,
  | 'id'
  | 'channel'
  | 'address'
  | 'scope'
  | 'reason'
  | 'source'
  | 'first_event_at'
  | 'expires_at'
  | 'updated_at'
>;
const INDEX_COLUMNS = [
  'id',
  'channel',
  'address',
  'scope',
  'reason',
  'source',
  'first_event_at',
  'expires_at',
  'updated_at',
] as const;

/** Every row still in force at `now`, in keyset pages of `batchRows` in id order. */
export async function* activeRows(
  q: Kysely<Database>,
  now: number,
  batchRows: number,
): AsyncGenerator<IndexRow[]> {
  for (let after = ''; ;) {
    const rows = await q
      .selectFrom('suppressions')
      .select(INDEX_COLUMNS)
      .where('id', '>', after)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('id')
      .limit(batchRows)
      .execute();
    if (rows.length > 0) yield rows;
    if (rows.length < batchRows) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** Rows written at or after `updatedAt` (epoch ms), whatever their state. */
export async function changedSince(q: Q, updatedAt: number, limit: number): Promise<IndexRow[]> {
  return q
    .selectFrom('suppressions')
    .select(INDEX_COLUMNS)
    .where('updated_at', '>=', updatedAt)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/** Number of rows (active or not): sizes an in-memory index before it is filled. */
export async function countAll(q: Q): Promise<number> {
  const r = await q
    .selectFrom('suppressions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
