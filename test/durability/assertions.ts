import { afterEach, expect } from 'vitest';
import type { Db } from '../../src/storage/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import type { TestDialect } from '../helpers/dialects.js';
import { startServerProcess, waitFor, type ServerProcess } from '../helpers/server-process.js';

/**
 * A fresh database and the `bouncer serve` processes a test starts on it. After each test every
 * process still running is killed and the database removed. Call in a describe block.
 */
export function serverFixture(): {
  database(dialect: TestDialect): Promise<TestDatabase>;
  start(env: Record<string, string>): Promise<ServerProcess>;
} {
  let tdb: TestDatabase | undefined;
  let servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers) await s.kill('SIGKILL');
    servers = [];
    await tdb?.cleanup();
    tdb = undefined;
  });
  return {
    database: async (dialect) => (tdb = await createTestDatabase(dialect)),
    start: async (env) => {
      const server = await startServerProcess(env);
      servers.push(server);
      return server;
    },
  };
}

/** Wait until no delivery is waiting or claimed (the worker caught up). */
export async function waitForEmptyQueue(db: Db, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const row = await db.kysely
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['pending', 'processing'])
        .executeTakeFirst();
      return Number(row?.n ?? 0) === 0;
    },
    timeoutMs,
    100,
  );
}

/**
 * Every acknowledged address has exactly one event and one suppression: nothing promised was
 * lost and nothing was applied twice.
 */
export async function expectAppliedOnce(db: Db, acked: readonly string[]): Promise<void> {
  expect(acked.length).toBeGreaterThan(0);
  const events = await db.kysely.selectFrom('events').select(['address']).execute();
  const eventCount = new Map<string, number>();
  for (const e of events) eventCount.set(e.address, (eventCount.get(e.address) ?? 0) + 1);
  const suppressions = await db.kysely
    .selectFrom('suppressions')
    .select(['address', 'reason'])
    .execute();
  const suppressed = new Map<string, number>();
  for (const s of suppressions) suppressed.set(s.address, (suppressed.get(s.address) ?? 0) + 1);
  const missing = acked.filter((a) => eventCount.get(a) !== 1 || suppressed.get(a) !== 1);
  expect(
    missing.slice(0, 5),
    `${missing.length} acknowledged addresses not applied exactly once`,
  ).toEqual([]);
  // Unacknowledged requests that were stored before the crash may be applied too, but once.
  expect([...eventCount.values()].every((n) => n === 1)).toBe(true);
  const dead = await db.kysely
    .selectFrom('deliveries')
    .select(['id', 'last_error'])
    .where('status', '=', 'dead')
    .execute();
  expect(dead).toEqual([]);
}
