import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { dripBounce, signDrip } from '../helpers/server-process.js';
import type { BatchReport } from '../../src/services/processing/process-deliveries.js';

const changes = (reports: readonly BatchReport[]): number =>
  reports.reduce((n, r) => n + r.applied.reduce((m, a) => m + a.changes.length, 0), 0);

describe.each(testDialects())('a duplicate storm on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('turns the same event delivered 200 times, and replayed, into one event and one suppression change', async () => {
    const body = dripBounce('storm@example.com', 'soft');
    const post = () =>
      t.app.inject({
        method: 'POST',
        url: '/webhooks/drip/bounce',
        payload: body,
        headers: { 'content-type': 'application/json', 'x-drip-signature': signDrip(body) },
      });
    const reports: BatchReport[] = [];
    // Webhooks keep arriving while the worker drains: duplicates land in different batches.
    const answers = await Promise.all([
      ...Array.from({ length: 200 }, post),
      (async () => {
        for (let i = 0; i < 5; i++) reports.push(...(await t.drain()));
      })().then(() => null),
    ]);
    expect(answers.filter((a) => a !== null).every((a) => a.statusCode === 201)).toBe(true);
    reports.push(...(await t.drain()));
    const ids = answers.filter((a) => a !== null).map((a) => a.json().delivery_id as string);
    expect(new Set(ids).size).toBe(200);

    // Replays: all of them at once, one by one, and concurrently with each other.
    const bulk = await t.app.inject({
      method: 'POST',
      url: '/v1/deliveries/replay',
      headers: auth(),
      payload: { status: 'done' },
    });
    expect(bulk.json()).toMatchObject({ requeued: 200 });
    await Promise.all(
      ids
        .slice(0, 20)
        .map((id) =>
          t.app.inject({ method: 'POST', url: `/v1/deliveries/${id}/replay`, headers: auth() }),
        ),
    );
    reports.push(...(await t.drain()));

    const { db } = t.tdb;
    const events = await db.kysely
      .selectFrom('events')
      .selectAll()
      .where('address', '=', 'storm@example.com')
      .execute();
    const rows = await db.kysely
      .selectFrom('suppressions')
      .selectAll()
      .where('address', '=', 'storm@example.com')
      .execute();
    expect(events).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'soft_bounce', soft_count: 1 });
    expect(changes(reports)).toBe(1);
    const statuses = await db.kysely.selectFrom('deliveries').select('status').distinct().execute();
    expect(statuses).toEqual([{ status: 'done' }]);
  });
});
