import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { testDialects } from '../helpers/dialects.js';
import { runLoad, serverEnv, waitFor } from '../helpers/server-process.js';
import { startReceiver } from '../helpers/receiver.js';
import { serverFixture, waitForEmptyQueue } from './assertions.js';

const SECRET = `whsec_${Buffer.from('durable-outbound-secret-0123456789').toString('base64')}`;
const OUTAGE_REQUESTS = 150;

describe.each(testDialects())('signed change events across kill -9 on %s', (dialect) => {
  const fixture = serverFixture();

  it(
    'delivers a verified event for every acknowledged suppression despite a receiver outage and a kill -9',
    { timeout: 120_000 },
    async () => {
      const rx = await startReceiver();
      try {
        // The subscriber is down for its first requests: events pile up in the outbox.
        rx.failNext(503, OUTAGE_REQUESTS);
        const tdb = await fixture.database(dialect);
        const env = serverEnv(tdb.url, {
          BOUNCER_LEASE_MS: '1000',
          BOUNCER_OUTBOUND_WEBHOOKS: JSON.stringify([{ url: `${rx.url}/events`, secret: SECRET }]),
          BOUNCER_OUTBOUND_ALLOW_PRIVATE: 'true',
          BOUNCER_OUTBOUND_RETRY_BASE_MS: '50',
          BOUNCER_OUTBOUND_RETRY_MAX_MS: '300',
          BOUNCER_OUTBOUND_POLL_MS: '100',
          BOUNCER_OUTBOUND_LEASE_MS: '2000',
        });
        const first = await fixture.start(env);
        let target = first.url;
        const load = runLoad(() => [target], {
          concurrency: 4,
          prefix: `ob-${dialect}`,
          total: 300,
        });
        await waitFor(() => load.acked() >= 150, 60_000, 10);
        await first.kill('SIGKILL');
        const second = await fixture.start(env);
        target = second.url;
        const { acked } = await load.done;
        await waitForEmptyQueue(tdb.db);
        const wh = new Webhook(SECRET);
        const delivered = (): Set<string> => {
          const out = new Set<string>();
          for (const r of rx.received.slice(OUTAGE_REQUESTS)) {
            const e = wh.verify(r.body, r.headers as Record<string, string>) as {
              type: string;
              data: { address: string };
            };
            if (e.type === 'suppression.added') out.add(e.data.address);
          }
          return out;
        };
        await waitFor(() => acked.every((a) => delivered().has(a)), 60_000, 100);
        expect(acked.length).toBeGreaterThanOrEqual(150);
        // At least once, never a different event under one id: a redelivery repeats its id.
        const byId = new Map<string, string>();
        for (const r of rx.received) {
          const id = String(r.headers['webhook-id']);
          expect(byId.get(id) ?? r.body).toBe(r.body);
          byId.set(id, r.body);
        }
        // Deliveries stored but not acknowledged before the kill were applied too: all go out.
        const undelivered = async (): Promise<number> => {
          const row = await tdb.db.kysely
            .selectFrom('outbound_deliveries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '!=', 'delivered')
            .executeTakeFirst();
          return Number(row?.n ?? 0);
        };
        await waitFor(async () => (await undelivered()) === 0, 60_000, 100);
      } finally {
        await rx.close();
      }
    },
  );
});
