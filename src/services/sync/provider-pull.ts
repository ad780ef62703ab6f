import { ListSuppressedDestinationsCommand } from '@aws-sdk/client-sesv2';
import type { Reason } from '../../core/events.js';
import { sesClient, type SesSyncSettings } from './ses-push.js';

/** One entry of a provider's list, as Bouncer imports it. */
export interface PulledEntry {
  address: string;
  reason: Reason;
  /** Epoch ms the provider recorded it. */
  at: number;
}

/** A page and where the next one starts (null: the list is done up to `now`). */
export interface PulledPage<C> {
  entries: PulledEntry[];
  next: C | null;
}

export const PULL_PAGE_SIZE = 500;

/**
 * SendGrid: `GET /v3/suppression/unsubscribes` then `GET /v3/suppression/bounces`, each paged with
 * `limit`/`offset` and incremental through `start_time` (epoch seconds of the last pull).
 */
export interface SendGridCursor {
  list: 'unsubscribes' | 'bounces';
  offset: number;
  startTime: number;
}

export async function pullSendGridPage(
  cfg: { apiKey: string; baseUrl: string },
  c: SendGridCursor,
): Promise<PulledPage<SendGridCursor> & { retryAfterMs?: number }> {
  const url = `${cfg.baseUrl}/v3/suppression/${c.list}?start_time=${c.startTime}&limit=${PULL_PAGE_SIZE}&offset=${c.offset}`;
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${cfg.apiKey}`, accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) {
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    throw Object.assign(new Error(`SendGrid GET /v3/suppression/${c.list}: HTTP ${res.status}`), {
      status: res.status,
      retryAfterMs:
        res.status === 429 && reset > 0 ? Math.max(0, reset * 1_000 - Date.now()) : null,
    });
  }
  const rows = (await res.json()) as Array<{ email?: string; created?: number }>;
  const reason: Reason = c.list === 'bounces' ? 'hard_bounce' : 'unsubscribe';
  const entries = rows
    .filter((r): r is { email: string; created?: number } => typeof r.email === 'string')
    .map((r) => ({ address: r.email, reason, at: Number(r.created ?? 0) * 1_000 }));
  if (rows.length === PULL_PAGE_SIZE)
    return { entries, next: { ...c, offset: c.offset + rows.length } };
  if (c.list === 'unsubscribes') return { entries, next: { ...c, list: 'bounces', offset: 0 } };
  return { entries, next: null };
}

/** SES: ListSuppressedDestinations, paged by NextToken, incremental through StartDate. */
export interface SesCursor {
  nextToken: string | null;
  startDate: number;
}

export async function pullSesPage(
  cfg: SesSyncSettings,
  c: SesCursor,
): Promise<PulledPage<SesCursor>> {
  const out = await sesClient(cfg).send(
    new ListSuppressedDestinationsCommand({
      StartDate: new Date(c.startDate),
      PageSize: PULL_PAGE_SIZE,
      ...(c.nextToken ? { NextToken: c.nextToken } : {}),
    }),
  );
  const entries = (out.SuppressedDestinationSummaries ?? []).map((s): PulledEntry => ({
    address: s.EmailAddress ?? '',
    reason: s.Reason === 'COMPLAINT' ? 'spam_complaint' : 'hard_bounce',
    at: s.LastUpdateTime ? s.LastUpdateTime.getTime() : 0,
  }));
  return {
    entries: entries.filter((e) => e.address),
    next: out.NextToken ? { ...c, nextToken: out.NextToken } : null,
  };
}
