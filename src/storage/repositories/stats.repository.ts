import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

/** What the counts can be broken down by; `none` puts every event in the group `*`. */
export const STATS_GROUPINGS = ['none', 'provider', 'campaign', 'reason'] as const;
export type StatsGrouping = (typeof STATS_GROUPINGS)[number];

export interface BucketCount {
  /** Bucket start, epoch ms (a multiple of the bucket width: UTC hours and days). */
  bucket: number;
  group: string;
  type: string;
  /** hard | soft | undetermined for bounces, '' otherwise. */
  severity: string;
  count: number;
}

function groupColumn(by: StatsGrouping): RawBuilder<string> {
  if (by === 'provider') return sql<string>`provider`;
  if (by === 'campaign') return sql<string>`coalesce(campaign, '')`;
  if (by === 'reason') return sql<string>`coalesce(reason, '')`;
  return sql<string>`'*'`;
}

/**
 * Events counted per time bucket, group, type and severity, for occurred_at in [from, to).
 * Timestamps are epoch-ms integers on both engines, so bucketing is integer division by the
 * bucket width, identical on SQLite and PostgreSQL (bigint / integer truncates on both): no
 * date functions, no time zones (buckets are UTC). The range uses the (occurred_at, type) index.
 */
export async function eventCountsPerBucket(
  q: Q,
  opts: {
    from: number;
    to: number;
    bucketMs: number;
    by: StatsGrouping;
    types?: readonly string[];
  },
): Promise<BucketCount[]> {
  const bucket = sql<number>`(occurred_at / ${sql.lit(opts.bucketMs)})`;
  const grp = groupColumn(opts.by);
  const sev = sql<string>`coalesce(severity, '')`;
  let query = q
    .selectFrom('events')
    .select([
      bucket.as('b'),
      grp.as('grp'),
      'type',
      sev.as('sev'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('occurred_at', '>=', opts.from)
    .where('occurred_at', '<', opts.to);
  if (opts.types) query = query.where('type', 'in', opts.types);
  // A constant is not a valid GROUP BY term on PostgreSQL ("non-integer constant"): leave it out.
  const rows = await query
    .groupBy(opts.by === 'none' ? [bucket, 'type', sev] : [bucket, grp, 'type', sev])
    .orderBy(bucket)
    .execute();
  return rows.map((r) => ({
    bucket: Math.floor(Number(r.b)) * opts.bucketMs,
    group: String(r.grp),
    type: r.type,
    severity: String(r.sev),
    count: Number(r.n),
  }));
}
