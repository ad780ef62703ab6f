import Mailgun from 'mailgun.js';
import type { Interfaces } from 'mailgun.js/definitions';
import type { ChangeEvent } from '../../core/change-events.js';
import type { Reason } from '../../core/events.js';
import { observeHttp, type Observed } from './http-observer.js';
import { maskAddresses } from './provider-error-text.js';
import { parseRetryAfter } from '../../core/retry-after.js';
import { pushOk, type PushResult } from './provider-result.js';
import {
  PULL_PAGE_SIZE,
  type ProviderSync,
  type PulledEntry,
  type PulledPage,
  PullError,
} from './provider-sync.js';

const PUSH_TIMEOUT_MS = 10_000;
const PULL_TIMEOUT_MS = 30_000;

export interface MailgunSyncSettings {
  apiKey: string;
  baseUrl: string;
  domains: string[];
}

type MailgunClient = Interfaces.IMailgunClient;

/** Mailgun's three per-domain suppression lists, in the order a pull reads them. */
const LISTS = ['bounces', 'complaints', 'unsubscribes'] as const;
type MailgunList = (typeof LISTS)[number];

const PULLED_REASON: Record<MailgunList, Reason> = {
  bounces: 'hard_bounce',
  complaints: 'spam_complaint',
  unsubscribes: 'unsubscribe',
};

/** A Bouncer reason goes to the list that fits it. */
function listFor(reason: string): MailgunList {
  if (reason === 'spam_complaint') return 'complaints';
  if (reason === 'hard_bounce') return 'bounces';
  return 'unsubscribes';
}

/**
 * The official SDK (`mailgun.js`), HTTP Basic auth `api:<key>`, against `baseUrl`. mailgun.js
 * has no retries of its own (one axios request per call), so the outbox's backoff is the only one.
 */
function mailgunClient(cfg: MailgunSyncSettings, timeout: number): MailgunClient {
  return new Mailgun(FormData).client({
    username: 'api',
    key: cfg.apiKey,
    url: cfg.baseUrl,
    timeout,
  });
}

/** Provider, method and path for messages; the path stops before any address (logs). */
const label = (method: string, domain: string, list: MailgunList): string =>
  `Mailgun ${method} /v3/${domain}/${list}`;

/** An SDK error's text without anything shaped like an email address. */
function errorText(err: unknown): string {
  const e = err as { message?: unknown; details?: unknown } | null;
  const parts = [e?.message, e?.details].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  const text = [...new Set(parts)].join(': ') || String(err);
  return maskAddresses(text).slice(0, 300);
}

function failure(name: string, r: Observed<unknown> & { ok: false }, now: number): PushResult {
  // No response seen: refused, timed out, or the SDK refused the call before sending (its status
  // 400 for those is not an HTTP answer).
  const status = r.response?.status ?? null;
  return {
    ok: false,
    status,
    error: `${name}: ${status === null ? 'no HTTP answer' : `HTTP ${status}`} (${errorText(r.error)})`,
    retryAfterMs:
      r.response && (status === 429 || status === 503)
        ? parseRetryAfter([r.response.headers['retry-after']].flat()[0], now)
        : null,
  };
}

/**
 * Push through the SDK's suppressions API, to every configured domain (Mailgun's lists are per
 * sending domain). An addition goes to the list that fits: `create(domain, 'bounces' |
 * 'complaints', …)` is `POST /v3/{domain}/{list}` with a JSON array, `create(domain,
 * 'unsubscribes', …)` a multipart form with `tag=*` (every mail of the domain). A lift is
 * `destroy` (`DELETE /v3/{domain}/{list}/{address}`) on all three lists of every domain; a 404
 * means "not there", which is the goal.
 */
export async function pushToMailgun(
  mg: MailgunClient,
  domains: readonly string[],
  e: ChangeEvent,
  now: number,
): Promise<PushResult> {
  const address = e.data.address;
  let last: PushResult = pushOk(200);
  for (const domain of domains) {
    if (e.type === 'suppression.added') {
      const list = listFor(e.data.reason);
      const entry =
        list === 'bounces'
          ? { address, code: 550, error: `suppressed by Bouncer (${e.data.reason})` }
          : list === 'unsubscribes'
            ? { address, tag: '*' }
            : { address };
      const r = await observeHttp(() => mg.suppressions.create(domain, list, entry));
      if (!r.ok) return failure(label('POST', domain, list), r, now);
      last = pushOk(r.value.status);
      continue;
    }
    for (const list of LISTS) {
      const r = await observeHttp(() => mg.suppressions.destroy(domain, list, address));
      if (r.ok) last = pushOk(r.value.status);
      else if (r.response?.status === 404) last = pushOk(404);
      else return failure(label('DELETE', domain, list), r, now);
    }
  }
  return last;
}

/** Where a pull pass is: JSON, saved after every page. */
export interface MailgunCursor {
  /** Index into the configured domains. */
  domain: number;
  list: MailgunList;
  /** The SDK's page token from Mailgun's `paging.next` (`?page=next&address=…&limit=…`); null: the list's first page. */
  page: string | null;
  /**
   * Where the pass reads from (epoch ms). Kept for the record only: Mailgun's lists have no date
   * filter, so every pass reads them whole and imports what Bouncer does not have yet.
   */
  since: number;
}

function entryOf(list: MailgunList, item: unknown): PulledEntry | null {
  const it = item as { address?: unknown; created_at?: unknown; tags?: unknown };
  if (typeof it.address !== 'string' || it.address === '') return null;
  // A tag-scoped unsubscribe only stops mail with that tag: not "never mail this address".
  if (list === 'unsubscribes' && Array.isArray(it.tags) && it.tags.length > 0)
    if (!it.tags.includes('*')) return null;
  const ms = it.created_at instanceof Date ? it.created_at.getTime() : Number.NaN;
  const at = Number.isFinite(ms) ? ms : 0;
  return { address: it.address, reason: PULLED_REASON[list], at };
}

/** The cursor of the list after `c`'s (the next domain after unsubscribes), or null at the end. */
function nextList(c: MailgunCursor, domains: number): MailgunCursor | null {
  const i = LISTS.indexOf(c.list);
  if (i + 1 < LISTS.length) return { ...c, list: LISTS[i + 1]!, page: null };
  if (c.domain + 1 < domains) return { ...c, domain: c.domain + 1, list: LISTS[0], page: null };
  return null;
}

/**
 * One page of `GET /v3/{domain}/{bounces|complaints|unsubscribes}` through the SDK's `list()`.
 * Mailgun returns these lists in alphabetical order with no date filter, so every pass walks all
 * pages of every list of every domain; what Bouncer already suppresses is skipped by the sync
 * service, so an entry backdated in Mailgun (a CSV import with old dates) is not missed. A list ends on an empty
 * page, a missing `next`, or `next` equal to `last` (Mailgun: "you have reached the last page").
 */
export async function pullMailgunPage(
  mg: MailgunClient,
  domains: readonly string[],
  c: MailgunCursor,
  now: number = Date.now(),
): Promise<PulledPage<MailgunCursor>> {
  const domain = domains[c.domain];
  if (domain === undefined) return { entries: [], next: null }; // fewer domains than when saved
  const query =
    c.page === null
      ? { limit: PULL_PAGE_SIZE }
      : new URLSearchParams(c.page.replace(/^\?/, '')).has('limit')
        ? { page: c.page }
        : { page: c.page, limit: PULL_PAGE_SIZE };
  const r = await observeHttp(() => mg.suppressions.list(domain, c.list, query));
  if (!r.ok) {
    const f = failure(label('GET', domain, c.list), r, now);
    throw new PullError(f, 'Mailgun GET failed');
  }
  const { items, pages } = r.value;
  const entries = items
    .map((item) => entryOf(c.list, item))
    .filter((e): e is PulledEntry => e !== null);
  const next = pages.next;
  const more =
    items.length > 0 && next !== undefined && next.page !== c.page && next.url !== pages.last?.url;
  return { entries, next: more ? { ...c, page: next.page } : nextList(c, domains.length) };
}

export function mailgunSync(cfg: MailgunSyncSettings): ProviderSync {
  const pushClient = mailgunClient(cfg, PUSH_TIMEOUT_MS);
  const pullClient = mailgunClient(cfg, PULL_TIMEOUT_MS);
  return {
    push: (e, now) => pushToMailgun(pushClient, cfg.domains, e, now),
    pull: {
      first: (since): MailgunCursor => ({ domain: 0, list: LISTS[0], page: null, since }),
      page: (c, now) => pullMailgunPage(pullClient, cfg.domains, c as MailgunCursor, now),
    },
  };
}
