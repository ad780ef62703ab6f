import { afterEach, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runLoad, serverEnv, startServerProcess, waitFor, type ServerProcess } from '../helpers/server-process.js';
import { expectAppliedOnce, waitForEmptyQueue } from './assertions.js';

describe.each(testDialects())('kill -9 under load on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers) await s.kill('SIGKILL');
    servers = [];
    await tdb?.cleanup();
  });

  it('applies every acknowledged delivery exactly once after a restart', { timeout: 120_000 }, async () => {
    tdb = await createTestDatabase(dialect);
    // A short lease so the work the killed process had claimed comes back quickly.
    const env = serverEnv(tdb.url, { BOUNCER_LEASE_MS: '1000' });
    const first = await startServerProcess(env);
    servers.push(first);
    let target = first.url;
    const load = runLoad(() => [target], { concurrency: 8, prefix: `kill-${dialect}` });
    await waitFor(() => load.acked() >= 400, 60_000, 10);
    await first.kill('SIGKILL');
    const second = await startServerProcess(env);
    servers.push(second);
    target = second.url;
    await waitFor(() => load.acked() >= 600, 60_000, 10);
    load.stop();
    const { acked } = await load.done;
    await waitForEmptyQueue(tdb.db);
    await expectAppliedOnce(tdb.db, acked);
    expect(acked.length).toBeGreaterThanOrEqual(600);
  });
});
