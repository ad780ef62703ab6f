import type { ChangeEvent } from '../../core/change-events.js';
import type { Db } from '../../storage/database.js';
import { getKv, putKv } from '../../storage/repositories/kv.repository.js';
import { findEndedCooldowns } from '../../storage/repositories/outbound.repository.js';
import { changeData } from '../suppressions/suppressions.js';
import { queueChangeEvents } from './change-outbox.js';

const WATERMARK_KEY = 'outbound.expiry.watermark';
const PAGE_ROWS = 500;

/**
 * Queue `suppression.expired` for every cool-down that ended after the watermark (kv), page by
 * page, then move the watermark to `now` in the last page's transaction. Each event's dedup key
 * is the row and its end, so a sweep repeated after a crash, or run by two instances at once,
 * queues each one once.
 */
export async function sweepEndedCooldowns(db: Db, now: number): Promise<number> {
  const since = await getKv<number>(db.kysely, WATERMARK_KEY);
  // The first sweep only starts the clock: cool-downs that ended before there were
  // subscribers are history, not news.
  if (since === null) {
    await putKv(db.kysely, WATERMARK_KEY, now, now);
    return 0;
  }
  let afterId: string | null = null;
  let queued = 0;
  for (;;) {
    const rows = await findEndedCooldowns(db.kysely, since, now, afterId, PAGE_ROWS);
    const last = rows.length < PAGE_ROWS;
    queued += await db.kysely.transaction().execute(async (trx) => {
      const events: Array<ChangeEvent & { key: string }> = rows.map((r) => ({
        type: 'suppression.expired',
        at: Number(r.expires_at),
        data: changeData(r),
        key: `expired|${r.id}|${Number(r.expires_at)}`,
      }));
      const n = await queueChangeEvents(
        trx,
        events,
        now,
        (e) => (e as (typeof events)[number]).key,
      );
      if (last) await putKv(trx, WATERMARK_KEY, now, now);
      return n;
    });
    if (last) return queued;
    afterId = rows[rows.length - 1]!.id;
  }
}
