import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, DRIP_URL_TOKEN, type TestApp } from '../helpers/app.js';

/** Drip's real payload shape (providers spec §4.7). */
function dripEvent(
  event: string,
  email: string,
  properties: Record<string, unknown> = { delivery_id: '99999', email_id: '88888' },
  occurredAt = new Date(Date.now() - 7_200_000).toISOString(),
): string {
  return JSON.stringify({
    event,
    data: { account_id: '9999999', subscriber: { id: `sub-${email}`, email }, properties },
    occurred_at: occurredAt,
  });
}

describe.each(testDialects())(
  'POST /webhooks/drip/:token (real Drip webhooks) on %s',
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(dialect);
    });
    afterAll(async () => t.close());

    const post = (body: string, token = DRIP_URL_TOKEN) =>
      t.app.inject({
        method: 'POST',
        url: `/webhooks/drip/${token}`,
        payload: body,
        headers: { 'content-type': 'application/json' },
      });
    const status = async (email: string) =>
      (
        await t.app.inject({ method: 'GET', url: `/v1/suppressions/${email}`, headers: auth() })
      ).json();

    it('refuses a wrong URL token with the uniform 401', async () => {
      const res = await post(
        dripEvent('subscriber.bounced', 'a@example.com'),
        'wrong-token-wrong-token-wrong',
      );
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'BOUNCER_ERR_UNAUTHORIZED', message: 'Authentication required' },
      });
    });

    it('maps each Drip event as the spec recommends', async () => {
      const cases: Array<[string, string, Record<string, unknown>?]> = [
        ['subscriber.bounced', 'soft@example.com'],
        ['subscriber.marked_as_undeliverable', 'hard@example.com', { source: 'drip' }],
        ['subscriber.complained', 'spam@example.com'],
        ['subscriber.unsubscribed_all', 'unsub@example.com', {}],
        ['subscriber.unsubscribed_from_campaign', 'camp@example.com', { campaign_id: '123' }],
      ];
      for (const [event, email, props] of cases)
        expect((await post(dripEvent(event, email, props))).statusCode).toBe(200);
      await t.drain();
      expect((await status('soft@example.com')).entries).toMatchObject([
        { reason: 'soft_bounce', scope: '*' },
      ]);
      expect((await status('hard@example.com')).entries).toMatchObject([
        { reason: 'hard_bounce', until: null },
      ]);
      expect((await status('spam@example.com')).entries).toMatchObject([
        { reason: 'spam_complaint' },
      ]);
      expect((await status('unsub@example.com')).entries).toMatchObject([
        { reason: 'unsubscribe', scope: '*' },
      ]);
      const camp = await status('camp@example.com');
      expect(camp).toMatchObject({
        suppressed: false,
        entries: [{ reason: 'unsubscribe', scope: 'drip-campaign:123' }],
      });
    });

    it('lifts Drip-side bounces on marked_as_deliverable and unsubscribes on reactivated', async () => {
      await post(
        dripEvent(
          'subscriber.marked_as_deliverable',
          'hard@example.com',
          { source: 'drip' },
          new Date(Date.now() - 3_600_000).toISOString(),
        ),
      );
      await post(
        dripEvent(
          'subscriber.reactivated',
          'unsub@example.com',
          {},
          new Date(Date.now() - 3_600_000).toISOString(),
        ),
      );
      await t.drain();
      expect(await status('hard@example.com')).toMatchObject({ suppressed: false, entries: [] });
      expect(await status('unsub@example.com')).toMatchObject({ suppressed: false, entries: [] });
    });

    it('ignores events that do not affect suppression with a 2xx', async () => {
      const res = await post(dripEvent('subscriber.applied_tag', 'tag@example.com'));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ignored' });
    });
  },
);
