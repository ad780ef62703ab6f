import { filterStream, type FilterInput } from './filter.js';
import { requestJson, type Transport } from './http.js';
import type {
  AnnotatedRow,
  CheckOptions,
  CheckResult,
  FilterOptions,
  FilterStream,
  HistoryPage,
  MessageTimeline,
  Stats,
  StatsOptions,
  SuppressInput,
  SuppressionEntry,
  SuppressionStatus,
  UnsubscribeLink,
  UnsubscribeLinkInput,
} from './types.js';

export * from './types.js';
export { BouncerError, isBouncerError, type ClientErrorCode } from './errors.js';
export { backoffMs } from './http.js';
export type { FilterInput } from './filter.js';

export interface BouncerClientOptions {
  /** Where Bouncer answers, e.g. `https://bouncer.internal:8080` (a path prefix is kept). */
  baseUrl: string;
  /** An API key: `read` scope for check, filter, history, message and stats; `write` for suppress/unsuppress. */
  apiKey: string;
  /** Per attempt, in ms, until the answer is read (for filter: until its headers arrive). Default 10 000. */
  timeoutMs?: number;
  /** Further attempts after a 5xx, network error or timeout (never after a 4xx). Default 2. */
  retries?: number;
  /** First backoff in ms, doubled per retry, with jitter. Default 200. */
  retryBaseMs?: number;
  /** Longest backoff in ms. Default 5 000. */
  retryMaxMs?: number;
  /** A fetch implementation; default the global fetch of Node ≥ 20. */
  fetch?: typeof fetch;
}

/** The server's limit per /v1/check request; longer lists are sent in several requests. */
export const MAX_CHECK_RECIPIENTS = 10_000;

const iso = (t: Date | string | undefined): string | undefined =>
  t instanceof Date ? t.toISOString() : t;

/**
 * A typed client for the Bouncer API. Every call takes an optional AbortSignal; failures are
 * BouncerError with the HTTP status and the server's error code and message.
 */
export class BouncerClient {
  private readonly t: Transport;

  constructor(opts: BouncerClientOptions) {
    if (!opts.baseUrl) throw new TypeError('BouncerClient: baseUrl is required');
    if (!opts.apiKey) throw new TypeError('BouncerClient: apiKey is required');
    this.t = {
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey,
      timeoutMs: opts.timeoutMs ?? 10_000,
      retries: opts.retries ?? 2,
      retryBaseMs: opts.retryBaseMs ?? 200,
      retryMaxMs: opts.retryMaxMs ?? 5_000,
      fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
    };
  }

  /** May I send to these recipients? Emails and phone numbers mixed; more than 10 000 are sent in chunks. */
  async check(recipients: readonly string[], opts: CheckOptions = {}): Promise<CheckResult> {
    const out: CheckResult = { allowed: [], suppressed: [], invalid: [] };
    for (let i = 0; i < recipients.length; i += MAX_CHECK_RECIPIENTS) {
      const r = await requestJson<CheckResult>(this.t, 'POST', '/v1/check', {
        body: {
          recipients: recipients.slice(i, i + MAX_CHECK_RECIPIENTS),
          scope: opts.scope,
          purpose: opts.purpose,
        },
        signal: opts.signal,
      });
      out.allowed.push(...r.allowed);
      out.suppressed.push(...r.suppressed);
      out.invalid.push(...r.invalid);
    }
    return out;
  }

  /**
   * Filter a list of any length: strings (recipients) or objects (with the recipient in
   * `field`, other fields passed through), from an array or an async iterable such as a file
   * reader. Answers the allowed rows (or, with includeSuppressed, every row annotated) in
   * input order, streamed; `summary` settles when the last row has been read.
   */
  filter<T extends string | object>(
    input: FilterInput<T>,
    opts: FilterOptions & { includeSuppressed: true },
  ): FilterStream<AnnotatedRow<T>>;
  filter<T extends string | object>(input: FilterInput<T>, opts?: FilterOptions): FilterStream<T>;
  filter<T extends string | object>(
    input: FilterInput<T>,
    opts: FilterOptions = {},
  ): FilterStream<T | AnnotatedRow<T>> {
    return filterStream<T, T | AnnotatedRow<T>>(this.t, input, opts);
  }

  /**
   * A signed one-click unsubscribe link (RFC 8058) for one recipient, with the List-Unsubscribe
   * and List-Unsubscribe-Post headers to put on the message (needs a `write` key).
   */
  async unsubscribeLink(
    input: UnsubscribeLinkInput,
    opts: { signal?: AbortSignal } = {},
  ): Promise<UnsubscribeLink> {
    return requestJson(this.t, 'POST', '/v1/unsubscribe-links', {
      body: { address: input.address, scope: input.scope, campaign: input.campaign },
      signal: opts.signal,
    });
  }

  /** Whether an address is suppressed (globally or in `scope`) and by which entries. */
  async status(
    address: string,
    opts: { scope?: string; signal?: AbortSignal } = {},
  ): Promise<SuppressionStatus> {
    return requestJson(this.t, 'GET', `/v1/suppressions/${encodeURIComponent(address)}`, {
      query: { scope: opts.scope },
      signal: opts.signal,
    });
  }

  /** Suppress an address by hand (audited; needs a `write` key). Repeating it updates the same entry. */
  async suppress(
    input: SuppressInput,
    opts: { signal?: AbortSignal } = {},
  ): Promise<SuppressionEntry> {
    return requestJson(this.t, 'POST', '/v1/suppressions', {
      body: {
        address: input.address,
        note: input.note,
        reason: input.reason,
        scope: input.scope,
        expires_at: iso(input.expiresAt),
      },
      signal: opts.signal,
    });
  }

  /**
   * Remove a suppression (audited; `write` key). `scope` defaults to `*`; `all` removes every
   * scope. A BouncerError with status 404 when there was none (also when a retried attempt
   * finds the first one already removed it).
   */
  async unsuppress(
    address: string,
    opts: { note: string; scope?: string; signal?: AbortSignal },
  ): Promise<{ removed: SuppressionEntry[] }> {
    return requestJson(this.t, 'DELETE', `/v1/suppressions/${encodeURIComponent(address)}`, {
      query: { note: opts.note, scope: opts.scope },
      signal: opts.signal,
    });
  }

  /** One page of the events of an address, newest first; pass `next_cursor` back for the next. */
  async history(
    address: string,
    opts: { limit?: number; cursor?: string; signal?: AbortSignal } = {},
  ): Promise<HistoryPage> {
    return requestJson(this.t, 'GET', '/v1/events', {
      query: { address, limit: opts.limit, cursor: opts.cursor },
      signal: opts.signal,
    });
  }

  /** Every event of an address, newest first, page after page. */
  async *allHistory(
    address: string,
    opts: { pageSize?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<HistoryPage['events'][number]> {
    let cursor: string | undefined;
    do {
      const page = await this.history(address, {
        limit: opts.pageSize ?? 500,
        cursor,
        signal: opts.signal,
      });
      yield* page.events;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** The timeline of one message by the provider's message id; a BouncerError with status 404 when unknown. */
  async message(
    providerMessageId: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<MessageTimeline> {
    return requestJson(this.t, 'GET', `/v1/messages/${encodeURIComponent(providerMessageId)}`, {
      signal: opts.signal,
    });
  }

  /** Delivery and engagement counts and rates per UTC hour or day. */
  async stats(opts: StatsOptions = {}): Promise<Stats> {
    return requestJson(this.t, 'GET', '/v1/stats', {
      query: { from: iso(opts.from), to: iso(opts.to), interval: opts.interval, by: opts.by },
      signal: opts.signal,
    });
  }
}

export default BouncerClient;
