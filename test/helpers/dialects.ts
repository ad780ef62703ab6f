import { legAvailable } from './legs.js';

export { TEST_PG_URL } from './legs.js';

export type TestDialect = 'sqlite' | 'postgres';

/** Dialects BOUNCER_TEST_DIALECTS asks for: both by default, `sqlite` narrows a local run. */
export function requestedDialects(): TestDialect[] {
  const raw = process.env.BOUNCER_TEST_DIALECTS ?? 'sqlite,postgres';
  return raw
    .split(',')
    .map((d) => d.trim())
    .filter((d): d is TestDialect => d === 'sqlite' || d === 'postgres');
}

/**
 * Dialects the storage, service and HTTP tests loop over: the requested ones, without PostgreSQL
 * when global setup found it unreachable (a skipped leg, listed at the end of the run;
 * BOUNCER_TEST_REQUIRE=postgres makes it a failure, as CI does).
 */
export function testDialects(): TestDialect[] {
  return requestedDialects().filter((d) => d !== 'postgres' || legAvailable('postgres'));
}
