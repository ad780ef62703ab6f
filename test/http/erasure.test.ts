import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { findText } from '../helpers/scan-tables.js';

const SUBJECT = 'erase.me_now@example.com';
const OTHER = 'stays@example.com';
const ENV = {
  BOUNCER_ADDRESS_PEPPER: 'pepper-for-the-erasure-tests-0123',
  BOUNCER_UNSUBSCRIBE_SECRETS: 'unsubscribe-secret-erasure-0123',
  BOUNCER_PUBLIC_URL: 'https://bouncer.example.com',
};

describe.each(testDialects())(
  'erasure that keeps the suppression, through the real app on %s',
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(dialect, { env: ENV });
    });
    afterAll(async () => t.close());

    const post = (url: string, payload: unknown, headers: Record<string, string> = auth()) =>
      t.app.inject({ method: 'POST', url, headers, payload: payload as string });
    const check = async (address: string, scope?: string) =>
      (await post('/v1/check', { recipients: [address], ...(scope ? { scope } : {}) })).json<{
        allowed: string[];
        suppressed: Array<{ reason: string; scope: string }>;
      }>();

    /** Traces of the subject in every way Bouncer takes them in. */
    async function seed(): Promise<void> {
      // A hard bounce over the generic API, with a diagnostic naming the address.
      expect(
        (
          await post('/webhooks/bounce', {
            email: SUBJECT.toUpperCase(),
            source: 'mta',
            type: 'hard',
            meta: { diagnostic: `smtp; 550 5.1.1 <${SUBJECT}>: user unknown` },
          })
        ).statusCode,
      ).toBe(202);
      // Another recipient's bounce whose diagnostic quotes the subject.
      await post('/webhooks/bounce', {
        email: OTHER,
        source: 'mta',
        type: 'soft',
        meta: { diagnostic: `smtp; 452 forwarded from ${SUBJECT}: mailbox full` },
      });
      // An unsubscribe through the one-click link, in a group.
      const link = (await post('/v1/unsubscribe-links', { address: SUBJECT, scope: 'news' })).json<{
        url: string;
      }>();
      await t.app.inject({
        method: 'POST',
        url: new URL(link.url).pathname,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      // A raw mail naming it that no parser understood (a dead delivery, no event).
      await post(
        '/webhooks/bounce-mail',
        `From: x@example.org\r\nSubject: hello\r\n\r\nplease stop writing to ${SUBJECT}\r\n`,
        {
          ...auth(),
          'content-type': 'message/rfc822',
        },
      );
      await t.drain();
      // A manual suppression in another scope, audited with a note.
      await post('/v1/suppressions', {
        address: SUBJECT,
        scope: 'offers',
        note: `asked by ${SUBJECT} on the phone`,
      });
    }

    it('removes every trace of the address from every table while /v1/check still refuses it', async () => {
      await seed();
      expect(await findText(t.services.db, SUBJECT)).not.toEqual([]);
      expect((await check(SUBJECT)).suppressed).toMatchObject([{ reason: 'hard_bounce' }]);

      const res = await t.app.inject({
        method: 'DELETE',
        url: `/v1/subjects/${SUBJECT}`,
        headers: auth(),
      });
      expect(res.statusCode).toBe(200);
      const report = res.json<{
        keyed: string;
        suppressions: number;
        events: number;
        deliveries: number;
      }>();
      expect(report.keyed).toMatch(/^hmac:[0-9a-f]{64}$/);
      expect(report.suppressions).toBe(3);
      expect(report.events).toBeGreaterThanOrEqual(2);
      expect(report.deliveries).toBeGreaterThanOrEqual(3);

      expect(await findText(t.services.db, SUBJECT)).toEqual([]);
      // Also the local part alone, and the upper-case form the webhook was sent with.
      expect(await findText(t.services.db, 'erase.me_now')).toEqual([]);

      expect((await check(SUBJECT)).suppressed).toMatchObject([
        { reason: 'hard_bounce', scope: '*' },
      ]);
      expect((await check(SUBJECT.toUpperCase(), 'news')).allowed).toEqual([]);
      const status = await t.app.inject({
        method: 'GET',
        url: `/v1/suppressions/${SUBJECT}?scope=offers`,
        headers: auth(),
      });
      expect(status.json()).toMatchObject({ suppressed: true });
      expect(status.json<{ entries: unknown[] }>().entries).toHaveLength(3);
      // The streaming filter (the in-memory index) refuses it as well.
      const filtered = await t.app.inject({
        method: 'POST',
        url: '/v1/filter?column=email',
        headers: { ...auth(), 'content-type': 'text/csv' },
        payload: `email\n${SUBJECT}\n${'fresh@example.com'}\n`,
      });
      expect(filtered.statusCode).toBe(200);
      expect(filtered.body).not.toContain(SUBJECT);
      expect(filtered.body).toContain('fresh@example.com');

      // The other recipient keeps its suppression; only the part naming the subject went.
      expect((await check(OTHER)).suppressed).toHaveLength(1);
      const audit = await t.app.inject({ method: 'GET', url: '/v1/audit', headers: auth() });
      expect(
        audit.json<{ items: Array<{ action: string; address: string | null }> }>().items,
      ).toContainEqual(expect.objectContaining({ action: 'erase', address: report.keyed }));
    });

    it('refuses erasure without an admin key', async () => {
      const key = (await t.services.apiKeys.create('writer', 'write')).key;
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/v1/subjects/${OTHER}`,
        headers: auth(key),
      });
      expect(res.statusCode).toBe(403);
    });
  },
);
