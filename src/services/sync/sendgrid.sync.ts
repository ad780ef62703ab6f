import type { ChangeEvent } from '../../core/change-events.js';
import type { Reason } from '../../core/events.js';
import { pushOk, type PushResult } from './provider-result.js';
import { PULL_PAGE_SIZE, type PulledPage, type ProviderSync } from './provider-sync.js';

const TIMEOUT_MS = 10_000;

/**
 * SendGrid v3 suppression management: global unsubscribes (`/v3/asm/suppressions/global`),
 * unsubscribe groups (`/v3/asm/groups/{id}/suppressions`) and bounces (`/v3/suppression/bounces`,
 * which the API lets one delete but not add: a permanent suppression goes to the global
 * unsubscribes, which SendGrid also drops mail for). Rate limits answer 429 with
 * `X-RateLimit-Reset` (epoch seconds).
 */
export async function pushToSendGrid(
  cfg: { apiKey: string; baseUrl: string },
  e: ChangeEvent,
  now: number,
): Promise<PushResult> {
  const email = encodeURIComponent(e.data.address);
  const group = e.data.scope === '*' ? null : e.data.scope;
  if (e.type === 'suppression.added') {
    const path = group ? `/v3/asm/groups/${group}/suppressions` : '/v3/asm/suppressions/global';
    return call(cfg, 'POST', path, { recipient_emails: [e.data.address] }, now);
  }
  if (group) return call(cfg, 'DELETE', `/v3/asm/groups/${group}/suppressions/${email}`, null, now);
  const unsub = await call(cfg, 'DELETE', `/v3/asm/suppressions/global/${email}`, null, now);
  if (!unsub.ok) return unsub;
  return call(cfg, 'DELETE', `/v3/suppression/bounces/${email}`, null, now);
}

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

async function call(
  cfg: { apiKey: string; baseUrl: string },
  method: 'POST' | 'DELETE',
  path: string,
  body: unknown,
  now: number,
): Promise<PushResult> {
  try {
    const res = await fetch(`${cfg.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${cfg.apiKey}`,
        ...(body === null ? {} : { 'content-type': 'application/json' }),
      },
      body: body === null ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = (await res.text().catch(() => '')).slice(0, 300);
    // Deleting what is not there is the state we want.
    if (res.ok || (method === 'DELETE' && res.status === 404)) return pushOk(res.status);
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      ok: false,
      status: res.status,
      error:
        `SendGrid ${method} ${path.split('/').slice(0, 4).join('/')}: HTTP ${res.status} ${text}`.trim(),
      retryAfterMs:
        res.status === 429 && reset > 0
          ? Math.max(0, reset * 1_000 - now)
          : retryAfter > 0
            ? retryAfter * 1_000
            : null,
    };
  } catch (err) {
    return {
      ok: false,
      status: null,
      error: String((err as Error)?.message ?? err),
      retryAfterMs: null,
    };
  }
}

export type SendGridSyncSettings = { apiKey: string; baseUrl: string };

export const sendgridSync = (cfg: SendGridSyncSettings): ProviderSync => ({
  push: (e, now) => pushToSendGrid(cfg, e, now),
  pull: {
    first: (since): SendGridCursor => ({
      list: 'unsubscribes',
      offset: 0,
      startTime: Math.floor(since / 1_000),
    }),
    page: (c) => pullSendGridPage(cfg, c as SendGridCursor),
  },
});
