import { afterEach, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  dripBounce,
  postDrip,
  runLoad,
  serverEnv,
  startServerProcess,
  waitFor,
  type ServerProcess,
} from '../helpers/server-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { expectAppliedOnce, waitForEmptyQueue } from './assertions.js';

const status = async (url: string): Promise<number> => {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
};

describe.skipIf(!testDialects().includes('postgres'))('PostgreSQL outage', () => {
  let tdb: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.kill('SIGKILL');
    await proxy?.close();
    await tdb?.cleanup();
  });

  it(
    'answers 503 (never 2xx) and fails /readyz while the database is away, then recovers by itself',
    { timeout: 120_000 },
    async () => {
      tdb = await createTestDatabase('postgres');
      const url = new URL(tdb.url);
      proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.port = String(await proxy.listen());
      server = await startServerProcess(serverEnv(url.toString()));
      // Load runs across the cut: connections in use drop mid-query.
      const across = runLoad(() => [server!.url], { concurrency: 8, prefix: 'across' });
      await waitFor(() => across.acked() >= 100, 20_000, 10);
      proxy.cutOff();
      await new Promise((r) => setTimeout(r, 1_000));
      across.stop();
      const { acked: ackedAcross, statuses } = await across.done;
      expect([...statuses.keys()].every((s) => s === 201 || s === 503)).toBe(true);

      const during = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          postDrip(server!.url, dripBounce(`during-${i}@example.com`)),
        ),
      );
      expect(during.every((s) => s === 503)).toBe(true);
      expect(await status(`${server.url}/readyz`)).toBe(503);
      expect(await status(`${server.url}/healthz`)).toBe(200);

      proxy.restore();
      await waitFor(async () => (await status(`${server!.url}/readyz`)) === 200, 30_000, 200);
      const after = runLoad(() => [server!.url], { concurrency: 4, total: 100, prefix: 'after' });
      expect((await after.done).acked).toHaveLength(100);
      await waitForEmptyQueue(tdb.db);
      await expectAppliedOnce(tdb.db, [...ackedAcross, ...(await after.done).acked]);
      expect(server.child.exitCode).toBeNull();
      expect(server.logs.some((l) => l.msg === 'could not store delivery')).toBe(true);
    },
  );
});
