import { build } from 'esbuild';
import { CLI_BUNDLE } from './cli-bundle.js';
import { dropTestSchemas, newRunId } from './db.js';
import { requestedDialects } from './dialects.js';
import {
  detectLegs,
  legHelp,
  recordSkippedLegs,
  requiredLegs,
  skippedLegsReport,
  type LegName,
} from './legs.js';

/**
 * Detects the optional legs once (PostgreSQL, Dovecot, Chromium, ../shared) and hands the verdict
 * to the test forks through the environment; fails the run when BOUNCER_TEST_REQUIRE names a
 * missing one; bundles the CLI from the current sources for the tests that run it as a child
 * process. The teardown drops the per-test PostgreSQL schemas and prints the skipped legs last.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // The forks inherit it: this run's PostgreSQL schemas carry this id (see runSchemaPrefix).
  process.env.BOUNCER_TEST_RUN_ID ??= newRunId();
  const dialects = requestedDialects();
  const required = requiredLegs(dialects);
  if (required.includes('postgres') && !dialects.includes('postgres'))
    throw new Error('BOUNCER_TEST_REQUIRE names postgres but BOUNCER_TEST_DIALECTS leaves it out');
  const skipped: LegName[] = await detectLegs(dialects);
  const missing = skipped.filter((l) => required.includes(l));
  if (missing.length > 0)
    throw new Error(
      `BOUNCER_TEST_REQUIRE=${process.env.BOUNCER_TEST_REQUIRE ?? ''} but these legs would be skipped:\n${missing.map((l) => `  - ${legHelp(l)}`).join('\n')}`,
    );
  recordSkippedLegs(skipped);
  const postgres = dialects.includes('postgres') && !skipped.includes('postgres');
  if (postgres) await dropTestSchemas(); // left over by an interrupted run
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
    // Vitest runs the global teardown after its summary: these are the run's last lines.
    process.stdout.write(`\n${skippedLegsReport(skipped)}\n`);
  };
}
