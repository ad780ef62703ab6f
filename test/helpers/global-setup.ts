import { testDialects, assertPostgresReachable } from './dialects.js';

/** Fail fast (never skip) when the suite is asked to run on PostgreSQL and it is not there. */
export default async function setup(): Promise<void> {
  if (testDialects().includes('postgres')) await assertPostgresReachable();
}
