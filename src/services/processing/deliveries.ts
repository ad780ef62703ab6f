import { isoTime, type Clock } from '../../core/clock.js';
import { AppError, validationError } from '../../core/errors.js';
import type { Db } from '../../storage/database.js';
import {
  countByStatus,
  DELIVERY_STATUSES,
  getDelivery,
  listDeliveries,
  oldestPending,
  requeue,
  type DeliveryStatus,
  type DeliverySummaryRow,
} from '../../storage/repositories/delivery.repository.js';
import { decodeCursor, encodeCursor } from '../suppressions/cursor.js';

const iso = (v: number | null): string | null => (v === null ? null : isoTime(v));

function toJson(d: DeliverySummaryRow): Record<string, unknown> {
  return {
    id: d.id,
    provider: d.provider,
    endpoint: d.endpoint,
    received_at: iso(Number(d.received_at)),
    url: d.url.replace(
      /\/webhooks\/(drip|inboxroad|sparkpost|brevo|mailjet|postmark|smtp2go|elastic-email)\/[^/?]+/,
      '/webhooks/$1/…',
    ),
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? iso(Number(d.run_at)) : null,
    last_error: d.last_error,
    outcome: d.outcome,
    processed_at: iso(d.processed_at),
  };
}

export interface ReplaySelector {
  ids?: readonly string[];
  status?: DeliveryStatus;
  provider?: string;
  since?: number;
}

/** Raw deliveries: inspect, count and replay. Replay is always safe: dedup keys make it idempotent. */
export class DeliveryService {
  constructor(private readonly deps: { db: Db; clock: Clock; onRequeued?: () => void }) {}

  parseStatus(value: string | undefined): DeliveryStatus | undefined {
    if (value === undefined || value === '') return undefined;
    if (!(DELIVERY_STATUSES as readonly string[]).includes(value))
      throw validationError('status', `must be one of ${DELIVERY_STATUSES.join(', ')}`);
    return value as DeliveryStatus;
  }

  async list(
    filters: {
      status?: DeliveryStatus | undefined;
      provider?: string | undefined;
      since?: number | undefined;
    },
    limit: number,
    cursor?: string,
  ): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
    const before = decodeCursor<{ i: string }>(cursor, ['i']);
    const rows = await listDeliveries(this.deps.db.kysely, filters, limit + 1, before?.i ?? null);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toJson),
      next_cursor: rows.length > limit && last ? encodeCursor({ i: last.id }) : null,
    };
  }

  async get(id: string): Promise<Record<string, unknown> & { body: string; headers: unknown }> {
    const row = await getDelivery(this.deps.db.kysely, id);
    if (!row) throw new AppError('BOUNCER_ERR_NOT_FOUND', `no delivery ${id}`);
    return {
      ...toJson(row),
      headers: JSON.parse(row.headers) as unknown,
      body: Buffer.from(row.body).toString('utf8'),
    };
  }

  /** Put deliveries back in the queue. Per-item results; a missing id does not fail the rest. */
  async replay(sel: ReplaySelector): Promise<{ requeued: number; missing: string[] }> {
    const now = this.deps.clock.now();
    let ids: string[] = [];
    const missing: string[] = [];
    if (sel.ids && sel.ids.length > 0) {
      for (const id of sel.ids) {
        if (await getDelivery(this.deps.db.kysely, id)) ids.push(id);
        else missing.push(id);
      }
    } else {
      if (!sel.status && !sel.provider && sel.since === undefined)
        throw validationError(
          'selector',
          'give delivery ids, a status, a provider or a since time',
        );
      let cursor: string | null = null;
      for (;;) {
        const page = await listDeliveries(
          this.deps.db.kysely,
          { status: sel.status, provider: sel.provider, since: sel.since },
          1_000,
          cursor,
        );
        ids = ids.concat(
          page.filter((d) => d.status !== 'processing' && d.status !== 'pending').map((d) => d.id),
        );
        if (page.length < 1_000) break;
        cursor = page[page.length - 1]!.id;
      }
    }
    const requeued = await requeue(this.deps.db.kysely, ids, now);
    if (requeued > 0) this.deps.onRequeued?.();
    return { requeued, missing };
  }

  async backlog(): Promise<{
    counts: Record<string, number>;
    oldest_pending_at: string | null;
    lag_ms: number;
  }> {
    const [counts, oldest] = await Promise.all([
      countByStatus(this.deps.db.kysely),
      oldestPending(this.deps.db.kysely),
    ]);
    return {
      counts,
      oldest_pending_at: iso(oldest),
      lag_ms: oldest === null ? 0 : Math.max(0, this.deps.clock.now() - oldest),
    };
  }
}
