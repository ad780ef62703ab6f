import { Errors, ServerClient, type Models } from 'postmark';
import type { ChangeEvent } from '../../core/change-events.js';
import type { Reason } from '../../core/events.js';
import { pushOk, type PushResult } from './provider-result.js';
import {
  PullError,
  type ProviderSync,
  type PulledEntry,
  type PulledPage,
} from './provider-sync.js';
import { maskAddresses } from './provider-error-text.js';
import { parseRetryAfter } from '../../core/retry-after.js';

/** SDK timeouts, in seconds (its `timeout` option's unit). */
const PUSH_TIMEOUT_SECONDS = 10;
const PULL_TIMEOUT_SECONDS = 30;

export interface PostmarkSyncSettings {
  serverToken: string;
  baseUrl: string;
  streams: string[];
}

/** What the SDK cannot tell: the last response's Retry-After (its errors carry no headers). */
interface Seen {
  retryAfter: string | null;
}

/**
 * The official SDK, pointed at `baseUrl` (its `requestHost` + `useHttps`; a path prefix rides on
 * the host). postmark.js 5 sends one `fetch` per call and has no retry of its own (its
 * FetchHttpClient: one request, a non-2xx becomes an error), so the outbox's backoff and order
 * hold. Its errors keep only `statusCode`, `code` (Postmark's ErrorCode) and the message: the
 * response's headers are read through the SDK's `fetch` option, for a Retry-After if one comes.
 */
function postmarkClient(cfg: PostmarkSyncSettings, timeout: number, seen: Seen): ServerClient {
  const u = new URL(cfg.baseUrl);
  return new ServerClient(cfg.serverToken, {
    useHttps: u.protocol === 'https:',
    requestHost: `${u.host}${u.pathname.replace(/\/+$/, '')}`,
    timeout,
    fetch: async (input, init) => {
      seen.retryAfter = null;
      const res = await fetch(input, init);
      seen.retryAfter = res.headers.get('retry-after');
      return res;
    },
  });
}

const streamPath = (stream: string, tail: string): string =>
  `/message-streams/${encodeURIComponent(stream)}/suppressions${tail}`;

/** An SDK error as "Postmark POST /message-streams/x/suppressions: HTTP 429 (ErrorCode 0) …". */
function explain(label: string, err: unknown): { status: number | null; text: string } {
  if (err instanceof Errors.PostmarkError) {
    const status = err.statusCode > 0 ? err.statusCode : null;
    const code = err.code ? ` (ErrorCode ${err.code})` : '';
    const what = status === null ? 'no response' : `HTTP ${status}${code}`;
    return { status, text: `${label}: ${what} ${maskAddresses(err.message).slice(0, 300)}`.trim() };
  }
  return {
    status: null,
    text: `${label}: ${maskAddresses(String((err as Error)?.message ?? err))}`,
  };
}

/**
 * Postmark suppressions per message stream, through the SDK's `createSuppressions` /
 * `deleteSuppressions` (`POST /message-streams/{stream}/suppressions` and `…/suppressions/delete`,
 * `{"Suppressions":[{"EmailAddress"}]}`), in every configured stream. Postmark answers 200 with a
 * per-address `Status`: a `Failed` add is an error worth retrying; a `Failed` delete is final
 * (Postmark keeps spam complaints: its rule, not a passing fault).
 */
export async function pushToPostmark(
  cfg: PostmarkSyncSettings,
  e: ChangeEvent,
  now: number = Date.now(),
): Promise<PushResult> {
  const seen: Seen = { retryAfter: null };
  const client = postmarkClient(cfg, PUSH_TIMEOUT_SECONDS, seen);
  const del = e.type === 'suppression.removed';
  const request = { Suppressions: [{ EmailAddress: e.data.address }] };
  for (const stream of cfg.streams) {
    const label = `Postmark POST ${streamPath(stream, del ? '/delete' : '')}`;
    let answer: Models.SuppressionStatuses;
    try {
      answer = del
        ? await client.deleteSuppressions(encodeURIComponent(stream), request)
        : await client.createSuppressions(encodeURIComponent(stream), request);
    } catch (err) {
      const { status, text } = explain(label, err);
      // Deleting what is not there is the state we want.
      if (del && status === 404) continue;
      return {
        ok: false,
        status,
        error: text,
        retryAfterMs: parseRetryAfter(seen.retryAfter, now),
      };
    }
    const item = answer.Suppressions?.[0];
    if (!del && item?.Status === 'Failed')
      return {
        ok: false,
        status: 200,
        error: `${label}: Failed ${maskAddresses(item.Message ?? '')}`.trim(),
        retryAfterMs: null,
      };
  }
  return pushOk(200);
}

/** A pull pass walks the configured streams; each stream's dump is one page. */
export interface PostmarkCursor {
  /** Index into the configured streams. */
  stream: number;
  /** The pass's start point (epoch ms; 0: the whole list). */
  since: number;
}

const REASONS: Record<string, Reason> = {
  HardBounce: 'hard_bounce',
  SpamComplaint: 'spam_complaint',
  // A recipient's unsubscribe (Origin Recipient), and also what Postmark records for a
  // suppression added by the customer (console, API: Origin Customer/Admin).
  ManualSuppression: 'unsubscribe',
};

const EASTERN_DAY = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The `fromdate` for a pass that reads from `since`. Postmark documents the filter as a day
 * ("e.g. 2020-02-01", inclusive) without a time zone; its timestamps are US Eastern (the dump's
 * example `CreatedAt` is `…-05:00`). The Eastern calendar day of `since` starts no later than
 * `since` whether Postmark reads the day in Eastern time or in UTC (UTC midnight of that date comes
 * even earlier), so nothing created after `since` is missed; what is read twice is skipped.
 */
export function postmarkFromDate(since: number): string {
  const p = Object.fromEntries(
    EASTERN_DAY.formatToParts(new Date(since)).map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * One stream's list: the SDK's `getSuppressions` (`GET /message-streams/{stream}/suppressions/dump`),
 * which answers the whole list at once (no paging in the API; the SDK's default filter object
 * would add `count`/`offset`, which the dump does not document, so a plain filter is passed).
 * The SDK sends the documented `fromdate` as `fromDate`: Postmark reads query names
 * case-insensitively (its own dump example writes `origin=` for the documented `Origin`).
 */
export async function pullPostmarkPage(
  cfg: PostmarkSyncSettings,
  c: PostmarkCursor,
  now: number = Date.now(),
): Promise<PulledPage<PostmarkCursor>> {
  const stream = cfg.streams[c.stream];
  if (stream === undefined) return { entries: [], next: null };
  const seen: Seen = { retryAfter: null };
  const client = postmarkClient(cfg, PULL_TIMEOUT_SECONDS, seen);
  let dump: Models.Suppressions;
  try {
    dump = await client.getSuppressions(
      encodeURIComponent(stream),
      c.since > 0 ? { fromDate: postmarkFromDate(c.since) } : {},
    );
  } catch (err) {
    const { status, text } = explain(`Postmark GET ${streamPath(stream, '/dump')}`, err);
    throw new PullError(
      { status, error: text, retryAfterMs: parseRetryAfter(seen.retryAfter, now) },
      text,
    );
  }
  const entries = (dump.Suppressions ?? [])
    .filter((s) => typeof s.EmailAddress === 'string' && s.EmailAddress.includes('@'))
    .map((s): PulledEntry => {
      const at = Date.parse(s.CreatedAt);
      return {
        address: s.EmailAddress,
        // A reason Postmark adds later still stops its sending: keep the address, as manual.
        reason: REASONS[s.SuppressionReason] ?? 'manual',
        at: Number.isNaN(at) ? 0 : at,
      };
    });
  const next = c.stream + 1 < cfg.streams.length ? { ...c, stream: c.stream + 1 } : null;
  return { entries, next };
}

/** Postmark: push to every configured stream, and pull each stream's dump. */
export const postmarkSync = (cfg: PostmarkSyncSettings): ProviderSync => ({
  push: (e, now) => pushToPostmark(cfg, e, now),
  pull: {
    first: (since): PostmarkCursor => ({ stream: 0, since }),
    page: (c, now) => pullPostmarkPage(cfg, c as PostmarkCursor, now),
  },
});
