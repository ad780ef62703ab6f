import { Client } from '@sendgrid/client';
import type { ChangeEvent } from '../../core/change-events.js';
import type { Reason } from '../../core/events.js';
import { pushOk, type PushResult } from './provider-result.js';
import { errorBodyText } from './provider-error-text.js';
import { parseRetryAfter } from '../../core/retry-after.js';
import { PULL_PAGE_SIZE, type PulledPage, type ProviderSync, PullError } from './provider-sync.js';

export type SendGridSyncSettings = { apiKey: string; baseUrl: string };

/** Per request (axios `timeout`): a push is one small call; a page of a list may take longer. */
const PUSH_TIMEOUT_MS = 10_000;
const PULL_TIMEOUT_MS = 30_000;

type SendGridRequest = Parameters<Client['request']>[0];
/** The SDK's `ResponseError` (from @sendgrid/helpers), as its `request` callback declares it. */
type SendGridResponseError = NonNullable<
  Parameters<NonNullable<Parameters<Client['request']>[1]>>[0]
>;

function newClient(cfg: SendGridSyncSettings, timeoutMs: number): Client {
  const c = new Client();
  // setApiKey points the client at the global host: the configured base URL goes after it.
  c.setApiKey(cfg.apiKey);
  c.setDefaultRequest('baseUrl', cfg.baseUrl);
  // The default request is merged into the axios config, so axios's `timeout` can ride on it
  // although the SDK's RequestOptions type does not list it. (axios does not retry.)
  const axiosDefaults: SendGridRequest & { timeout: number } = { url: '', timeout: timeoutMs };
  c.setDefaultRequest(axiosDefaults);
  return c;
}

/** One pair of clients per settings object: pushes and pulls differ only in their timeout. */
const clients = new WeakMap<SendGridSyncSettings, { push: Client; pull: Client }>();

function clientsFor(cfg: SendGridSyncSettings): { push: Client; pull: Client } {
  let c = clients.get(cfg);
  if (!c) {
    c = { push: newClient(cfg, PUSH_TIMEOUT_MS), pull: newClient(cfg, PULL_TIMEOUT_MS) };
    clients.set(cfg, c);
  }
  return c;
}

/** An HTTP error answer (the SDK rejects every status >= 400 with a ResponseError). */
function asResponseError(err: unknown): SendGridResponseError | null {
  if (!(err instanceof Error)) return null;
  const x = err as Partial<SendGridResponseError>;
  // axios's own errors (timeout, refused connection) carry a string `code` and no response.
  return typeof x.code === 'number' && typeof x.response === 'object'
    ? (x as SendGridResponseError)
    : null;
}

const header = (headers: Record<string, unknown> | undefined, name: string): string | null => {
  const v = headers?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : null;
};

/**
 * A failed request as the outbox records it: provider, method and path (cut before the address),
 * status, body. A 429 is retried after `X-RateLimit-Reset` (epoch seconds, docs "Rate Limits");
 * a `Retry-After` is honoured otherwise.
 */
function failure(method: string, path: string, err: unknown, now: number): PushResult {
  const label = `SendGrid ${method} ${path}`;
  const res = asResponseError(err);
  if (!res) {
    const message = String((err as Error)?.message ?? err);
    return {
      ok: false,
      status: null,
      error: `${label}: ${errorBodyText(message)}`,
      retryAfterMs: null,
    };
  }
  const status = res.code;
  const reset = Number(header(res.response.headers, 'x-ratelimit-reset'));
  return {
    ok: false,
    status,
    error: `${label}: HTTP ${status} ${errorBodyText(res.response.body)}`.trim(),
    retryAfterMs:
      status === 429 && reset > 0
        ? Math.max(0, reset * 1_000 - now)
        : parseRetryAfter(header(res.response.headers, 'retry-after'), now),
  };
}

/** Paths in error messages stop before the address. */
const shown = (path: string): string => path.split('/').slice(0, 4).join('/');

async function call(
  cfg: SendGridSyncSettings,
  method: 'POST' | 'DELETE',
  path: string,
  body: unknown,
  now: number,
): Promise<PushResult> {
  try {
    const [res] = await clientsFor(cfg).push.request({
      method,
      url: path,
      ...(body === null ? {} : { body }),
    });
    return pushOk(res.statusCode);
  } catch (err) {
    // Deleting what is not there is the state we want.
    if (method === 'DELETE' && asResponseError(err)?.code === 404) return pushOk(404);
    return failure(method, shown(path), err, now);
  }
}

/**
 * SendGrid v3 suppression management through `@sendgrid/client`: global unsubscribes
 * (`/v3/asm/suppressions/global`), unsubscribe groups (`/v3/asm/groups/{id}/suppressions`),
 * bounces and spam reports (`/v3/suppression/bounces`, `/v3/suppression/spam_reports`, which the
 * API lets one delete but not add: a permanent suppression goes to the global unsubscribes, which
 * SendGrid also drops mail for). A lift deletes the address from all three lists.
 */
export async function pushToSendGrid(
  cfg: SendGridSyncSettings,
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
  let last = pushOk(204);
  for (const path of [
    `/v3/asm/suppressions/global/${email}`,
    `/v3/suppression/bounces/${email}`,
    `/v3/suppression/spam_reports/${email}`,
  ]) {
    last = await call(cfg, 'DELETE', path, null, now);
    if (!last.ok) return last;
  }
  return last;
}

/** The lists pulled, in order, and the reason each stands for. */
const LISTS = ['unsubscribes', 'bounces', 'spam_reports'] as const;
const REASON: Record<(typeof LISTS)[number], Reason> = {
  unsubscribes: 'unsubscribe',
  bounces: 'hard_bounce',
  spam_reports: 'spam_complaint',
};

/**
 * SendGrid: `GET /v3/suppression/unsubscribes`, then `/bounces`, then `/spam_reports`, each paged
 * with `limit`/`offset` and incremental through `start_time` (epoch seconds, inclusive).
 */
export interface SendGridCursor {
  list: (typeof LISTS)[number];
  offset: number;
  startTime: number;
}

export async function pullSendGridPage(
  cfg: SendGridSyncSettings,
  c: SendGridCursor,
  now: number = Date.now(),
): Promise<PulledPage<SendGridCursor>> {
  const path = `/v3/suppression/${c.list}`;
  let rows: unknown;
  try {
    [, rows] = await clientsFor(cfg).pull.request({
      method: 'GET',
      url: path,
      qs: { start_time: c.startTime, limit: PULL_PAGE_SIZE, offset: c.offset },
    });
  } catch (err) {
    const f = failure('GET', path, err, now);
    throw new PullError(f, `SendGrid GET ${path} failed`);
  }
  const list = Array.isArray(rows) ? (rows as Array<{ email?: unknown; created?: unknown }>) : [];
  const reason = REASON[c.list];
  const entries = list
    .filter((r): r is { email: string; created?: unknown } => typeof r.email === 'string')
    .map((r) => ({ address: r.email, reason, at: Number(r.created ?? 0) * 1_000 || 0 }));
  if (list.length === PULL_PAGE_SIZE)
    return { entries, next: { ...c, offset: c.offset + list.length } };
  const following = LISTS[LISTS.indexOf(c.list) + 1];
  return { entries, next: following ? { ...c, list: following, offset: 0 } : null };
}

export const sendgridSync = (cfg: SendGridSyncSettings): ProviderSync => ({
  push: (e, now) => pushToSendGrid(cfg, e, now),
  pull: {
    first: (since): SendGridCursor => ({
      list: 'unsubscribes',
      offset: 0,
      startTime: Math.floor(since / 1_000),
    }),
    page: (c, now) => pullSendGridPage(cfg, c as SendGridCursor, now),
  },
});
