import { describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { runLoad, serverEnv, waitFor } from '../helpers/server-process.js';
import { expectAppliedOnce, serverFixture, waitForEmptyQueue } from './assertions.js';

describe.each(testDialects())('kill -9 under load on %s', (dialect) => {
  const fixture = serverFixture();

  it(
    'applies every acknowledged delivery exactly once after a restart',
    { timeout: 120_000 },
    async () => {
      const tdb = await fixture.database(dialect);
      // A short lease so the work the killed process had claimed comes back quickly.
      const env = serverEnv(tdb.url, { BOUNCER_LEASE_MS: '1000' });
      const first = await fixture.start(env);
      let target = first.url;
      const load = runLoad(() => [target], { concurrency: 8, prefix: `kill-${dialect}` });
      await waitFor(() => load.acked() >= 400, 60_000, 10);
      await first.kill('SIGKILL');
      const second = await fixture.start(env);
      target = second.url;
      await waitFor(() => load.acked() >= 600, 60_000, 10);
      load.stop();
      const { acked } = await load.done;
      await waitForEmptyQueue(tdb.db);
      await expectAppliedOnce(tdb.db, acked);
      expect(acked.length).toBeGreaterThanOrEqual(600);
    },
  );
});
