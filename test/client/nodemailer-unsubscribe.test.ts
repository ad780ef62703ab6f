import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { bouncerInfo, bouncerPlugin } from '../../src/client/nodemailer.js';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { listen } from './server.js';

const ENV = {
  BOUNCER_UNSUBSCRIBE_SECRETS: 'unsubscribe-secret-nodemailer-01',
  BOUNCER_PUBLIC_URL: 'https://bouncer.example.com',
  BOUNCER_UNSUBSCRIBE_MAIL_DOMAIN: 'unsub.example.net',
};

function transporter(plugin: ReturnType<typeof bouncerPlugin>) {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  t.use('compile', plugin);
  return t;
}

/** The unfolded value of a header in a raw message. */
function header(raw: string, name: string): string | null {
  // Nodemailer folds long header values with CRLF even with newline: 'unix'.
  const head = raw
    .replace(/\r\n/g, '\n')
    .split('\n\n')[0]!
    .replace(/\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}: (.*)$`, 'mi').exec(head);
  return m?.[1] ?? null;
}

describe.each(testDialects())(
  'the Nodemailer plugin adds List-Unsubscribe (real app on %s)',
  (dialect) => {
    let t: TestApp;
    let baseUrl: string;
    let apiKey: string;
    beforeAll(async () => {
      t = await buildTestApp(dialect, { env: ENV });
      baseUrl = await listen(t);
      apiKey = (await t.services.apiKeys.create('mailer', 'write')).key;
    });
    afterAll(async () => t.close());

    it('adds both headers for the recipient, and a POST to the link suppresses it in the scope', async () => {
      const mailer = transporter(
        bouncerPlugin({
          baseUrl,
          apiKey,
          listUnsubscribe: { scope: 'newsletter', campaign: 'dec' },
        }),
      );
      const info = await mailer.sendMail({
        from: 'shop@example.org',
        to: 'Reader <reader@example.com>',
        subject: 'News',
        text: 'Hi',
      });
      const raw = info.message.toString();
      const list = header(raw, 'List-Unsubscribe');
      expect(list).toMatch(
        /^<https:\/\/bouncer\.example\.com\/unsubscribe\/[\w-]+\.[\w-]+>, <mailto:unsubscribe\+[\w.-]+@unsub\.example\.net\?subject=unsubscribe>$/,
      );
      expect(header(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(bouncerInfo(info)?.listUnsubscribe).toBe('added');

      const url = /<(https:[^>]+)>/.exec(list ?? '')![1]!;
      const get = await t.app.inject({ method: 'GET', url: new URL(url).pathname });
      expect(get.statusCode).toBe(200);
      await t.drain();
      const before = await t.app.inject({
        method: 'GET',
        url: '/v1/suppressions/reader@example.com',
        headers: auth(),
      });
      expect(before.json()).toMatchObject({ entries: [] });

      const post = await t.app.inject({
        method: 'POST',
        url: new URL(url).pathname,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(post.statusCode).toBe(200);
      await t.drain();
      const after = await t.app.inject({
        method: 'GET',
        url: '/v1/suppressions/reader@example.com?scope=newsletter',
        headers: auth(),
      });
      expect(after.json()).toMatchObject({
        suppressed: true,
        entries: [{ scope: 'newsletter', reason: 'unsubscribe' }],
      });
    });

    it('takes a function instead of the API, and adds nothing to a message with several recipients', async () => {
      const seen: string[] = [];
      const mailer = transporter(
        bouncerPlugin({
          baseUrl,
          apiKey,
          listUnsubscribe: (recipient) => {
            seen.push(recipient);
            return {
              'List-Unsubscribe': `<https://lists.example.org/u?r=${recipient}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            };
          },
        }),
      );
      const one = await mailer.sendMail({
        from: 'shop@example.org',
        to: 'One@Example.com',
        text: 'x',
      });
      expect(header(one.message.toString(), 'List-Unsubscribe')).toBe(
        '<https://lists.example.org/u?r=one@example.com>',
      );
      const two = await mailer.sendMail({
        from: 'shop@example.org',
        to: 'a@example.com',
        cc: 'b@example.com',
        text: 'x',
      });
      expect(header(two.message.toString(), 'List-Unsubscribe')).toBeNull();
      expect(bouncerInfo(two)?.listUnsubscribe).toBe('several-recipients');
      expect(seen).toEqual(['one@example.com']);
    });

    it('keeps a List-Unsubscribe header the message already has', async () => {
      const mailer = transporter(bouncerPlugin({ baseUrl, apiKey, listUnsubscribe: true }));
      const info = await mailer.sendMail({
        from: 'shop@example.org',
        to: 'own@example.com',
        headers: { 'List-Unsubscribe': '<mailto:own-list@example.org>' },
        text: 'x',
      });
      expect(header(info.message.toString(), 'List-Unsubscribe')).toBe(
        '<mailto:own-list@example.org>',
      );
      expect(bouncerInfo(info)?.listUnsubscribe).toBe('present');
    });
  },
);
