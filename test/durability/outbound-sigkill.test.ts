import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { testDialects } from '../helpers/dialects.js';
import { runLoad, serverEnv, waitFor } from '../helpers/server-process.js';
import { startReceiver } from '../helpers/receiver.js';
import { startSendGridServer } from '../helpers/sync-servers/sendgrid.js';
import { startSesServer } from '../helpers/sync-servers/ses.js';
import { startMailgunServer } from '../helpers/sync-servers/mailgun.js';
import { startPostmarkServer } from '../helpers/sync-servers/postmark.js';
import { startBrevoServer } from '../helpers/sync-servers/brevo.js';
import { serverFixture, waitForEmptyQueue } from './assertions.js';

const SECRET = `whsec_${Buffer.from('durable-outbound-secret-0123456789').toString('base64')}`;
const OUTAGE_REQUESTS = 150;
const SG_KEY = 'SG.durable-key';
const MG_KEY = 'key-durable-mailgun';
const MG_DOMAIN = 'mg.example.com';
const PM_TOKEN = 'durable-postmark-token';
const BREVO_KEY = 'xkeysib-durable';
const AWS = { accessKeyId: 'AKIDDURABLE', secretAccessKey: 'durable/secret', region: 'eu-west-1' };

describe.each(testDialects())('signed change events across kill -9 on %s', (dialect) => {
  const fixture = serverFixture();

  it(
    'delivers a verified event, and a push to each of the five local provider servers implementing the documented APIs, for every acknowledged suppression despite outages and a kill -9',
    { timeout: 120_000 },
    async () => {
      const rx = await startReceiver();
      const sg = await startSendGridServer(SG_KEY);
      const ses = await startSesServer(AWS);
      const mg = await startMailgunServer(MG_KEY);
      const pm = await startPostmarkServer(PM_TOKEN);
      const brevo = await startBrevoServer(BREVO_KEY);
      try {
        // The providers are down (5xx) and rate-limiting (429) for a while too.
        sg.failNext({ status: 429, headers: { 'retry-after': '1' } }, 20);
        ses.failNext({ status: 503 }, 40);
        mg.rateLimitNext(1, 10);
        mg.failNext({ status: 502 }, 20, 10);
        pm.failNext({ status: 503 }, 30);
        brevo.throttle(15, 1);
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
          BOUNCER_SYNC_SENDGRID_API_KEY: SG_KEY,
          BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
          BOUNCER_SYNC_SES_ACCESS_KEY_ID: AWS.accessKeyId,
          BOUNCER_SYNC_SES_SECRET_ACCESS_KEY: AWS.secretAccessKey,
          BOUNCER_SYNC_SES_REGION: AWS.region,
          BOUNCER_SYNC_SES_BASE_URL: ses.url,
          BOUNCER_SYNC_MAILGUN_API_KEY: MG_KEY,
          BOUNCER_SYNC_MAILGUN_DOMAINS: MG_DOMAIN,
          BOUNCER_SYNC_MAILGUN_BASE_URL: mg.url,
          BOUNCER_SYNC_POSTMARK_SERVER_TOKEN: PM_TOKEN,
          BOUNCER_SYNC_POSTMARK_BASE_URL: pm.url,
          BOUNCER_SYNC_BREVO_API_KEY: BREVO_KEY,
          BOUNCER_SYNC_BREVO_BASE_URL: brevo.url,
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
        for (const a of acked) {
          expect(sg.global.has(a), a).toBe(true);
          expect(ses.list.get(a), a).toBe('BOUNCE');
          expect(mg.lists.get(MG_DOMAIN)?.bounces.has(a), a).toBe(true);
          expect(pm.streams.get('outbound')?.has(a), a).toBe(true);
          expect(brevo.contacts.get(a)?.blocked, a).toBe(true);
        }
        expect(ses.badSignatures).toBe(0);
      } finally {
        await rx.close();
        await sg.close();
        await ses.close();
        await mg.close();
        await pm.close();
        await brevo.close();
      }
    },
  );
});
