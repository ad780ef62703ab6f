import { type Brevo, BrevoClient, BrevoError, BrevoTimeoutError } from '@getbrevo/brevo';
import type { ChangeEvent } from '../../core/change-events.js';
import type { Reason } from '../../core/events.js';
import { pushOk, type PushResult } from './provider-result.js';
import { errorBodyText } from './provider-error-text.js';
import { parseRetryAfter } from '../../core/retry-after.js';
import {
  PullError,
  type ProviderSync,
  type PulledEntry,
  type PulledPage,
} from './provider-sync.js';

export interface BrevoSyncSettings {
  /** An API key (v3), sent by the SDK in the `api-key` header. */
  apiKey: string;
  /** Without `/v3` (default `https://api.brevo.com`): the SDK's paths are under `/v3`. */
  baseUrl: string;
}

/** Seconds a push request may take (one small call). */
const PUSH_TIMEOUT_SECONDS = 10;
/** Seconds a page of the blocked-contacts list may take. */
const PULL_TIMEOUT_SECONDS = 30;
/** `GET /v3/smtp/blockedContacts` answers at most 100 entries a page (default 50). */
export const BREVO_PAGE_SIZE = 100;
const DAY_MS = 86_400_000;

/** One client per settings object. */
const clients = new WeakMap<BrevoSyncSettings, BrevoClient>();

export function brevoClient(cfg: BrevoSyncSettings): BrevoClient {
  let c = clients.get(cfg);
  if (!c) {
    c = new BrevoClient({
      apiKey: cfg.apiKey,
      // The SDK's environment is `https://api.brevo.com/v3`; its paths are relative to it.
      baseUrl: `${cfg.baseUrl.replace(/\/+$/, '')}/v3`,
      // The outbox retries with its own backoff and keeps the order per address (the SDK would
      // otherwise retry 408/429/5xx twice itself, sleeping inside the push).
      maxRetries: 0,
      timeoutInSeconds: PUSH_TIMEOUT_SECONDS,
    });
    clients.set(cfg, c);
  }
  return c;
}

const statusOf = (err: unknown): number | null =>
  err instanceof BrevoError && err.statusCode !== undefined ? err.statusCode : null;

/**
 * How long Brevo asks us to wait. Its documented rate-limit header `x-sib-ratelimit-reset` is the
 * time left until the window resets, in seconds (developers.brevo.com/docs/limit-headers); a
 * `Retry-After` (which the SDK's own retry reads) is honoured as well; the longer one wins.
 */
export function brevoRetryAfterMs(headers: Headers | undefined, now: number): number | null {
  const reset = Number(headers?.get('x-sib-ratelimit-reset'));
  const fromReset = Number.isFinite(reset) && reset > 0 ? Math.ceil(reset * 1_000) : null;
  const fromRetryAfter = parseRetryAfter(headers?.get('retry-after'), now);
  if (fromReset === null) return fromRetryAfter;
  return Math.max(fromReset, fromRetryAfter ?? 0);
}

/** An SDK error as the outbox records it: provider, method and path (never the address), status. */
function failure(label: string, err: unknown, now: number): PushResult {
  if (err instanceof BrevoTimeoutError)
    return { ok: false, status: null, error: `${label}: timed out`, retryAfterMs: null };
  if (err instanceof BrevoError && err.statusCode !== undefined) {
    const status = err.statusCode;
    return {
      ok: false,
      status,
      error: `${label}: HTTP ${status} ${errorBodyText(err.body)}`.trim(),
      retryAfterMs:
        status === 429 || status === 503 ? brevoRetryAfterMs(err.rawResponse?.headers, now) : null,
    };
  }
  return { ok: false, status: null, error: `${label}: ${networkError(err)}`, retryAfterMs: null };
}

/** "fetch failed" says little: the innermost cause (ECONNREFUSED, ENOTFOUND, …) says why. */
function networkError(err: unknown): string {
  const first = String((err as Error)?.message ?? err).split('\n')[0] ?? '';
  let inner: unknown = err;
  while ((inner as { cause?: unknown })?.cause) inner = (inner as { cause: unknown }).cause;
  const why = inner === err ? '' : ((inner as { code?: string }).code ?? (inner as Error).message);
  return errorBodyText(why && why !== first ? `${first} (${why})` : first);
}

/**
 * Brevo blocked contacts: a suppression marks the contact `emailBlacklisted` (`PUT
 * /v3/contacts/{email}`, creating it with `POST /v3/contacts` when Brevo answers 404); a lift
 * unblocks the transactional contact (`DELETE /v3/smtp/blockedContacts/{email}`, 404 when it is
 * not blocked: the state we want).
 */
export async function pushToBrevo(
  cfg: BrevoSyncSettings,
  e: ChangeEvent,
  now: number,
): Promise<PushResult> {
  const client = brevoClient(cfg);
  const email = e.data.address;
  if (e.type === 'suppression.removed') {
    try {
      const { rawResponse } = await client.transactionalEmails
        .unblockOrResubscribeATransactionalContact({ email })
        .withRawResponse();
      return pushOk(rawResponse.status);
    } catch (err) {
      if (statusOf(err) === 404) return pushOk(404);
      return failure('Brevo DELETE /v3/smtp/blockedContacts', err, now);
    }
  }
  try {
    const { rawResponse } = await client.contacts
      .updateContact({ identifier: email, emailBlacklisted: true })
      .withRawResponse();
    return pushOk(rawResponse.status);
  } catch (err) {
    if (statusOf(err) !== 404) return failure('Brevo PUT /v3/contacts', err, now);
  }
  try {
    const { rawResponse } = await client.contacts
      .createContact({ email, emailBlacklisted: true })
      .withRawResponse();
    return pushOk(rawResponse.status);
  } catch (err) {
    return failure('Brevo POST /v3/contacts', err, now);
  }
}

type BlockCode = Brevo.GetTransacBlockedContactsResponse.Contacts.Item.Reason.Code;

/** Every reason code the API documents (the SDK's enum; `satisfies` fails the build on a new one). */
const REASON_BY_CODE = {
  hardBounce: 'hard_bounce',
  contactFlaggedAsSpam: 'spam_complaint',
  unsubscribedViaMA: 'unsubscribe',
  unsubscribedViaEmail: 'unsubscribe',
  unsubscribedViaApi: 'unsubscribe',
  // Blocked by a user of the Brevo account: an opt-out made for the recipient.
  adminBlocked: 'unsubscribe',
} as const satisfies Record<BlockCode, Reason>;

/** A code Brevo adds later still means "Brevo does not mail this address": an opt-out. */
export const brevoReason = (code: string | undefined): Reason =>
  (REASON_BY_CODE as Record<string, Reason>)[code ?? ''] ?? 'unsubscribe';

/**
 * Where a pass over Brevo's blocked contacts is: `offset` into the list, and `startDate`
 * (YYYY-MM-DD, UTC) for an incremental pass, null for the whole list.
 */
export interface BrevoCursor {
  offset: number;
  startDate: string | null;
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The dates filter by day only, and the API does not say in which time zone: an incremental
 * pass starts a whole day before the UTC day of `since`. What it reads again was imported (or
 * skipped) already and changes nothing.
 */
export const brevoFirstCursor = (since: number): BrevoCursor => ({
  offset: 0,
  startDate: since > 0 ? utcDay(since - DAY_MS) : null,
});

/**
 * One page of `GET /v3/smtp/blockedContacts`, oldest first (`sort=asc`): an entry blocked while
 * the pass runs joins the end of the list rather than shifting the pages still to read. Both
 * dates must be given together and neither may be in the future, so the range ends today (UTC,
 * Brevo's own clock being the one that counts: the real clock, not Bouncer's).
 */
export async function pullBrevoPage(
  cfg: BrevoSyncSettings,
  c: BrevoCursor,
  now = Date.now(),
): Promise<PulledPage<BrevoCursor>> {
  const range = c.startDate === null ? {} : { startDate: c.startDate, endDate: utcDay(now) };
  let data: Brevo.GetTransacBlockedContactsResponse;
  try {
    data = await brevoClient(cfg).transactionalEmails.getTransacBlockedContacts(
      { ...range, limit: BREVO_PAGE_SIZE, offset: c.offset, sort: 'asc' },
      { timeoutInSeconds: PULL_TIMEOUT_SECONDS },
    );
  } catch (err) {
    const f = failure('Brevo GET /v3/smtp/blockedContacts', err, now);
    throw new PullError(f, 'Brevo GET /v3/smtp/blockedContacts failed');
  }
  const rows = data.contacts ?? [];
  const entries: PulledEntry[] = [];
  for (const r of rows) {
    if (typeof r.email !== 'string' || r.email === '') continue;
    const at = Date.parse(r.blockedAt);
    entries.push({
      address: r.email,
      reason: brevoReason(r.reason?.code),
      at: Number.isNaN(at) ? 0 : at,
    });
  }
  const read = c.offset + rows.length;
  const more =
    rows.length > 0 &&
    (typeof data.count === 'number' ? read < data.count : rows.length === BREVO_PAGE_SIZE);
  return { entries, next: more ? { ...c, offset: read } : null };
}

export const brevoSync = (cfg: BrevoSyncSettings): ProviderSync => ({
  push: (e, now) => pushToBrevo(cfg, e, now),
  pull: {
    first: brevoFirstCursor,
    page: (c, now) => pullBrevoPage(cfg, c as BrevoCursor, now),
  },
});
