import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, FixedClock, type TestApp } from '../helpers/app.js';
import { dripBounce, signDrip } from '../helpers/server-process.js';
import pino from 'pino';
import { backoffMs, type BatchReport } from '../../src/services/processing/process-deliveries.js';
import { Worker } from '../../src/worker/worker.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const RETRY = {
  BOUNCER_RETRY_MAX_ATTEMPTS: '3',
  BOUNCER_RETRY_BASE_MS: '1000',
  BOUNCER_RETRY_MAX_MS: '1500',
};

async function post(t: TestApp, email: string): Promise<string> {
  const body = dripBounce(email);
  const res = await t.app.inject({
    method: 'POST',
    url: '/webhooks/drip/bounce',
    payload: body,
    headers: { 'content-type': 'application/json', 'x-drip-signature': signDrip(body) },
  });
  expect(res.statusCode).toBe(201);
  await t.services.writer.flushed();
  return res.json().delivery_id as string;
}

const delivery = (t: TestApp, id: string) =>
  t.tdb.db.kysely
    .selectFrom('deliveries')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

/** Make inserting an event for `fail-…` addresses fail inside the database, with this SQLSTATE. */
async function failEventsOnPostgres(t: TestApp, sqlstate: string): Promise<void> {
  await sql
    .raw(
      `create or replace function fail_events() returns trigger language plpgsql as $$ begin raise exception 'injected failure' using errcode = '${sqlstate}'; end $$`,
    )
    .execute(t.tdb.db.kysely);
  await sql
    .raw(
      `create trigger fail_events before insert on events for each row when (new.address like 'fail-%') execute function fail_events()`,
    )
    .execute(t.tdb.db.kysely);
}

describe('backoffMs', () => {
  it('doubles per attempt, caps, and jitters into the upper half', () => {
    const s = { maxAttempts: 8, retryBaseMs: 1_000, retryMaxMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, s, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000,
    ]);
    expect(backoffMs(3, s, () => 0)).toBe(2_000);
  });
});

describe.each(testDialects())('the delivery worker on %s', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  it('sends a delivery failing for a non-retryable reason straight to dead, and a replay applies it once fixed', async () => {
    const clock = new FixedClock(NOW);
    t = await buildTestApp(dialect, { clock, env: RETRY });
    if (dialect === 'postgres') await failEventsOnPostgres(t, 'P0001');
    else
      await sql
        .raw(
          `create trigger fail_events before insert on events when new.address like 'fail-%' begin select raise(abort, 'injected failure'); end`,
        )
        .execute(t.tdb.db.kysely);
    const id = await post(t, 'fail-now@example.com');
    const [report] = await t.drain();
    expect(report).toMatchObject({ claimed: 1, dead: 1, retried: 0 });
    expect(await delivery(t, id)).toMatchObject({ status: 'dead', outcome: 'failed', attempts: 1 });
    expect((await delivery(t, id)).last_error).toContain('injected failure');
    const listed = await t.app.inject({
      method: 'GET',
      url: '/v1/deliveries?status=dead',
      headers: auth(),
    });
    expect(listed.json().items.map((d: { id: string }) => d.id)).toEqual([id]);

    await sql
      .raw('drop trigger fail_events' + (dialect === 'postgres' ? ' on events' : ''))
      .execute(t.tdb.db.kysely);
    for (let i = 0; i < 2; i++) {
      const replay = await t.app.inject({
        method: 'POST',
        url: `/v1/deliveries/${id}/replay`,
        headers: auth(),
      });
      expect(replay.statusCode).toBe(202);
      await t.drain();
    }
    expect(await delivery(t, id)).toMatchObject({ status: 'done' });
    const events = await t.tdb.db.kysely
      .selectFrom('events')
      .select('id')
      .where('address', '=', 'fail-now@example.com')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('claims, applies and finishes a batch in one transaction; a failing row sends the batch the long way, which isolates it', async () => {
    const clock = new FixedClock(NOW);
    t = await buildTestApp(dialect, { clock, env: RETRY });
    const ok = [await post(t, 'one@example.com'), await post(t, 'two@example.com')];
    const [first] = await t.drain();
    expect(first).toMatchObject({ claimed: 2, done: 2, dead: 0 });
    for (const id of ok)
      expect(await delivery(t, id)).toMatchObject({
        status: 'done',
        attempts: 1,
        locked_by: null,
        locked_until: null,
      });

    if (dialect === 'postgres') await failEventsOnPostgres(t, 'P0001');
    else
      await sql
        .raw(
          `create trigger fail_events before insert on events when new.address like 'fail-%' begin select raise(abort, 'injected failure'); end`,
        )
        .execute(t.tdb.db.kysely);
    const batch = [
      await post(t, 'three@example.com'),
      await post(t, 'fail-mid@example.com'),
      await post(t, 'four@example.com'),
    ];
    const [second] = await t.drain();
    // The one-transaction attempt rolled back (its claim too), so each row was claimed once.
    expect(second).toMatchObject({ claimed: 3, done: 2, dead: 1 });
    expect(await delivery(t, batch[0]!)).toMatchObject({ status: 'done', attempts: 1 });
    expect(await delivery(t, batch[1]!)).toMatchObject({
      status: 'dead',
      attempts: 1,
      outcome: 'failed',
    });
    expect(await delivery(t, batch[2]!)).toMatchObject({ status: 'done', attempts: 1 });
    const events = await t.tdb.db.kysely
      .selectFrom('events')
      .select('address')
      .orderBy('address')
      .execute();
    expect(events.map((e) => e.address)).toEqual([
      'four@example.com',
      'one@example.com',
      'three@example.com',
      'two@example.com',
    ]);
  });

  it('sizes batches to the time slice once it has measured its speed, and still processes everything', async () => {
    t = await buildTestApp(dialect);
    const worker = new Worker(
      t.services.processor,
      {
        batchSize: 500,
        batchDelayMs: 0,
        pollIntervalMs: 20,
        leaseMs: 60_000,
        retentionDays: 30,
        sliceMs: 1,
      },
      pino({ level: 'silent' }),
    );
    expect(worker.batchLimit()).toBe(500); // nothing measured yet
    const reports: BatchReport[] = [];
    worker.on('batch', (r) => reports.push(r));
    const idle = () => new Promise<void>((resolve) => worker.once('idle', () => resolve()));
    for (let i = 0; i < 40; i++) await post(t, `first-${i}@example.com`);
    worker.start();
    await idle();
    expect(reports.map((r) => r.claimed)).toEqual([40]);
    // Measured: no 1 ms slice holds 200 deliveries, nor fewer than the minimum of 16.
    const limit = worker.batchLimit();
    expect(limit).toBeGreaterThanOrEqual(16);
    expect(limit).toBeLessThan(200);
    await worker.stop();
    for (let i = 0; i < 200; i++) await post(t, `second-${i}@example.com`);
    worker.start();
    await idle();
    await worker.stop();
    const second = reports.slice(1).map((r) => r.claimed);
    expect(second.length).toBeGreaterThan(1);
    expect(Math.max(...second)).toBeLessThan(200);
    expect(second.reduce((a, b) => a + b, 0)).toBe(200);
    const done = await t.tdb.db.kysely
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'done')
      .executeTakeFirstOrThrow();
    expect(Number(done.n)).toBe(240);
  });

  it('returns work whose lease expired to the queue and then applies it', async () => {
    const clock = new FixedClock(NOW);
    t = await buildTestApp(dialect, { clock });
    const id = await post(t, 'lease@example.com');
    const claimed = await t.services.processor.claim('crashed-instance', 10, 60_000);
    expect(claimed.map((r) => r.id)).toEqual([id]);
    expect(await t.services.processor.reclaimExpired()).toBe(0);
    clock.advance(60_001);
    expect(await t.services.processor.reclaimExpired()).toBe(1);
    const [report] = await t.drain();
    expect(report).toMatchObject({ claimed: 1, done: 1 });
    expect(await delivery(t, id)).toMatchObject({ status: 'done', attempts: 2, locked_by: null });
  });

  it('prunes raw deliveries past retention but keeps dead ones and every event', async () => {
    const clock = new FixedClock(NOW);
    t = await buildTestApp(dialect, { clock });
    const old = await post(t, 'old@example.com');
    const oldDead = await post(t, 'old-dead@example.com');
    await t.drain();
    await t.tdb.db.kysely
      .updateTable('deliveries')
      .set({ status: 'dead' })
      .where('id', '=', oldDead)
      .execute();
    clock.advance(31 * 86_400_000);
    const recent = await post(t, 'recent@example.com');
    await t.drain();
    expect(await t.services.processor.prune(30)).toBe(1);
    const left = await t.tdb.db.kysely
      .selectFrom('deliveries')
      .select('id')
      .orderBy('id')
      .execute();
    expect(left.map((r) => r.id)).toEqual([oldDead, recent]);
    expect(left.map((r) => r.id)).not.toContain(old);
    const events = await t.tdb.db.kysely.selectFrom('events').select('address').execute();
    expect(events).toHaveLength(3);
    // Retention is configurable: a shorter one prunes more.
    clock.advance(2 * 86_400_000);
    expect(await t.services.processor.prune(1)).toBe(1);
  });
});

describe.skipIf(!testDialects().includes('postgres'))('retryable failures on postgres', () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  it('retries with exponential backoff and jitter, then goes dead with the last error', async () => {
    const clock = new FixedClock(NOW);
    t = await buildTestApp('postgres', { clock, env: RETRY });
    await failEventsOnPostgres(t, '40001');
    const id = await post(t, 'fail-retry@example.com');
    const expected = [
      [500, 1_000],
      [750, 1_500],
    ];
    for (const [min, max] of expected) {
      const [report] = await t.drain();
      expect(report).toMatchObject({ claimed: 1, retried: 1, dead: 0 });
      const row = await delivery(t, id);
      expect(row.status).toBe('pending');
      expect(row.last_error).toContain('injected failure');
      const delay = Number(row.run_at) - clock.now();
      expect(delay).toBeGreaterThanOrEqual(min!);
      expect(delay).toBeLessThanOrEqual(max!);
      expect(await t.drain()).toEqual([]); // not due yet
      clock.advance(delay);
    }
    const [last] = await t.drain();
    expect(last).toMatchObject({ claimed: 1, dead: 1 });
    expect(await delivery(t, id)).toMatchObject({
      status: 'dead',
      outcome: 'attempts exhausted',
      attempts: 3,
    });
  });
});
