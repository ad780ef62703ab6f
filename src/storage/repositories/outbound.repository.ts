import { sql, type Kysely, type Transaction } from 'kysely';
import type {
  Database,
  NewOutboundDeliveryRow,
  OutboundDeliveryRow,
  OutboundSubscriptionRow,
  SuppressionRow,
} from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export async function listSubscriptions(q: Q): Promise<OutboundSubscriptionRow[]> {
  return q.selectFrom('outbound_subscriptions').selectAll().orderBy('created_at').execute();
}

export async function insertSubscription(q: Q, row: OutboundSubscriptionRow): Promise<void> {
  await q.insertInto('outbound_subscriptions').values(row).execute();
}

/** Remove a subscription and its undelivered events (the log of sent and dead ones stays). */
export async function deleteSubscription(q: Q, id: string): Promise<boolean> {
  const res = await q.deleteFrom('outbound_subscriptions').where('id', '=', id).executeTakeFirst();
  await q
    .deleteFrom('outbound_deliveries')
    .where('subscription_id', '=', id)
    .where('status', '=', 'pending')
    .execute();
  return Number(res.numDeletedRows) > 0;
}

/** Make the config-origin subscriptions exactly `rows` (API ones are left alone). */
export async function replaceConfigSubscriptions(
  q: Q,
  rows: readonly OutboundSubscriptionRow[],
): Promise<void> {
  const ids = rows.map((r) => r.id);
  let del = q.deleteFrom('outbound_subscriptions').where('origin', '=', 'config');
  if (ids.length > 0) del = del.where('id', 'not in', ids);
  await del.execute();
  for (const r of rows)
    await q
      .insertInto('outbound_subscriptions')
      .values(r)
      .onConflict((oc) => oc.column('id').doUpdateSet({ events: r.events, url: r.url }))
      .execute();
}

/** Queue deliveries; a row whose dedup key is already queued is skipped. Returns how many went in. */
export async function insertDeliveries(
  q: Q,
  rows: readonly NewOutboundDeliveryRow[],
): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const res = await q
      .insertInto('outbound_deliveries')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.column('dedup_key').doNothing())
      .executeTakeFirst();
    n += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return n;
}

/**
 * Claim due deliveries that head their order key (no earlier pending delivery for the same
 * subscriber and address), leased until `now + leaseMs`. The update re-checks the lease, so of
 * two instances selecting the same row only one claims it.
 */
export async function claimDueDeliveries(
  q: Q,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<OutboundDeliveryRow[]> {
  const heads = await q
    .selectFrom('outbound_deliveries as d')
    .select('d.id')
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<', now)]))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('outbound_deliveries as e')
            .select(sql<number>`1`.as('one'))
            .whereRef('e.order_key', '=', 'd.order_key')
            .where('e.status', '=', 'pending')
            .whereRef('e.id', '<', 'd.id'),
        ),
      ),
    )
    .orderBy('d.id')
    .limit(limit)
    .execute();
  if (heads.length === 0) return [];
  return q
    .updateTable('outbound_deliveries')
    .set({ locked_until: now + leaseMs })
    .where(
      'id',
      'in',
      heads.map((h) => h.id),
    )
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .returningAll()
    .execute();
}

export interface AttemptOutcome {
  id: string;
  status: 'delivered' | 'pending' | 'dead';
  now: number;
  nextAttemptAt?: number;
  error: string | null;
  httpStatus: number | null;
}

export async function recordAttempt(q: Q, o: AttemptOutcome): Promise<void> {
  await q
    .updateTable('outbound_deliveries')
    .set((eb) => ({
      status: o.status,
      attempts: eb('attempts', '+', 1),
      locked_until: null,
      last_error: o.error,
      last_status: o.httpStatus,
      updated_at: o.now,
      ...(o.nextAttemptAt !== undefined ? { next_attempt_at: o.nextAttemptAt } : {}),
      ...(o.status === 'delivered' ? { delivered_at: o.now } : {}),
    }))
    .where('id', '=', o.id)
    .execute();
}

export interface DeliveryFilters {
  status?: string | undefined;
  subscriptionId?: string | undefined;
}

/** Newest first; `beforeId` pages on. */
export async function listDeliveries(
  q: Q,
  f: DeliveryFilters,
  limit: number,
  beforeId: string | null,
): Promise<OutboundDeliveryRow[]> {
  let s = q.selectFrom('outbound_deliveries').selectAll();
  if (f.status) s = s.where('status', '=', f.status);
  if (f.subscriptionId) s = s.where('subscription_id', '=', f.subscriptionId);
  if (beforeId) s = s.where('id', '<', beforeId);
  return s.orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Queue deliveries again (the given ids, or every dead one): they go out at once and get a full
 * retry window again, keeping their place in their address's order.
 */
export async function requeueDeliveries(
  q: Q,
  target: { ids: readonly string[] } | { allDead: true; subscriptionId?: string | undefined },
  now: number,
): Promise<number> {
  let u = q
    .updateTable('outbound_deliveries')
    .set({
      status: 'pending',
      next_attempt_at: now,
      locked_until: null,
      created_at: now,
      updated_at: now,
    })
    .where('status', '!=', 'pending');
  if ('ids' in target) {
    if (target.ids.length === 0) return 0;
    u = u.where('id', 'in', [...target.ids]);
  } else {
    u = u.where('status', '=', 'dead');
    if (target.subscriptionId !== undefined)
      u = u.where('subscription_id', '=', target.subscriptionId);
  }
  const res = await u.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export interface OutboundCounts {
  pending: number;
  dead: number;
  delivered: number;
  oldestPendingAt: number | null;
}

export async function countDeliveries(q: Q): Promise<OutboundCounts> {
  const rows = await q
    .selectFrom('outbound_deliveries')
    .select((eb) => [
      'status',
      eb.fn.countAll<string>().as('n'),
      eb.fn.min('created_at').as('oldest'),
    ])
    .groupBy('status')
    .execute();
  const get = (s: string) => rows.find((r) => r.status === s);
  const oldest = get('pending')?.oldest;
  return {
    pending: Number(get('pending')?.n ?? 0),
    dead: Number(get('dead')?.n ?? 0),
    delivered: Number(get('delivered')?.n ?? 0),
    oldestPendingAt: oldest === undefined || oldest === null ? null : Number(oldest),
  };
}

/** Dead deliveries whose last attempt was at or after `since` (for the dead-delivery alert). */
export async function countDeadSince(q: Q, since: number): Promise<number> {
  const row = await q
    .selectFrom('outbound_deliveries')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'dead')
    .where('updated_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Drop delivered rows older than `before` (the log keeps recent ones and every dead one). */
export async function pruneDelivered(q: Q, before: number): Promise<number> {
  const res = await q
    .deleteFrom('outbound_deliveries')
    .where('status', '=', 'delivered')
    .where('updated_at', '<', before)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * Suppression rows whose cool-down ended in (`since`, `now`], or that were changed after
 * `since` and have already ended (a delivery that ends a cool-down early writes an end in the
 * past), paged by id.
 */
export async function findEndedCooldowns(
  q: Q,
  since: number,
  now: number,
  afterId: string | null,
  limit: number,
): Promise<SuppressionRow[]> {
  let s = q
    .selectFrom('suppressions')
    .selectAll()
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', now)
    .where((eb) => eb.or([eb('expires_at', '>', since), eb('updated_at', '>', since)]));
  if (afterId) s = s.where('id', '>', afterId);
  return s.orderBy('id').limit(limit).execute();
}

/** Deliveries of one target by status. */
export interface SubscriptionActivity {
  pending: number;
  delivered: number;
  dead: number;
  /** Epoch ms of the oldest change still waiting, null when none waits. */
  oldestPendingAt: number | null;
  /** Epoch ms of the newest successful delivery the log still holds. */
  lastDeliveredAt: number | null;
  /** The newest failure of a delivery not yet delivered (pending retry or dead). */
  lastError: {
    message: string;
    status: number | null;
    at: number;
    nextAttemptAt: number | null;
  } | null;
}

/**
 * Counts and the latest success and failure of each subscription's (or push target's)
 * deliveries: one grouped query for all of them, then the latest failure only of those with
 * something not delivered.
 */
export async function subscriptionActivity(
  q: Q,
  subscriptionIds: readonly string[],
): Promise<Map<string, SubscriptionActivity>> {
  const out = new Map<string, SubscriptionActivity>();
  if (subscriptionIds.length === 0) return out;
  const num = (v: unknown): number | null => (v === undefined || v === null ? null : Number(v));
  for (const id of subscriptionIds)
    out.set(id, {
      pending: 0,
      delivered: 0,
      dead: 0,
      oldestPendingAt: null,
      lastDeliveredAt: null,
      lastError: null,
    });
  const rows = await q
    .selectFrom('outbound_deliveries')
    .select((eb) => [
      'subscription_id',
      'status',
      eb.fn.countAll<string>().as('n'),
      eb.fn.min('created_at').as('oldest'),
      eb.fn.max('delivered_at').as('last_delivered'),
    ])
    .where('subscription_id', 'in', [...subscriptionIds])
    .groupBy(['subscription_id', 'status'])
    .execute();
  for (const r of rows) {
    const a = out.get(r.subscription_id)!;
    const n = Number(r.n);
    if (r.status === 'pending') {
      a.pending = n;
      a.oldestPendingAt = num(r.oldest);
    } else if (r.status === 'delivered') {
      a.delivered = n;
      a.lastDeliveredAt = num(r.last_delivered);
    } else if (r.status === 'dead') a.dead = n;
  }
  for (const [id, a] of out) {
    if (a.pending === 0 && a.dead === 0) continue;
    const failed = await q
      .selectFrom('outbound_deliveries')
      .select(['last_error', 'last_status', 'updated_at', 'status', 'next_attempt_at'])
      .where('subscription_id', '=', id)
      .where('status', 'in', ['pending', 'dead'])
      .where('last_error', 'is not', null)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (failed)
      a.lastError = {
        message: failed.last_error!,
        status: failed.last_status,
        at: Number(failed.updated_at),
        nextAttemptAt: failed.status === 'pending' ? Number(failed.next_attempt_at) : null,
      };
  }
  return out;
}

/** Which of these order keys have a delivery to the target still pending. */
export async function pendingOrderKeys(
  q: Q,
  subscriptionId: string,
  keys: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await q
      .selectFrom('outbound_deliveries')
      .select('order_key')
      .where('subscription_id', '=', subscriptionId)
      .where('status', '=', 'pending')
      .where('order_key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.order_key);
  }
  return out;
}
