import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../../src/core/clock.js';
import { makeEvent, type NormalisedEvent } from '../../../src/core/events.js';
import { DEFAULT_POLICY } from '../../../src/core/policy.js';
import { applyEvents } from '../../../src/services/processing/apply-events.js';
import { testDialects } from '../../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

const T0 = Date.UTC(2026, 10, 1);
let seq = 0;
const ev = (fields: Partial<NormalisedEvent> & Pick<NormalisedEvent, 'type'>): NormalisedEvent =>
  makeEvent({
    channel: 'email',
    address: 'a@example.com',
    occurredAt: T0,
    dedupKey: `k${++seq}`,
    ...fields,
  });

describe.each(testDialects())('applying events to the suppression list on %s', (dialect) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
  });
  afterAll(async () => tdb.cleanup());

  const apply = (events: NormalisedEvent[], now = T0, provider = 'test') =>
    tdb.db.kysely.transaction().execute((trx) =>
      applyEvents(
        trx,
        tdb.db.caps,
        DEFAULT_POLICY,
        events.map((event) => ({ provider, deliveryId: null, receivedAt: now, event })),
        now,
      ),
    );
  const row = (address: string, scope = '*') =>
    tdb.db.kysely
      .selectFrom('suppressions')
      .selectAll()
      .where('address', '=', address)
      .where('scope', '=', scope)
      .executeTakeFirst();

  it('makes a soft-bouncing address permanent at the fifth failure within 30 days, across batches', async () => {
    for (let i = 0; i < 4; i++)
      await apply([
        ev({
          type: 'bounce',
          reason: 'soft_bounce',
          address: 's@example.com',
          occurredAt: T0 + i * MS_PER_DAY,
        }),
      ]);
    expect(await row('s@example.com')).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 4,
      expires_at: T0 + 10 * MS_PER_DAY,
    });
    await apply([
      ev({
        type: 'bounce',
        reason: 'soft_bounce',
        address: 's@example.com',
        occurredAt: T0 + 4 * MS_PER_DAY,
      }),
    ]);
    expect(await row('s@example.com')).toMatchObject({ soft_count: 5, expires_at: null });
  });

  it('resets the soft count when a delivery follows, and ends the cool-down', async () => {
    await apply([ev({ type: 'bounce', reason: 'soft_bounce', address: 'r@example.com' })]);
    const res = await apply([
      ev({ type: 'delivered', address: 'r@example.com', occurredAt: T0 + MS_PER_DAY }),
    ]);
    expect(res.changes).toMatchObject([{ kind: 'updated', address: 'r@example.com' }]);
    expect(await row('r@example.com')).toMatchObject({
      soft_count: 0,
      expires_at: T0 + MS_PER_DAY,
    });
  });

  it('changes nothing when the same event arrives twice', async () => {
    const first = ev({ type: 'bounce', reason: 'soft_bounce', address: 'd@example.com' });
    const a = await apply([first]);
    const b = await apply([first]);
    const c = await apply([first, first]);
    expect(a.newEvents).toHaveLength(1);
    expect(b).toMatchObject({ newEvents: [], duplicates: 1, changes: [] });
    expect(c).toMatchObject({ newEvents: [], duplicates: 2 });
    expect(await row('d@example.com')).toMatchObject({ soft_count: 1 });
  });

  it('lifts only the group unsubscribe on a group resubscribe', async () => {
    await apply([
      ev({ type: 'unsubscribe', reason: 'unsubscribe', address: 'g@example.com', scope: '10' }),
      ev({ type: 'unsubscribe', reason: 'unsubscribe', address: 'g@example.com', scope: '20' }),
      ev({ type: 'bounce', reason: 'hard_bounce', address: 'g@example.com' }),
    ]);
    const res = await apply([
      ev({ type: 'resubscribe', address: 'g@example.com', scope: '10', occurredAt: T0 + 1 }),
    ]);
    expect(res.changes).toEqual([
      {
        kind: 'lifted',
        channel: 'email',
        address: 'g@example.com',
        scope: '10',
        reason: 'unsubscribe',
        source: 'test',
        expiresAt: null,
        previous: { reason: 'unsubscribe', expiresAt: null },
      },
    ]);
    expect(await row('g@example.com', '10')).toBeUndefined();
    expect(await row('g@example.com', '20')).toMatchObject({ reason: 'unsubscribe' });
    expect(await row('g@example.com')).toMatchObject({ reason: 'hard_bounce' });
  });

  it('applies many events for one address in event-time order within a batch', async () => {
    const res = await apply([
      ev({ type: 'bounce', reason: 'hard_bounce', address: 'o@example.com', occurredAt: T0 + 2 }),
      ev({
        type: 'unsubscribe',
        reason: 'unsubscribe',
        address: 'o@example.com',
        occurredAt: T0 + 1,
      }),
    ]);
    expect(res.changes).toMatchObject([{ kind: 'created', reason: 'hard_bounce' }]);
    expect(await row('o@example.com')).toMatchObject({
      reason: 'hard_bounce',
      first_event_at: T0 + 1,
      last_event_at: T0 + 2,
    });
  });

  it('stores every event with its details, once per provider and dedup key', async () => {
    await apply([ev({ type: 'open', address: 'e@example.com', dedupKey: 'same' })], T0, 'sendgrid');
    await apply([ev({ type: 'open', address: 'e@example.com', dedupKey: 'same' })], T0, 'ses');
    const events = await tdb.db.kysely
      .selectFrom('events')
      .select(['provider'])
      .where('address', '=', 'e@example.com')
      .orderBy('provider')
      .execute();
    expect(events.map((e) => e.provider)).toEqual(['sendgrid', 'ses']);
  });
});
