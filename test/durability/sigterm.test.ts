import { describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { runLoad, serverEnv, waitFor } from '../helpers/server-process.js';
import { expectAppliedOnce, serverFixture, waitForEmptyQueue } from './assertions.js';

const SHUTDOWN_TIMEOUT_MS = 5_000;

describe.each(testDialects())('SIGTERM under load on %s', (dialect) => {
  const fixture = serverFixture();

  it(
    'stops accepting, answers what it accepted, finishes its claimed work and exits 0 in time',
    { timeout: 120_000 },
    async () => {
      const tdb = await fixture.database(dialect);
      const env = serverEnv(tdb.url, { BOUNCER_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
      const server = await fixture.start(env);
      const load = runLoad(() => [server.url], { concurrency: 8, prefix: `term-${dialect}` });
      await waitFor(() => load.acked() >= 200, 60_000, 10);
      const t0 = Date.now();
      const exit = await server.kill('SIGTERM');
      const stoppedInMs = Date.now() - t0;
      load.stop();
      const { acked, statuses } = await load.done;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(stoppedInMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000);
      // Answers are 2xx, 503 while closing, or no answer once it stopped listening: never a 500.
      expect([...statuses.keys()].filter((s) => s !== 201 && s !== 503 && s !== 0)).toEqual([]);
      expect(server.logs.some((l) => l.msg === 'shutting down')).toBe(true);
      // Nothing was left half-done: no delivery is still claimed by the stopped process.
      const claimed = await tdb.db.kysely
        .selectFrom('deliveries')
        .select('id')
        .where('status', '=', 'processing')
        .execute();
      expect(claimed).toEqual([]);
      // Everything acknowledged is stored; a restart applies whatever was still waiting.
      await fixture.start(env);
      await waitForEmptyQueue(tdb.db);
      await expectAppliedOnce(tdb.db, acked);
    },
  );
});
