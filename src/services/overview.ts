import type { Clock } from '../core/clock.js';
import type { AlertRules } from '../core/alert-rules.js';
import type { Db } from '../storage/database.js';
import { eventsPerDayByType, queueState } from '../storage/alert-window.repository.js';
import { countByReason } from '../storage/suppression.repository.js';

const DAY_MS = 86_400_000;

export interface Overview {
  /** Seed 000's breakdown table: active suppressions by reason, with their share. */
  suppressionsByReason: Array<{ reason: string; count: number; percent: number }>;
  totalSuppressions: number;
  /** UTC days (YYYY-MM-DD) and, per event type, one count per day. */
  eventsPerDay: { days: string[]; series: Record<string, number[]> };
  /** Per day, in percent; null where fewer sends than the alert rule's minimum volume. */
  rates: { bounce: Array<number | null>; complaint: Array<number | null> };
  thresholds: { bounce: { warning: number; critical: number }; complaint: { warning: number; critical: number } };
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
      eventsPerDayByType(this.deps.db.kysely, firstDay * DAY_MS),
      queueState(this.deps.db.kysely),
    ]);
    const totals = new Map<string, number>();
    for (const r of byReason) totals.set(r.reason, (totals.get(r.reason) ?? 0) + r.count);
    const total = [...totals.values()].reduce((a, b) => a + b, 0);
    const suppressionsByReason = [...totals.entries()]
      .map(([reason, count]) => ({ reason, count, percent: total === 0 ? 0 : Number(((count / total) * 100).toFixed(1)) }))
      .sort((a, b) => b.count - a.count);
    const dayList = Array.from({ length: days }, (_, i) => firstDay + i);
    const series: Record<string, number[]> = {};
    for (const r of perDay) {
      const idx = r.day - firstDay;
      if (idx < 0 || idx >= days) continue;
      (series[r.type] ??= new Array<number>(days).fill(0))[idx] = r.count;
    }
    const at = (type: string, i: number): number => series[type]?.[i] ?? 0;
    const { bounceRate, complaintRate } = this.deps.rules;
    // Days below the alert rule's minimum volume are left out, as the alerts leave them unjudged.
    const rate = (num: number, den: number, min: number): number | null => (den === 0 || den < min ? null : Number(((num / den) * 100).toFixed(3)));
    return {
      suppressionsByReason,
      totalSuppressions: total,
      eventsPerDay: { days: dayList.map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10)), series },
      rates: {
        bounce: dayList.map((_, i) => rate(at('bounce', i), at('delivered', i) + at('bounce', i), bounceRate.minVolume)),
        complaint: dayList.map((_, i) => rate(at('complaint', i), at('delivered', i), complaintRate.minVolume)),
      },
      thresholds: {
        bounce: { warning: bounceRate.warningPercent, critical: bounceRate.criticalPercent },
        complaint: { warning: complaintRate.warningPercent, critical: complaintRate.criticalPercent },
      },
      queue: { pending: queue.pending, processing: queue.processing, dead: queue.dead, oldest_age_seconds: queue.oldestWaitingAt === null ? 0 : Math.max(0, Math.round((now - queue.oldestWaitingAt) / 1_000)) },
    };
  }
}
