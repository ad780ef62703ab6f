import type { Clock } from '../../core/clock.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../../core/clock.js';
import { validationError } from '../../core/errors.js';
import type { Db } from '../../storage/database.js';
import {
  eventCountsPerBucket,
  type BucketCount,
  type StatsGrouping,
} from '../../storage/repositories/stats.repository.js';

export const STATS_INTERVALS = ['hour', 'day'] as const;
export type StatsInterval = (typeof STATS_INTERVALS)[number];
export const STATS_BREAKDOWNS = ['provider', 'campaign', 'reason'] as const;
export type StatsBreakdown = (typeof STATS_BREAKDOWNS)[number];

/** More buckets than this in one answer is a mistake (a year of days fits; 41 days of hours). */
export const MAX_STATS_BUCKETS = 1_000;
const BUCKET_MS: Record<StatsInterval, number> = { hour: MS_PER_HOUR, day: MS_PER_DAY };
/** The default range when `from` is absent: the last 30 days, or the last 48 hours. */
const DEFAULT_RANGE_MS: Record<StatsInterval, number> = {
  hour: 48 * MS_PER_HOUR,
  day: 30 * MS_PER_DAY,
};

export interface Counts {
  processed: number;
  delivered: number;
  deferred: number;
  /** Every bounce event; `bounced_hard + bounced_soft` plus the undetermined ones. */
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

export interface StatsQuery {
  from?: number | undefined;
  to?: number | undefined;
  interval?: string | undefined;
  by?: string | undefined;
}

export interface Stats {
  from: string;
  to: string;
  interval: StatsInterval;
  by: StatsBreakdown | null;
  /** Every bucket of the range, in order; `groups` holds only groups with events in the bucket. */
  buckets: Array<{ start: string; groups: Record<string, Counts> }>;
  /** The whole range per group. */
  totals: Record<string, Counts>;
  /** The whole range, all groups together. */
  overall: Counts;
}

/** Which event type feeds which counter (types not listed, e.g. SMS ones, are not counted). */
const COUNTER_OF_TYPE: Record<string, keyof Counts> = {
  processed: 'processed',
  delivered: 'delivered',
  deferred: 'deferred',
  bounce: 'bounced',
  dropped: 'dropped',
  complaint: 'complained',
  unsubscribe: 'unsubscribed',
  open: 'opened',
  click: 'clicked',
};
export const COUNTED_TYPES = Object.keys(COUNTER_OF_TYPE);

/** A percentage with 3 decimals, null on an empty denominator. */
export function percent(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Number(((numerator / denominator) * 100).toFixed(3));
}

export const bounceRate = (bounced: number, delivered: number): number | null =>
  percent(bounced, delivered + bounced);
export const complaintRate = (complained: number, delivered: number): number | null =>
  percent(complained, delivered);

const emptyCounts = (): Counts => ({
  processed: 0,
  delivered: 0,
  deferred: 0,
  bounced: 0,
  bounced_hard: 0,
  bounced_soft: 0,
  dropped: 0,
  complained: 0,
  unsubscribed: 0,
  opened: 0,
  clicked: 0,
  bounce_rate: null,
  complaint_rate: null,
});

function add(c: Counts, r: BucketCount): void {
  const counter = COUNTER_OF_TYPE[r.type];
  if (!counter) return;
  (c[counter] as number) += r.count;
  if (r.type === 'bounce' && r.severity === 'hard') c.bounced_hard += r.count;
  if (r.type === 'bounce' && r.severity === 'soft') c.bounced_soft += r.count;
}

/**
 * Rates of the groups. Broken down by reason, a group holds only the events of that reason
 * (delivered events have none), so its rates use the denominator of everything in the bucket:
 * the hard_bounce group's bounce rate is the share of sends that hard-bounced.
 */
function setRates(groups: Record<string, Counts>, whole: Counts, byReason: boolean): void {
  for (const c of Object.values(groups)) {
    const delivered = byReason ? whole.delivered : c.delivered;
    c.bounce_rate = byReason
      ? percent(c.bounced, whole.delivered + whole.bounced)
      : bounceRate(c.bounced, delivered);
    c.complaint_rate = complaintRate(c.complained, delivered);
  }
  whole.bounce_rate = bounceRate(whole.bounced, whole.delivered);
  whole.complaint_rate = complaintRate(whole.complained, whole.delivered);
}

function parseInterval(value: string | undefined): StatsInterval {
  if (value === undefined || value === '') return 'day';
  if ((STATS_INTERVALS as readonly string[]).includes(value)) return value as StatsInterval;
  throw validationError('interval', `must be one of ${STATS_INTERVALS.join(', ')}`);
}

function parseBreakdown(value: string | undefined): StatsBreakdown | null {
  if (value === undefined || value === '' || value === 'none') return null;
  if ((STATS_BREAKDOWNS as readonly string[]).includes(value)) return value as StatsBreakdown;
  throw validationError('by', `must be one of ${STATS_BREAKDOWNS.join(', ')}`);
}

/** Delivery and engagement counts and rates per UTC hour or day, optionally per provider, campaign or reason. */
export class StatsService {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** The range, validated and aligned: `from` down to its bucket's start; `to` is exclusive. */
  range(query: StatsQuery): {
    from: number;
    to: number;
    interval: StatsInterval;
    bucketMs: number;
    buckets: number;
  } {
    const interval = parseInterval(query.interval);
    const bucketMs = BUCKET_MS[interval];
    const to = query.to ?? this.deps.clock.now();
    const from = Math.floor((query.from ?? to - DEFAULT_RANGE_MS[interval]) / bucketMs) * bucketMs;
    if (from >= to) throw validationError('from', 'must be before to');
    const buckets = Math.ceil((to - from) / bucketMs);
    if (buckets > MAX_STATS_BUCKETS)
      throw validationError(
        'from',
        `the range holds ${buckets} ${interval} buckets; at most ${MAX_STATS_BUCKETS} are answered (narrow the range or use interval=day)`,
      );
    return { from, to, interval, bucketMs, buckets };
  }

  async stats(query: StatsQuery): Promise<Stats> {
    const by = parseBreakdown(query.by);
    const { from, to, interval, bucketMs, buckets: n } = this.range(query);
    const grouping: StatsGrouping = by ?? 'none';
    const rows = await eventCountsPerBucket(this.deps.db.kysely, {
      from,
      to,
      bucketMs,
      by: grouping,
      types: COUNTED_TYPES,
    });
    const buckets = Array.from(
      { length: n },
      (_, i): { startMs: number; groups: Record<string, Counts>; whole: Counts } => ({
        startMs: from + i * bucketMs,
        groups: {},
        whole: emptyCounts(),
      }),
    );
    const totals: Record<string, Counts> = {};
    const overall = emptyCounts();
    for (const r of rows) {
      const b = buckets[Math.floor((r.bucket - from) / bucketMs)];
      if (!b) continue;
      add((b.groups[r.group] ??= emptyCounts()), r);
      add(b.whole, r);
      add((totals[r.group] ??= emptyCounts()), r);
      add(overall, r);
    }
    for (const b of buckets) setRates(b.groups, b.whole, by === 'reason');
    setRates(totals, overall, by === 'reason');
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      interval,
      by,
      buckets: buckets.map((b) => ({ start: new Date(b.startMs).toISOString(), groups: b.groups })),
      totals,
      overall,
    };
  }
}
