/*
 * The wire types of the Bouncer API, as the server's route schemas answer them
 * (src/http/routes/*). Kept here, not imported from the server: this folder ships as the
 * `bouncer/client` subpath and must not pull server code into an application.
 */

export type Purpose = 'marketing' | 'transactional';

export interface CheckOptions {
  /** Unsubscribe group to honour besides the global suppressions. */
  scope?: string;
  /** `transactional` ignores unsubscribes (never bounces or complaints). Default marketing. */
  purpose?: Purpose;
  signal?: AbortSignal;
}

export interface SuppressedRecipient {
  /** The recipient as given. */
  input: string;
  /** Normalised: lower-cased email or E.164 phone number. */
  address: string;
  channel: string;
  reason: string;
  scope: string;
  source: string;
  /** ISO-8601. */
  since: string;
  /** ISO-8601, or null for a permanent suppression. */
  until: string | null;
}

export interface CheckResult {
  /** Inputs that may be sent to, as given. */
  allowed: string[];
  suppressed: SuppressedRecipient[];
  invalid: Array<{ input: string; error: string }>;
}

export interface SuppressionEntry {
  channel: string;
  address: string;
  scope: string;
  reason: string;
  source: string;
  since: string;
  until: string | null;
  active: boolean;
  soft_count: number;
  last_event_at: string;
  /** When Bouncer recorded it; lists are ordered by it, newest first. */
  created_at: string;
  metadata: Record<string, unknown>;
}

export interface SuppressionStatus {
  address: string;
  channel: string;
  /** True when a global entry (or one in the asked scope) is in force. */
  suppressed: boolean;
  entries: Array<{
    scope: string;
    reason: string;
    source: string;
    since: string;
    until: string | null;
  }>;
}

export interface SuppressInput {
  address: string;
  /** Why (kept in the audit log). Required. */
  note: string;
  /** One of the server's reasons; default `manual`. */
  reason?: string;
  /** Default `*` (global). */
  scope?: string;
  /** Absent: until removed. */
  expiresAt?: Date | string;
}

export interface BouncerEvent {
  id: string;
  provider: string;
  type: string;
  channel: string;
  address: string;
  scope: string;
  severity: string | null;
  reason: string | null;
  fine_reason: string | null;
  smtp_code: string | null;
  enhanced_status: string | null;
  diagnostic: string | null;
  error_code: string | null;
  provider_message_id: string | null;
  campaign: string | null;
  occurred_at: string;
  received_at: string;
  delivery_id: string | null;
  details: unknown;
}

export interface HistoryPage {
  address: string;
  channel: string;
  /** Newest first. */
  events: BouncerEvent[];
  /** Pass back as `cursor` for the next page; null at the end. */
  next_cursor: string | null;
}

export interface MessageTimeline {
  provider_message_id: string;
  providers: string[];
  campaign: string | null;
  /** Per recipient, the strongest outcome seen: complaint > bounce > dropped > delivered > deferred > processed. */
  recipients: Array<{
    channel: string;
    address: string;
    status: string | null;
    last_event_at: string;
  }>;
  first_event_at: string;
  last_event_at: string;
  /** Oldest first. */
  events: BouncerEvent[];
  truncated: boolean;
}

export type StatsInterval = 'hour' | 'day';
export type StatsBreakdown = 'provider' | 'campaign' | 'reason';

export interface StatsOptions {
  /** Default: 30 days (day) or 48 hours (hour) before `to`; aligned down to its bucket. */
  from?: Date | string;
  /** Exclusive; default now. */
  to?: Date | string;
  interval?: StatsInterval;
  by?: StatsBreakdown;
  signal?: AbortSignal;
}

export interface StatsCounts {
  processed: number;
  delivered: number;
  deferred: number;
  bounced: number;
  bounced_hard: number;
  bounced_soft: number;
  dropped: number;
  complained: number;
  unsubscribed: number;
  opened: number;
  clicked: number;
  /** Percent: bounced / (delivered + bounced) × 100; null when both are 0. */
  bounce_rate: number | null;
  /** Percent: complained / delivered × 100; null when nothing was delivered. */
  complaint_rate: number | null;
}

export interface Stats {
  from: string;
  to: string;
  interval: StatsInterval;
  by: StatsBreakdown | null;
  /** Every bucket of the range; `groups` is keyed by provider/campaign/reason, or `*`. */
  buckets: Array<{ start: string; groups: Record<string, StatsCounts> }>;
  totals: Record<string, StatsCounts>;
  overall: StatsCounts;
}

/** The verdict the server adds to each row with `includeSuppressed`. */
export interface FilterVerdict {
  status: 'allowed' | 'suppressed' | 'invalid';
  reason?: string;
  scope?: string;
  error?: string;
}

export interface FilterSummary {
  total: number;
  allowed: number;
  suppressed: number;
  invalid: number;
  by_reason: Record<string, number>;
}

export interface FilterOptions {
  scope?: string;
  purpose?: Purpose;
  /** Answer every row, annotated with `bouncer: {status, reason?, …}`, instead of only the allowed ones. */
  includeSuppressed?: boolean;
  /** The field of object rows that holds the recipient. Default `address` (then `email`, `phone`). */
  field?: string;
  signal?: AbortSignal;
}

/** A row as the server answers it with `includeSuppressed`: a bare string becomes `{address}`. */
export type AnnotatedRow<T> = (T extends string ? { address: string } : T) & {
  bouncer: FilterVerdict;
};

/**
 * The answer of `filter`: iterate it for the rows (in input order); `summary` settles when the
 * iteration has read the final line. The answer streams: iterate it to make progress.
 */
export interface FilterStream<R> extends AsyncIterable<R> {
  readonly summary: Promise<FilterSummary>;
}

/** What POST /v1/unsubscribe-links answers: a signed one-click link and the headers to send. */
export interface UnsubscribeLink {
  url: string;
  /** null when the server has no BOUNCER_UNSUBSCRIBE_MAIL_DOMAIN. */
  mailto: string | null;
  headers: { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

export interface UnsubscribeLinkInput {
  address: string;
  /** `*` (everything, the default) or an unsubscribe group id. */
  scope?: string;
  campaign?: string;
}
