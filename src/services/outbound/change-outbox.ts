import {
  changeEventBody,
  type ChangeEvent,
  type ChangeEventType,
} from '../../core/change-events.js';
import { shouldPush, SYNC_PROVIDERS, type SyncProvider } from '../sync/push-rules.js';
import type { DbExecutor } from '../../storage/database.js';
import { newOrderedId } from '../../storage/ids.js';
import type { NewOutboundDeliveryRow, OutboundSubscriptionRow } from '../../storage/schema.js';
import {
  insertDeliveries,
  listSubscriptions,
} from '../../storage/repositories/outbound.repository.js';

/** Subscribers get the types they asked for; provider targets (origin `sync`) what the push rules allow. */
export function wantsEvent(sub: OutboundSubscriptionRow, e: ChangeEvent): boolean {
  if (sub.origin === 'sync') {
    const provider = sub.id.slice('sync:'.length);
    return isSyncProvider(provider) && shouldPush(provider, e);
  }
  return sub.events === null || (JSON.parse(sub.events) as ChangeEventType[]).includes(e.type);
}

const isSyncProvider = (p: string): p is SyncProvider =>
  (SYNC_PROVIDERS as readonly string[]).includes(p);

/** Deliveries of one address to one subscriber go out one at a time, in id order. */
export const orderKey = (subscriptionId: string, e: ChangeEvent): string =>
  `${subscriptionId}|${e.data.channel}:${e.data.address}`;

/**
 * The transactional outbox: queue one delivery per subscriber for each change event, in the
 * caller's transaction, so an event exists exactly when its change committed. `dedupKey(e)`
 * (optional) makes a repeated queueing of the same event a no-op (the expiry sweep).
 * Returns the number of deliveries queued.
 */
export async function queueChangeEvents(
  trx: DbExecutor,
  events: readonly ChangeEvent[],
  now: number,
  dedupKey?: (e: ChangeEvent) => string,
): Promise<number> {
  if (events.length === 0) return 0;
  const subs = await listSubscriptions(trx);
  if (subs.length === 0) return 0;
  const rows: NewOutboundDeliveryRow[] = [];
  for (const e of events) {
    const payload = changeEventBody(e);
    for (const sub of subs) {
      if (!wantsEvent(sub, e)) continue;
      rows.push({
        id: newOrderedId(now),
        subscription_id: sub.id,
        order_key: orderKey(sub.id, e),
        dedup_key: dedupKey ? `${sub.id}|${dedupKey(e)}` : null,
        event_type: e.type,
        payload,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        locked_until: null,
        last_error: null,
        last_status: null,
        created_at: now,
        updated_at: now,
        delivered_at: null,
      });
    }
  }
  return insertDeliveries(trx, rows);
}
