import type { Clock } from '../../core/clock.js';
import type { AlertRules } from '../../core/alert-rules.js';
import type { Db } from '../../storage/database.js';
import { MS_PER_DAY as DAY_MS } from '../../core/clock.js';
import { queueState } from '../../storage/repositories/alert-window.repository.js';
import { eventCountsPerBucket } from '../../storage/repositories/stats.repository.js';
import { countByReason } from '../../storage/repositories/suppression.repository.js';
import { bounceRate as bounceRateOf, complaintRate as complaintRateOf } from './stats.js';

export interface Overview {
  /** Seed 000's breakdown table: active suppressions by reason, with their share. */
  suppressionsByReason: Array<{ reason: string; count: number; percent: number }>;
  totalSuppressions: number;
  /** UTC days (YYYY-MM-DD) and, per event type, one count per day. */
  eventsPerDay: { days: string[]; series: Record<string, number[]> };
  /** Per day, in percent; null where fewer sends than the alert rule's minimum volume. */
  rates: { bounce: Array<number | null>; complaint: Array<number | null> };
  thresholds: {
    bounce: { warning: number; critical: number };
    complaint: { warning: number; critical: number };
  };
  queue: { pending: number; processing: number; dead: number; oldest_age_seconds: number };
}

/** The dashboard's first page in one request. */
export class OverviewService {
  constructor(private readonly deps: { db: Db; clock: Clock; rules: AlertRules }) {}

  async overview(days: number): Promise<Overview> {
    const now = this.deps.clock.now();
    const firstDay = Math.floor(now / DAY_MS) - days + 1;
    const [byReason, perDay, queue] = await Promise.all([
      countByReason(this.deps.db.kysely, now),
      eventCountsPerBucket(this.deps.db.kysely, {
        from: firstDay * DAY_MS,
        to: (firstDay + days) * DAY_MS,
        bucketMs: DAY_MS,
        by: 'none',
      }),
      queueState(this.deps.db.kysely),
    ]);
    const totals = new Map<string, number>();
    for (const r of byReason) totals.set(r.reason, (totals.get(r.reason) ?? 0) + r.count);
    const total = [...totals.values()].reduce((a, b) => a + b, 0);
    const suppressionsByReason = [...totals.entries()]
      .map(([reason, count]) => ({
        reason,
        count,
        percent: total === 0 ? 0 : Number(((count / total) * 100).toFixed(1)),
      }))
      .sort((a, b) => b.count - a.count);
    const dayList = Array.from({ length: days }, (_, i) => firstDay + i);
    const series: Record<string, number[]> = {};
    for (const r of perDay) {
      const idx = r.bucket / DAY_MS - firstDay;
      if (idx < 0 || idx >= days) continue;
      const counts = (series[r.type] ??= new Array<number>(days).fill(0));
      counts[idx] = (counts[idx] ?? 0) + r.count;
    }
    const at = (type: string, i: number): number => series[type]?.[i] ?? 0;
    const { bounceRate, complaintRate } = this.deps.rules;
    // Days below the alert rule's minimum volume are left out, as the alerts leave them unjudged.
    // The rates are the ones /v1/stats answers (services/stats.ts), so the two never disagree.
    const judged = (volume: number, min: number, value: number | null): number | null =>
      volume < min ? null : value;
    return {
      suppressionsByReason,
      totalSuppressions: total,
      eventsPerDay: {
        days: dayList.map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10)),
        series,
      },
      rates: {
        bounce: dayList.map((_, i) =>
          judged(
            at('delivered', i) + at('bounce', i),
            bounceRate.minVolume,
            bounceRateOf(at('bounce', i), at('delivered', i)),
          ),
        ),
        complaint: dayList.map((_, i) =>
          judged(
            at('delivered', i),
            complaintRate.minVolume,
            complaintRateOf(at('complaint', i), at('delivered', i)),
          ),
        ),
      },
      thresholds: {
        bounce: { warning: bounceRate.warningPercent, critical: bounceRate.criticalPercent },
        complaint: {
          warning: complaintRate.warningPercent,
          critical: complaintRate.criticalPercent,
        },
      },
      queue: {
        pending: queue.pending,
        processing: queue.processing,
        dead: queue.dead,
        oldest_age_seconds:
          queue.oldestWaitingAt === null
            ? 0
            : Math.max(0, Math.round((now - queue.oldestWaitingAt) / 1_000)),
      },
    };
  }
}
