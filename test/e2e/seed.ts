import { createHmac } from 'node:crypto';
import { insertEvents } from '../../src/storage/repositories/event.repository.js';
import type { NewEventRow } from '../../src/storage/schema.js';
import { DRIP_SECRET, type TestApp } from '../helpers/app.js';

const DAY_MS = 86_400_000;
const sign = (body: string): string => createHmac('sha256', DRIP_SECRET).update(body).digest('hex');

export const BOUNCED = 'bounced@example.com';

async function drip(t: TestApp, body: unknown): Promise<number> {
  const raw = JSON.stringify(body);
  const res = await t.app.inject({
    method: 'POST',
    url: '/webhooks/drip/bounce',
    payload: raw,
    headers: { 'content-type': 'application/json', 'x-drip-signature': sign(raw) },
  });
  return res.statusCode;
}

/**
 * A dashboard worth looking at: real Drip bounces through the webhook (with raw payloads), a dead
 * delivery, manual suppressions of several reasons, and two weeks of delivered/bounce/complaint
 * events with a bounce spike (deterministic numbers, no randomness).
 */
export async function seedDashboard(t: TestApp): Promise<void> {
  const now = t.clock.now();
  await drip(t, {
    event: 'subscriber.bounced',
    data: {
      email: 'Bounced@Example.com',
      bounce_type: 'hard',
      bounce_reason: '550 5.1.1 The email account that you tried to reach does not exist',
      occurred_at: new Date(now - 3_600_000).toISOString(),
    },
  });
  for (let i = 0; i < 6; i++) {
    await drip(t, {
      event: 'subscriber.bounced',
      data: {
        email: `user${i}@mailbox-full.example`,
        bounce_type: i % 2 ? 'soft' : 'hard',
        bounce_reason: i % 2 ? '452 4.2.2 Mailbox full' : '550 5.1.1 No such user',
        occurred_at: new Date(now - (i + 2) * 3_600_000).toISOString(),
      },
    });
  }
  // Authentic but unusable: kept as a dead delivery the dashboard can replay.
  await drip(t, { event: 'subscriber.bounced', data: { bounce_type: 'hard' } });
  await t.drain();
  const manual: Array<[string, string]> = [
    ['complainer@example.org', 'spam_complaint'],
    ['angry@example.org', 'spam_complaint'],
    ['leaver@example.net', 'unsubscribe'],
    ['+14155550123', 'manual'],
  ];
  for (const [address, reason] of manual)
    await t.services.suppressions.suppress({
      address,
      reason,
      note: 'seeded for the dashboard',
      actor: 'seed',
    });
  const rows: NewEventRow[] = [];
  let n = 0;
  const add = (type: string, count: number, day: number): void => {
    for (let i = 0; i < count; i++) {
      n++;
      const at = now - day * DAY_MS - (i % 20) * 60_000;
      rows.push({
        id: `seed${String(n).padStart(10, '0')}`,
        provider: 'drip',
        dedup_key: `seed-${n}`,
        type,
        channel: 'email',
        address: `r${n}@example.com`,
        scope: '*',
        severity: type === 'bounce' ? 'hard' : null,
        reason: type === 'bounce' ? 'hard_bounce' : type === 'complaint' ? 'spam_complaint' : null,
        fine_reason: null,
        smtp_code: null,
        enhanced_status: null,
        diagnostic: null,
        error_code: null,
        provider_message_id: null,
        campaign: null,
        occurred_at: at,
        received_at: at,
        delivery_id: null,
        details: '{}',
      });
    }
  };
  for (let day = 1; day <= 14; day++) {
    const delivered = 300 + ((day * 37) % 120);
    add('delivered', delivered, day);
    add('bounce', day === 4 ? 40 : 6 + (day % 5), day);
    add('complaint', day % 3 === 0 ? 1 : 0, day);
  }
  await insertEvents(t.tdb.db.kysely, rows);
}
