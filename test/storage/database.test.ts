import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { testDialects } from '../helpers/dialects.js';
import { openDatabase, type Db } from '../../src/storage/database.js';
import type { NewSuppressionRow } from '../../src/storage/schema.js';

/** The commit durability the connection would use now: SQLite `synchronous`, PostgreSQL `synchronous_commit`. */
async function durability(db: Db, q = db.kysely): Promise<string> {
  if (db.caps.engine === 'sqlite') return String((await sql<{ synchronous: number }>`pragma synchronous`.execute(q)).rows[0]!.synchronous);
  return (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(q)).rows[0]!.synchronous_commit;
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
    await expect(db.replayableTransaction(async () => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await durability(db)).toBe(durable);
    // A transaction started meanwhile elsewhere is not relaxed.
    const [inside, outside] = await Promise.all([
      db.replayableTransaction(async (trx) => durability(db, trx)),
      db.kysely.transaction().execute((trx) => durability(db, trx)),
    ]);
    expect([inside, outside]).toEqual([relaxed, durable]);
  });

  it('keeps what a replayable transaction committed', async () => {
    await db.replayableTransaction((trx) => sql`insert into kv (key, value, updated_at) values ('replayable', '1', 1)`.execute(trx));
    const rows = await db.kysely.selectFrom('kv').select('value').where('key', '=', 'replayable').execute();
    expect(rows).toEqual([{ value: '1' }]);
  });

  it.runIf(dialect === 'sqlite')('inserts suppressions through the prepared statement only inside a transaction, reporting existing keys', async () => {
    const row = (address: string): NewSuppressionRow => ({
      id: `id-${address}`, channel: 'email', address, scope: '*', reason: 'hard_bounce', source: 'test',
      first_event_at: 1, last_event_at: 1, expires_at: null, soft_count: 0, soft_failures: '[]', metadata: '{}', created_at: 1, updated_at: 1,
    });
    expect(() => db.insertSuppressionsPrepared!([row('a@example.com')])).toThrow(/inside a transaction/);
    const first = await db.kysely.transaction().execute(async () => db.insertSuppressionsPrepared!([row('a@example.com'), row('b@example.com')]));
    expect(first).toEqual([true, true]);
    const again = await db.kysely.transaction().execute(async () => db.insertSuppressionsPrepared!([row('b@example.com'), row('c@example.com')]));
    expect(again).toEqual([false, true]);
    expect(await db.kysely.selectFrom('suppressions').select('address').orderBy('address').execute()).toEqual([{ address: 'a@example.com' }, { address: 'b@example.com' }, { address: 'c@example.com' }]);
  });
});
