import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';

/** Base URL of the PostgreSQL the suite runs against (trust auth on this machine and in CI). */
export const TEST_PG_URL =
  process.env.BOUNCER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Dialects the storage, service and HTTP tests loop over. Both by default;
 * `BOUNCER_TEST_DIALECTS=sqlite` narrows a local run. CI always runs both.
 */
export function testDialects(): TestDialect[] {
  const raw = process.env.BOUNCER_TEST_DIALECTS ?? 'sqlite,postgres';
  return raw
    .split(',')
    .map((d) => d.trim())
    .filter((d): d is TestDialect => d === 'sqlite' || d === 'postgres');
}

export async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_PG_URL} (set BOUNCER_TEST_PG_URL, or BOUNCER_TEST_DIALECTS=sqlite for a SQLite-only local run): ${String(err)}`,
      { cause: err },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
