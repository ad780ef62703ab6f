import type { SubscriptionActivity } from '../../storage/repositories/outbound.repository.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * The state of one outbox target's deliveries as the API answers it: a webhook subscription in
 * `GET /v1/outbound-webhooks`, a provider's push in `GET /v1/sync`.
 */
export interface DeliveryActivityJson {
  pending: number;
  delivered: number;
  dead: number;
  oldest_pending_at: string | null;
  last_delivered_at: string | null;
  last_error: {
    message: string;
    status: number | null;
    at: string;
    next_attempt_at: string | null;
  } | null;
}

export function activityToJson(a: SubscriptionActivity): DeliveryActivityJson {
  return {
    pending: a.pending,
    delivered: a.delivered,
    dead: a.dead,
    oldest_pending_at: iso(a.oldestPendingAt),
    last_delivered_at: iso(a.lastDeliveredAt),
    last_error: a.lastError && {
      message: a.lastError.message,
      status: a.lastError.status,
      at: iso(a.lastError.at)!,
      next_attempt_at: iso(a.lastError.nextAttemptAt),
    },
  };
}
