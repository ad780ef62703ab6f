import { describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { runLoad, serverEnv, waitFor } from '../helpers/server-process.js';
import { expectAppliedOnce, serverFixture, waitForEmptyQueue } from './assertions.js';

// Several `bouncer serve` processes share one database only on PostgreSQL.
describe.skipIf(!testDialects().includes('postgres'))(
  'two bouncer serve processes on one PostgreSQL database',
  () => {
    const fixture = serverFixture();

    it('share the load and process every delivery exactly once', { timeout: 120_000 }, async () => {
      const tdb = await fixture.database('postgres');
      const env = serverEnv(tdb.url, {
        BOUNCER_WORKER_BATCH_SIZE: '20',
        BOUNCER_WORKER_BATCH_DELAY_MS: '0',
      });
      const servers = await Promise.all([fixture.start(env), fixture.start(env)]);
      const urls = servers.map((s) => s.url);
      const load = runLoad(() => urls, { concurrency: 8, total: 800, prefix: 'pair' });
      const { acked } = await load.done;
      expect(acked).toHaveLength(800);
      await waitForEmptyQueue(tdb.db);
      await expectAppliedOnce(tdb.db, acked);
      const rows = await tdb.db.kysely
        .selectFrom('deliveries')
        .select(['status', 'attempts', 'locked_by'])
        .execute();
      // Claimed once each: a second claim would have counted a second attempt.
      expect(rows.every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
    });

    it(
      "picks up a killed instance's claimed work once its lease expires",
      { timeout: 120_000 },
      async () => {
        const tdb = await fixture.database('postgres');
        const env = serverEnv(tdb.url, { BOUNCER_LEASE_MS: '1500' });
        const [a, b] = await Promise.all([fixture.start(env), fixture.start(env)]);
        let targets = [a.url, b.url];
        const load = runLoad(() => targets, { concurrency: 8, prefix: 'lease' });
        await waitFor(() => load.acked() >= 300, 60_000, 10);
        await a.kill('SIGKILL');
        targets = [b.url];
        await waitFor(() => load.acked() >= 500, 60_000, 10);
        load.stop();
        const { acked } = await load.done;
        // Work the dead instance had claimed, as it would be if it died mid-batch: claimed, never finished.
        const ghost = await tdb.db.kysely
          .updateTable('deliveries')
          .set({
            status: 'processing',
            locked_by: 'ghost:1',
            locked_until: Date.now() + 1_500,
            attempts: 1,
          })
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('deliveries')
              .select('id')
              .where('status', '=', 'done')
              .orderBy('id')
              .limit(5),
          )
          .executeTakeFirst();
        expect(Number(ghost.numUpdatedRows)).toBe(5);
        await waitForEmptyQueue(tdb.db);
        await expectAppliedOnce(tdb.db, acked);
        const reclaimed = await tdb.db.kysely
          .selectFrom('deliveries')
          .select(['status', 'attempts'])
          .where('attempts', '=', 2)
          .execute();
        expect(reclaimed.length).toBeGreaterThanOrEqual(5);
        expect(reclaimed.every((r) => r.status === 'done')).toBe(true);
        expect(b.logs.some((l) => l.msg === 'reclaimed deliveries whose lease expired')).toBe(true);
      },
    );
  },
);
