import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../src/core/events.js';
import { MAX_EVENTS_PER_TRANSACTION } from '../../src/services/processing/process-deliveries.js';
import { testDialects } from '../helpers/dialects.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

const EVENTS = 2 * MAX_EVENTS_PER_TRANSACTION + 7;

describe.each(testDialects())('one delivery with many events on %s', (dialect) => {
  let t: TestApp;
  let transactions = 0;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      services: {
        extraEndpoints: [
          {
            id: 'batch',
            path: '/webhooks/batch',
            auth: 'adapter',
            bodyLimit: 'single',
            reply: 'standard',
            adapter: {
              name: 'batch',
              verify: () => ({ ok: true }),
              // One request, EVENTS events: what a 48k-event SendGrid batch looks like.
              parse: () => ({
                kind: 'events',
                errors: [],
                events: Array.from({ length: EVENTS }, (_, i) =>
                  makeEvent({
                    type: 'bounce',
                    channel: 'email',
                    address: `u${i}@example.com`,
                    occurredAt: 1_700_000_000_000,
                    dedupKey: `batch-${i}`,
                    reason: 'hard_bounce',
                    severity: 'hard',
                  }),
                ),
              }),
            },
          },
        ],
      },
    });
    const db = t.services.db;
    const original = db.replayableTransaction.bind(db);
    db.replayableTransaction = ((fn: Parameters<typeof original>[0]) => {
      transactions++;
      return original(fn);
    }) as typeof db.replayableTransaction;
  });
  afterAll(async () => t.close());

  it('is applied in slices of events, each its own transaction, and completed once', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/batch',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    const deliveryId = res.json().delivery_id as string;
    transactions = 0;
    await t.drain();
    // The claim-and-apply attempt is rolled back, then three slices: 2,000 + 2,000 + 7.
    expect(transactions).toBeGreaterThanOrEqual(Math.ceil(EVENTS / MAX_EVENTS_PER_TRANSACTION));
    const count = await t.tdb.db.kysely
      .selectFrom('suppressions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(EVENTS);
    const row = await t.tdb.db.kysely
      .selectFrom('deliveries')
      .select(['status', 'outcome'])
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'done', outcome: `${EVENTS} event(s)` });
  });
});
