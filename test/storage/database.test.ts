import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { testDialects } from '../helpers/dialects.js';
import { openDatabase, type Db } from '../../src/storage/database.js';
import { startCheckpointer } from '../../src/storage/sqlite/sqlite-checkpointer.js';
import type { NewEventRow, NewSuppressionRow } from '../../src/storage/schema.js';

/** The commit durability the connection would use now: SQLite `synchronous`, PostgreSQL `synchronous_commit`. */
async function durability(db: Db, q = db.kysely): Promise<string> {
  if (db.caps.engine === 'sqlite')
    return String(
      (await sql<{ synchronous: number }>`pragma synchronous`.execute(q)).rows[0]!.synchronous,
    );
  return (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(q)).rows[0]!
    .synchronous_commit;
}

describe.each(testDialects())('the database layer on %s', (dialect) => {
  let t: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    // Default durability (the test helper relaxes SQLite to NORMAL for speed).
    db = t.settings.kind === 'sqlite' ? openDatabase({ ...t.settings, synchronous: 'FULL' }) : t.db;
  });
  afterAll(async () => {
    if (db !== t.db) await db.close();
    await t.cleanup();
  });

  const durable = dialect === 'sqlite' ? '2' : 'on';
  const relaxed = dialect === 'sqlite' ? '1' : 'off';

  it('relaxes only the replayable transaction, and restores durability after commit and after rollback', async () => {
    expect(await durability(db)).toBe(durable);
    expect(await db.replayableTransaction((trx) => durability(db, trx))).toBe(relaxed);
    expect(await durability(db)).toBe(durable);
    expect(await db.kysely.transaction().execute((trx) => durability(db, trx))).toBe(durable);
    await expect(
      db.replayableTransaction(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await durability(db)).toBe(durable);
    // A transaction started meanwhile elsewhere is not relaxed.
    const [inside, outside] = await Promise.all([
      db.replayableTransaction(async (trx) => durability(db, trx)),
      db.kysely.transaction().execute((trx) => durability(db, trx)),
    ]);
    expect([inside, outside]).toEqual([relaxed, durable]);
  });

  it('keeps what a replayable transaction committed', async () => {
    await db.replayableTransaction((trx) =>
      sql`insert into kv (key, value, updated_at) values ('replayable', '1', 1)`.execute(trx),
    );
    const rows = await db.kysely
      .selectFrom('kv')
      .select('value')
      .where('key', '=', 'replayable')
      .execute();
    expect(rows).toEqual([{ value: '1' }]);
  });

  it.runIf(dialect === 'sqlite')(
    'inserts suppressions through the prepared statement only inside a transaction, reporting existing keys',
    async () => {
      const row = (address: string): NewSuppressionRow => ({
        id: `id-${address}`,
        channel: 'email',
        address,
        scope: '*',
        reason: 'hard_bounce',
        source: 'test',
        first_event_at: 1,
        last_event_at: 1,
        expires_at: null,
        soft_count: 0,
        soft_failures: '[]',
        metadata: '{}',
        created_at: 1,
        updated_at: 1,
      });
      expect(() => db.insertSuppressionsPrepared!([row('a@example.com')])).toThrow(
        /inside a transaction/,
      );
      const first = await db.kysely
        .transaction()
        .execute(async () =>
          db.insertSuppressionsPrepared!([row('a@example.com'), row('b@example.com')]),
        );
      expect(first).toEqual([true, true]);
      const again = await db.kysely
        .transaction()
        .execute(async () =>
          db.insertSuppressionsPrepared!([row('b@example.com'), row('c@example.com')]),
        );
      expect(again).toEqual([false, true]);
      expect(
        await db.kysely.selectFrom('suppressions').select('address').orderBy('address').execute(),
      ).toEqual([
        { address: 'a@example.com' },
        { address: 'b@example.com' },
        { address: 'c@example.com' },
      ]);
    },
  );

  it.runIf(dialect === 'sqlite')(
    'inserts events through the prepared statement only inside a transaction, reporting duplicates by (provider, dedup_key)',
    async () => {
      const row = (provider: string, dedupKey: string): NewEventRow => ({
        id: `ev-${provider}-${dedupKey}`,
        provider,
        dedup_key: dedupKey,
        type: 'bounce',
        channel: 'email',
        address: 'a@example.com',
        scope: '*',
        severity: 'hard',
        reason: 'hard_bounce',
        fine_reason: null,
        smtp_code: '550',
        enhanced_status: '5.1.1',
        diagnostic: null,
        error_code: null,
        provider_message_id: null,
        campaign: null,
        occurred_at: 1,
        received_at: 2,
        delivery_id: null,
        details: '{}',
      });
      expect(() => db.insertEventsPrepared!([row('drip', 'k1')])).toThrow(/inside a transaction/);
      expect(
        await db.kysely
          .transaction()
          .execute(async () => db.insertEventsPrepared!([row('drip', 'k1'), row('drip', 'k2')])),
      ).toEqual([true, true]);
      // The same key from another provider is another event; from the same provider, a duplicate.
      expect(
        await db.kysely
          .transaction()
          .execute(async () =>
            db.insertEventsPrepared!([row('drip', 'k2'), row('sendgrid', 'k2')]),
          ),
      ).toEqual([false, true]);
      const stored = await db.kysely
        .selectFrom('events')
        .select(['provider', 'dedup_key', 'smtp_code', 'details'])
        .orderBy('provider')
        .orderBy('dedup_key')
        .execute();
      expect(stored).toEqual([
        { provider: 'drip', dedup_key: 'k1', smtp_code: '550', details: '{}' },
        { provider: 'drip', dedup_key: 'k2', smtp_code: '550', details: '{}' },
        { provider: 'sendgrid', dedup_key: 'k2', smtp_code: '550', details: '{}' },
      ]);
    },
  );

  it('commits deliveries before the write resolves, concurrent writes included', async () => {
    const now = Date.now();
    const rows = ['d1', 'd2', 'd3'].map((id) => ({
      id,
      provider: 'drip',
      endpoint: 'drip',
      received_at: now,
      url: '/webhooks/drip/bounce',
      params: '{}',
      headers: '{}',
      body: Buffer.from(`{"n":"${id}"}`),
      status: 'pending' as const,
      attempts: 0,
      run_at: now,
      last_error: null,
      outcome: null,
      processed_at: null,
    }));
    await Promise.all([db.writeDeliveries(rows.slice(0, 2)), db.writeDeliveries(rows.slice(2))]);
    const stored = await db.kysely
      .selectFrom('deliveries')
      .select(['id', 'body'])
      .where('id', 'in', ['d1', 'd2', 'd3'])
      .orderBy('id')
      .execute();
    expect(stored.map((r) => [r.id, Buffer.from(r.body).toString()])).toEqual([
      ['d1', '{"n":"d1"}'],
      ['d2', '{"n":"d2"}'],
      ['d3', '{"n":"d3"}'],
    ]);
    expect(await durability(db)).toBe(durable);
  });
});

describe('background WAL checkpoints (SQLite)', () => {
  it('copy the WAL into the database file from another thread while the serving connection never checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bouncer-checkpoint-'));
    try {
      const path = join(dir, 'bouncer.db');
      const db = openDatabase({
        kind: 'sqlite',
        path,
        synchronous: 'FULL',
        backgroundCheckpoints: true,
      });
      expect(
        (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db.kysely))
          .rows[0]!.wal_autocheckpoint,
      ).toBe(0);
      await sql`create table t (x text)`.execute(db.kysely);
      const sizeBefore = statSync(path).size;
      for (let i = 0; i < 20; i++)
        await sql`insert into t values (${'x'.repeat(20_000)})`.execute(db.kysely);
      // Only a checkpoint writes pages into the database file itself.
      const deadline = Date.now() + 10_000;
      while (statSync(path).size <= sizeBefore + 100_000 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(statSync(path).size).toBeGreaterThan(sizeBefore + 100_000);
      await db.close();
      // The thread stopped with the database: the last connection closed and removed the WAL.
      expect(existsSync(`${path}-wal`)).toBe(false);
      const reopened = openDatabase({ kind: 'sqlite', path });
      expect(
        (await sql<{ n: number }>`select count(*) as n from t`.execute(reopened.kysely)).rows[0]!.n,
      ).toBe(20);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('report a thread that could not start, so that commits checkpoint again', async () => {
    const stopped = await new Promise<string>((resolve) => {
      startCheckpointer(join(tmpdir(), 'bouncer-no-such-dir', 'x', 'bouncer.db'), {
        onStopped: resolve,
      });
    });
    expect(stopped).toMatch(
      /checkpoint thread failed: .*(directory does not exist|unable to open)/i,
    );
  });
});
