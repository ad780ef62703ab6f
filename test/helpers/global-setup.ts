import { build } from 'esbuild';
import { CLI_BUNDLE } from './cli-bundle.js';
import { dropTestSchemas } from './db.js';
import { testDialects, assertPostgresReachable } from './dialects.js';

/**
 * Fail fast (never skip) when the suite is asked to run on PostgreSQL and it is not there; bundle
 * the CLI from the current sources for the tests that run it as a child process. The teardown drops
 * the per-test PostgreSQL schemas.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // The forks inherit it: this run's PostgreSQL schemas carry this pid (see runSchemaPrefix).
  process.env.BOUNCER_TEST_RUN_PID ??= String(process.pid);
  const postgres = testDialects().includes('postgres');
  if (postgres) {
    await assertPostgresReachable();
    await dropTestSchemas(); // left over by an interrupted run
  }
  await build({
    entryPoints: [new URL('../../src/cli/run.ts', import.meta.url).pathname],
    outfile: CLI_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return async () => {
    if (postgres) await dropTestSchemas();
  };
}
