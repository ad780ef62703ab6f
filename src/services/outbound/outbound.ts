import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { checkOutboundWebhook, type OutboundConfig } from '../../config-outbound.js';
import type { Clock } from '../../core/clock.js';
import { AppError, validationError } from '../../core/errors.js';
import { nextOutboundAttempt } from '../../core/change-events.js';
import type { Db } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import type { OutboundDeliveryRow, OutboundSubscriptionRow } from '../../storage/schema.js';
import {
  claimDueDeliveries,
  countDeliveries,
  deleteSubscription,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  pruneDelivered,
  recordAttempt,
  replaceConfigSubscriptions,
  requeueDeliveries,
  subscriptionActivity,
  type OutboundCounts,
} from '../../storage/repositories/outbound.repository.js';
import { decodeCursor, encodeCursor } from '../suppressions/cursor.js';
import { sendSignedWebhook } from './webhook-sender.js';
import { checkDestinationUrl } from './destination-guard.js';
import { sweepEndedCooldowns } from './expiry-sweep.js';
import type { SyncConfig } from '../../config-sync.js';
import type { ChangeEvent } from '../../core/change-events.js';
import { SYNC_PROVIDERS, syncTargetId } from '../sync/push-rules.js';
import type { PushResult } from '../sync/provider-result.js';
import { buildProviderSyncs } from '../sync/providers.js';
import { activityToJson, type DeliveryActivityJson } from '../sync/delivery-activity.js';
import type { ProviderSync } from '../sync/provider-sync.js';
import type { SyncProvider } from '../sync/push-rules.js';

const SEND_CONCURRENCY = 8;
const DELIVERED_RETENTION_MS = 30 * 86_400_000;

export type AttemptResult = 'delivered' | 'retry' | 'dead';

export interface SubscriptionJson {
  id: string;
  url: string;
  events: string[] | null;
  origin: string;
  created_at: string;
}

const iso = (ms: number | null): string | null =>
  ms === null ? null : new Date(Number(ms)).toISOString();

function subscriptionToJson(r: OutboundSubscriptionRow): SubscriptionJson {
  return {
    id: r.id,
    url: r.url,
    events: r.events === null ? null : (JSON.parse(r.events) as string[]),
    origin: r.origin,
    created_at: iso(Number(r.created_at))!,
  };
}

export function deliveryToJson(r: OutboundDeliveryRow): Record<string, unknown> {
  return {
    id: r.id,
    subscription_id: r.subscription_id,
    event_type: r.event_type,
    status: r.status,
    attempts: r.attempts,
    last_error: r.last_error,
    last_status: r.last_status,
    next_attempt_at: r.status === 'pending' ? iso(Number(r.next_attempt_at)) : null,
    created_at: iso(Number(r.created_at)),
    updated_at: iso(Number(r.updated_at)),
    delivered_at: iso(r.delivered_at === null ? null : Number(r.delivered_at)),
    event: JSON.parse(r.payload) as unknown,
  };
}

/**
 * Signed change events: subscriptions (config and API), delivery of the outbox (retries with
 * exponential backoff until the give-up time, one at a time per subscriber and address), the
 * delivery log and replay, and the sweep that emits `suppression.expired`.
 */
export class OutboundService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      logger: Logger;
      settings: OutboundConfig;
      /** Providers whose own suppression lists are pushed to (BOUNCER_SYNC_*). */
      sync?: SyncConfig;
      onAttempt?: (result: AttemptResult, seconds: number) => void;
      /** Called when deliveries were queued outside the change paths (replay, sweep). */
      onQueued?: () => void;
    },
  ) {
    this.providers = deps.sync ? buildProviderSyncs(deps.sync) : new Map();
  }

  private readonly providers: Map<SyncProvider, ProviderSync>;

  /** Make the subscriptions from BOUNCER_OUTBOUND_WEBHOOKS the config-origin rows. */
  async syncConfigSubscriptions(): Promise<void> {
    const now = this.deps.clock.now();
    const rows: OutboundSubscriptionRow[] = this.deps.settings.webhooks.map((w) => ({
      id: `cfg_${createHash('sha256').update(`${w.url}\u0000${w.secret}`).digest('hex').slice(0, 20)}`,
      url: w.url,
      secret: w.secret,
      events: w.events === null ? null : JSON.stringify(w.events),
      origin: 'config',
      created_at: now,
    }));
    // Provider push targets are rows of origin `sync` in the same outbox.
    const sync = this.deps.sync;
    for (const p of SYNC_PROVIDERS)
      if (sync?.[p])
        rows.push({
          id: syncTargetId(p),
          url:
            p === 'sendgrid'
              ? sync.sendgrid!.baseUrl
              : p === 'ses'
                ? (sync.ses!.baseUrl ?? `aws:ses:${sync.ses!.region}`)
                : sync[p].baseUrl,
          secret: '',
          events: null,
          origin: 'sync',
          created_at: now,
        });
    await this.deps.db.kysely.transaction().execute((trx) => replaceConfigSubscriptions(trx, rows));
  }

  /** Every subscription (push targets included) with its deliveries' counts and latest failure. */
  async listSubscriptions(): Promise<
    Array<SubscriptionJson & { deliveries: DeliveryActivityJson }>
  > {
    const q = this.deps.db.kysely;
    const subs = await listSubscriptions(q);
    const activity = await subscriptionActivity(
      q,
      subs.map((r) => r.id),
    );
    return subs.map((r) => ({
      ...subscriptionToJson(r),
      deliveries: activityToJson(activity.get(r.id)!),
    }));
  }

  /** Add a subscription; the secret (generated when not given) is answered this once only. */
  async createSubscription(input: {
    url: string;
    secret?: string | undefined;
    events?: string[] | undefined;
  }): Promise<SubscriptionJson & { secret: string }> {
    const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
    const checked = checkOutboundWebhook({ ...input, secret });
    if (typeof checked === 'string') {
      const [field] = checked.split(' ');
      throw validationError(field ?? 'body', checked);
    }
    const refused = checkDestinationUrl(checked.url, this.deps.settings.allowPrivate);
    if (refused) throw validationError('url', refused);
    const now = this.deps.clock.now();
    const row: OutboundSubscriptionRow = {
      id: `sub_${newId(now)}`,
      url: checked.url,
      secret,
      events: checked.events === null ? null : JSON.stringify(checked.events),
      origin: 'api',
      created_at: now,
    };
    await insertSubscription(this.deps.db.kysely, row);
    return { ...subscriptionToJson(row), secret };
  }

  async deleteSubscription(id: string): Promise<void> {
    const subs = await listSubscriptions(this.deps.db.kysely);
    const sub = subs.find((s) => s.id === id);
    if (!sub) throw new AppError('BOUNCER_ERR_NOT_FOUND', `no outbound webhook ${id}`);
    if (sub.origin !== 'api')
      throw validationError(
        'id',
        'configured in BOUNCER_OUTBOUND_WEBHOOKS or BOUNCER_SYNC_*: remove it there',
      );
    await this.deps.db.kysely.transaction().execute((trx) => deleteSubscription(trx, id));
  }

  async listDeliveries(
    filters: { status?: string | undefined; subscriptionId?: string | undefined },
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
    const before = decodeCursor<{ i: string }>(cursor, ['i']);
    const rows = await listDeliveries(this.deps.db.kysely, filters, limit + 1, before?.i ?? null);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(deliveryToJson),
      next_cursor: rows.length > limit && last ? encodeCursor({ i: last.id }) : null,
    };
  }

  /** Queue deliveries again: the given ids, or every dead one. */
  async replay(
    target: { ids: readonly string[] } | { allDead: true; subscriptionId?: string | undefined },
  ): Promise<{ requeued: number }> {
    const n = await requeueDeliveries(this.deps.db.kysely, target, this.deps.clock.now());
    if (n > 0) this.deps.onQueued?.();
    return { requeued: n };
  }

  counts(): Promise<OutboundCounts> {
    return countDeliveries(this.deps.db.kysely);
  }

  /** Emit `suppression.expired` for cool-downs that ended since the last sweep. */
  async sweepExpired(): Promise<number> {
    const n = await sweepEndedCooldowns(this.deps.db, this.deps.clock.now());
    if (n > 0) this.deps.onQueued?.();
    return n;
  }

  async prune(): Promise<number> {
    return pruneDelivered(this.deps.db.kysely, this.deps.clock.now() - DELIVERED_RETENTION_MS);
  }

  /** Send what is due (claimed heads of their address's order). Returns how many were tried. */
  async deliverDue(limit = 100): Promise<{ tried: number } & Record<AttemptResult, number>> {
    const out = { tried: 0, delivered: 0, retry: 0, dead: 0 };
    const { db, clock } = this.deps;
    const rows = await claimDueDeliveries(
      db.kysely,
      clock.now(),
      this.deps.settings.leaseMs,
      limit,
    );
    if (rows.length === 0) return out;
    const subs = new Map((await listSubscriptions(db.kysely)).map((s) => [s.id, s]));
    let next = 0;
    const work = async (): Promise<void> => {
      while (next < rows.length) {
        const row = rows[next++]!;
        const result = await this.attempt(row, subs.get(row.subscription_id));
        out.tried++;
        out[result]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, rows.length) }, work));
    return out;
  }

  private async push(targetId: string, payload: string, now: number): Promise<PushResult> {
    const body = JSON.parse(payload) as {
      type: ChangeEvent['type'];
      timestamp: string;
      data: ChangeEvent['data'];
    };
    const e: ChangeEvent = { type: body.type, at: Date.parse(body.timestamp), data: body.data };
    const provider = SYNC_PROVIDERS.find((p) => syncTargetId(p) === targetId);
    const sync = provider && this.providers.get(provider);
    if (sync) return sync.push(e, now);
    return { ok: false, status: null, error: `${targetId} is not configured`, retryAfterMs: null };
  }

  private async attempt(
    row: OutboundDeliveryRow,
    sub: OutboundSubscriptionRow | undefined,
  ): Promise<AttemptResult> {
    const started = this.deps.clock.now();
    const res = !sub
      ? { ok: false, status: null, error: 'subscription deleted', retryAfterMs: null }
      : sub.origin === 'sync'
        ? await this.push(sub.id, row.payload, started)
        : await sendSignedWebhook(
            { url: sub.url, secret: sub.secret, allowPrivate: this.deps.settings.allowPrivate },
            { id: row.id, body: row.payload },
            started,
          );
    const now = this.deps.clock.now();
    const { settings } = this.deps;
    let result: AttemptResult;
    let nextAt: number | null = null;
    if (res.ok) result = 'delivered';
    else {
      nextAt = sub
        ? nextOutboundAttempt(
            {
              baseMs: settings.retryBaseMs,
              maxMs: settings.retryMaxMs,
              giveUpMs: settings.giveUpMs,
            },
            row.attempts + 1,
            Number(row.created_at),
            now,
            res.retryAfterMs,
          )
        : null;
      result = nextAt === null ? 'dead' : 'retry';
    }
    await recordAttempt(this.deps.db.kysely, {
      id: row.id,
      status: result === 'retry' ? 'pending' : result,
      now,
      ...(nextAt !== null ? { nextAttemptAt: nextAt } : {}),
      error: res.error,
      httpStatus: res.status,
    });
    this.deps.onAttempt?.(result, (now - started) / 1_000);
    if (result !== 'delivered')
      this.deps.logger[result === 'dead' ? 'error' : 'warn'](
        {
          delivery: row.id,
          subscription: row.subscription_id,
          attempt: row.attempts + 1,
          err: res.error,
        },
        result === 'dead'
          ? 'outbound webhook delivery is dead'
          : 'outbound webhook delivery failed, will retry',
      );
    return result;
  }
}
