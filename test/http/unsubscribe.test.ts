import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { signUnsubscribeToken } from '../../src/core/unsubscribe-token.js';

const SECRET = 'unsubscribe-secret-current-0123';
const OLD_SECRET = 'unsubscribe-secret-previous-0123';
const RETIRED_SECRET = 'unsubscribe-secret-retired-01234';
const ENV = {
  BOUNCER_UNSUBSCRIBE_SECRETS: `${SECRET},${OLD_SECRET}`,
  BOUNCER_UNSUBSCRIBE_MAIL_DOMAIN: 'unsub.example.net',
  BOUNCER_PUBLIC_URL: 'https://bouncer.example.com',
  BOUNCER_BRAND_NAME: 'Acme <News>',
  BOUNCER_BRAND_COLOR: '#ff6600',
};
const ONE_CLICK = 'List-Unsubscribe=One-Click';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(testDialects())(
  'one-click unsubscribe (RFC 8058) through the real app on %s',
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(dialect, { env: ENV });
    });
    afterAll(async () => t.close());

    const link = async (body: Record<string, string>) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/unsubscribe-links',
        headers: auth(),
        payload: body,
      });
      expect(res.statusCode).toBe(200);
      return res.json<{ url: string; mailto: string | null; headers: Record<string, string> }>();
    };
    const pathOf = (url: string) => new URL(url).pathname;
    const tokenOf = (url: string) => pathOf(url).split('/')[2]!;
    const status = async (address: string, scope?: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/suppressions/${address}${scope ? `?scope=${scope}` : ''}`,
          headers: auth(),
        })
      ).json<{
        suppressed: boolean;
        entries: Array<{ scope: string; reason: string; source: string }>;
      }>();
    const nonceIn = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';

    it('answers a link with the two RFC 8058 headers, URL and mailto', async () => {
      const l = await link({ address: 'Reader@Example.com', scope: 'newsletter', campaign: 'c-1' });
      expect(l.url).toMatch(
        /^https:\/\/bouncer\.example\.com\/unsubscribe\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
      );
      expect(l.mailto).toBe(
        `mailto:unsubscribe+${tokenOf(l.url)}@unsub.example.net?subject=unsubscribe`,
      );
      expect(l.headers).toEqual({
        'List-Unsubscribe': `<${l.url}>, <${l.mailto}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      });
    });

    it('a GET of the link shows a confirm page and changes nothing; the POST suppresses within the scope', async () => {
      const l = await link({ address: 'get-then-post@example.com', scope: 'newsletter' });
      const page = await t.app.inject({ method: 'GET', url: pathOf(l.url) });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['content-security-policy']).toContain("default-src 'none'");
      expect(page.body).toContain(
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
      );
      expect(page.body).toContain('Acme &lt;News&gt;');
      expect(page.body).not.toContain('Acme <News>');
      expect(page.body).not.toContain('get-then-post@example.com');
      await t.drain();
      expect((await status('get-then-post@example.com')).entries).toEqual([]);

      const res = await t.app.inject({
        method: 'POST',
        url: pathOf(l.url),
        headers: FORM,
        payload: ONE_CLICK,
      });
      expect(res.statusCode).toBe(200);
      await t.drain();
      const s = await status('get-then-post@example.com', 'newsletter');
      expect(s.suppressed).toBe(true);
      expect(s.entries).toMatchObject([
        { scope: 'newsletter', reason: 'unsubscribe', source: 'unsubscribe' },
      ]);
      expect((await status('get-then-post@example.com')).suppressed).toBe(false);
      const check = await t.app.inject({
        method: 'POST',
        url: '/v1/check',
        headers: auth(),
        payload: { recipients: ['get-then-post@example.com'], scope: 'newsletter' },
      });
      expect(check.json()).toMatchObject({ allowed: [], suppressed: [{ scope: 'newsletter' }] });
    });

    it('refuses forged, tampered and retired-secret tokens with 401 and changes nothing', async () => {
      const l = await link({ address: 'victim@example.com' });
      const token = tokenOf(l.url);
      const [payload, mac] = token.split('.') as [string, string];
      const other = Buffer.from(JSON.stringify({ a: 'other@example.com', s: '*', t: 1 })).toString(
        'base64url',
      );
      const retired = signUnsubscribeToken(RETIRED_SECRET, {
        address: 'victim@example.com',
        channel: 'email',
        scope: '*',
        issuedAt: 1,
        campaign: null,
      });
      for (const bad of [
        `${other}.${mac}`,
        `${payload}.${mac.slice(0, -2)}AA`,
        retired,
        'garbage',
        `${payload}.`,
      ]) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/unsubscribe/${bad}`,
          headers: FORM,
          payload: ONE_CLICK,
        });
        expect(res.statusCode).toBe(401);
        expect((await t.app.inject({ method: 'GET', url: `/unsubscribe/${bad}` })).statusCode).toBe(
          401,
        );
      }
      await t.drain();
      expect((await status('victim@example.com')).entries).toEqual([]);
      expect((await status('other@example.com')).entries).toEqual([]);
    });

    it('verifies a token signed with an older secret still configured (rotation)', async () => {
      const token = signUnsubscribeToken(OLD_SECRET, {
        address: 'rotated@example.com',
        channel: 'email',
        scope: '*',
        issuedAt: 1,
        campaign: null,
      });
      const res = await t.app.inject({
        method: 'POST',
        url: `/unsubscribe/${token}`,
        headers: FORM,
        payload: ONE_CLICK,
      });
      expect(res.statusCode).toBe(200);
      await t.drain();
      expect((await status('rotated@example.com')).suppressed).toBe(true);
    });

    it('a POST without the one-click body changes nothing', async () => {
      const l = await link({ address: 'no-body@example.com' });
      const res = await t.app.inject({
        method: 'POST',
        url: pathOf(l.url),
        headers: FORM,
        payload: 'foo=bar',
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Nothing was changed');
      await t.drain();
      expect((await status('no-body@example.com')).entries).toEqual([]);
    });

    it('manages groups over the API and shows them on the preference page with leave and rejoin', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/groups',
        headers: auth(),
        payload: { id: 'offers', name: 'Offers & deals', description: 'Weekly <b>offers</b>' },
      });
      expect(created.statusCode).toBe(201);
      await t.app.inject({
        method: 'POST',
        url: '/v1/groups',
        headers: auth(),
        payload: { id: 'digest', name: 'Digest' },
      });
      const dup = await t.app.inject({
        method: 'POST',
        url: '/v1/groups',
        headers: auth(),
        payload: { id: 'digest', name: 'x' },
      });
      expect(dup.statusCode).toBe(409);
      const patched = await t.app.inject({
        method: 'PATCH',
        url: '/v1/groups/digest',
        headers: auth(),
        payload: { description: 'Daily digest' },
      });
      expect(patched.json()).toMatchObject({
        id: 'digest',
        name: 'Digest',
        description: 'Daily digest',
      });
      const listed = await t.app.inject({ method: 'GET', url: '/v1/groups', headers: auth() });
      expect(listed.json<{ items: Array<{ id: string }> }>().items.map((g) => g.id)).toEqual([
        'digest',
        'offers',
      ]);

      const l = await link({ address: 'prefs@example.com', scope: 'offers' });
      const path = pathOf(l.url);
      const page = await t.app.inject({ method: 'GET', url: `${path}/preferences` });
      expect(page.body).toContain('Offers &amp; deals');
      expect(page.body).toContain('Weekly &lt;b&gt;offers&lt;/b&gt;');
      const nonce = nonceIn(page.body);
      expect(nonce).not.toBe('');

      // Leave "digest" (not the token's scope) from the page: needs the nonce.
      const noNonce = await t.app.inject({
        method: 'POST',
        url: path,
        headers: FORM,
        payload: `${ONE_CLICK}&scope=digest`,
      });
      expect(noNonce.statusCode).toBe(401);
      const leave = await t.app.inject({
        method: 'POST',
        url: path,
        headers: FORM,
        payload: `${ONE_CLICK}&scope=digest&nonce=${nonce}`,
      });
      expect(leave.statusCode).toBe(200);
      await t.drain();
      expect((await status('prefs@example.com', 'digest')).suppressed).toBe(true);
      const after = await t.app.inject({ method: 'GET', url: path });
      expect(after.body).toMatch(/Digest<\/strong>.*unsubscribed/s);

      // An operator's suppression in "offers" is not the recipient's to lift.
      await t.app.inject({
        method: 'POST',
        url: '/v1/suppressions',
        headers: auth(),
        payload: {
          address: 'prefs@example.com',
          scope: 'offers',
          reason: 'unsubscribe',
          note: 'asked by phone',
        },
      });
      const rejoinOffers = await t.app.inject({
        method: 'POST',
        url: `${path}/preferences`,
        headers: FORM,
        payload: `scope=offers&nonce=${nonce}`,
      });
      expect(rejoinOffers.body).toContain('Nothing to undo');
      expect((await status('prefs@example.com', 'offers')).suppressed).toBe(true);

      const forged = await t.app.inject({
        method: 'POST',
        url: `${path}/preferences`,
        headers: FORM,
        payload: `scope=digest&nonce=${'A'.repeat(22)}`,
      });
      expect(forged.statusCode).toBe(401);
      const rejoin = await t.app.inject({
        method: 'POST',
        url: `${path}/preferences`,
        headers: FORM,
        payload: `scope=digest&nonce=${nonce}`,
      });
      expect(rejoin.body).toContain('subscribed again');
      expect((await status('prefs@example.com', 'digest')).suppressed).toBe(false);
      const audit = await t.app.inject({
        method: 'GET',
        url: '/v1/audit?address=prefs@example.com',
        headers: auth(),
      });
      expect(
        audit.json<{ items: Array<{ action: string; actor: string; scope: string }> }>().items,
      ).toContainEqual(
        expect.objectContaining({ action: 'rejoin', actor: 'recipient', scope: 'digest' }),
      );

      // Unsubscribe from everything, then undo it.
      await t.app.inject({
        method: 'POST',
        url: path,
        headers: FORM,
        payload: `${ONE_CLICK}&scope=*&nonce=${nonce}`,
      });
      await t.drain();
      expect((await status('prefs@example.com')).suppressed).toBe(true);
      expect((await t.app.inject({ method: 'GET', url: path })).body).toContain(
        'unsubscribed from everything',
      );
      const del = await t.app.inject({
        method: 'DELETE',
        url: '/v1/groups/offers',
        headers: auth(),
      });
      expect(del.statusCode).toBe(204);
    });

    it('records a mailto: unsubscribe mailed to the token address', async () => {
      const l = await link({ address: 'mailer@example.com', scope: 'newsletter' });
      const token = tokenOf(l.url);
      const mail = [
        'Delivered-To: unsubscribe+' + token + '@unsub.example.net',
        'From: Mailer <mailer@example.com>',
        `To: <unsubscribe+${token}@unsub.example.net>`,
        'Subject: unsubscribe',
        'Message-ID: <mailto-1@example.com>',
        'Date: Fri, 04 Dec 2026 10:00:00 +0000',
        '',
        'unsubscribe',
        '',
      ].join('\r\n');
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhooks/bounce-mail',
        headers: { ...auth(), 'content-type': 'message/rfc822' },
        payload: mail,
      });
      expect(res.statusCode).toBe(200);
      await t.drain();
      expect((await status('mailer@example.com', 'newsletter')).entries).toMatchObject([
        { scope: 'newsletter', reason: 'unsubscribe' },
      ]);
    });

    it('ignores a mail to a mailto: address whose token does not verify', async () => {
      const forged = signUnsubscribeToken(RETIRED_SECRET, {
        address: 'forged-mailto@example.com',
        channel: 'email',
        scope: '*',
        issuedAt: 1,
        campaign: null,
      });
      const mail = `To: unsubscribe+${forged}@unsub.example.net\r\nFrom: x@example.com\r\nSubject: unsubscribe\r\n\r\nplease\r\n`;
      await t.app.inject({
        method: 'POST',
        url: '/webhooks/bounce-mail',
        headers: { ...auth(), 'content-type': 'message/rfc822' },
        payload: mail,
      });
      await t.drain();
      expect((await status('forged-mailto@example.com')).entries).toEqual([]);
    });
  },
);
