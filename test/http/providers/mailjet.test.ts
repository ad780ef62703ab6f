import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import {
  countEvents,
  deliveryOf,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
  suppressionRows,
} from '../../helpers/provider-http.js';

const SAMPLE = readFileSync(
  new URL('../../fixtures/providers/mailjet/sample-grouped.json', import.meta.url),
  'utf8',
);
const BASIC = 'mailjet:basic-password-0123456789';
const OLD_BASIC = 'mailjet:older-password-0123456789';
const TOKEN = 'mailjet-url-token-0123456789ab';
const SAMPLE_AT = 1_430_812_195_000;
const ENV = {
  // These cases check what each drop maps to: with drops suppressing (not the default).
  BOUNCER_DROPPED_SUPPRESSES: 'true',
  BOUNCER_MAILJET_BASIC_AUTH: `${BASIC},${OLD_BASIC}`,
  BOUNCER_MAILJET_URL_TOKENS: TOKEN,
};
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
const event = (fields: Record<string, unknown>) => ({
  time: SAMPLE_AT / 1000,
  MessageID: '1942177783514649',
  mj_campaign_id: 0,
  mj_contact_id: 0,
  ...fields,
});

describe.each(testDialects())('POST /webhooks/mailjet on %s', (dialect) => {
  const clock = new FixedClock(SAMPLE_AT + 60_000);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: ENV });
  });
  afterAll(async () => t.close());

  const post = (
    body: unknown,
    headers: Record<string, string> = {},
    url = `/webhooks/mailjet/${TOKEN}`,
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('stores the §7.5 grouped sample (hard bounce + spam) and suppresses the address; a resend changes nothing', async () => {
    const res = await post(SAMPLE);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 2 });
    await t.drain();
    const stored = await eventsFor(t, 'bounce@mailjet.com');
    expect(stored.sort((a, b) => a.type.localeCompare(b.type))).toMatchObject([
      {
        provider: 'mailjet',
        type: 'bounce',
        reason: 'hard_bounce',
        severity: 'hard',
        occurred_at: new Date(SAMPLE_AT).toISOString(),
      },
      { provider: 'mailjet', type: 'complaint', reason: 'spam_complaint' },
    ]);
    expect((await suppressionOf(t, 'bounce@mailjet.com')).suppressed).toBe(true);
    expect(
      (await post(SAMPLE, { authorization: basic(BASIC) }, '/webhooks/mailjet')).statusCode,
    ).toBe(200);
    await t.drain();
    expect(await countEvents(t, 'mailjet', 'bounce@mailjet.com')).toBe(2);
  });

  it('accepts one bare event (Version 1) and keeps its 17-digit MessageID exact', async () => {
    // Raw text: a JavaScript number literal would already be rounded to …492 here.
    const res = await post(
      '{"event":"sent","time":1430812195,"MessageID":19421777835146491,"Message_GUID":"g-sent","email":"sent@example.com","smtp_reply":"250 OK"}',
    );
    expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    await t.drain();
    const row = await t.tdb.db.kysely
      .selectFrom('events')
      .select(['provider_message_id'])
      .where('address', '=', 'sent@example.com')
      .executeTakeFirstOrThrow();
    expect(row.provider_message_id).toBe('19421777835146491');
  });

  it('classifies soft bounces, blocked errors and list unsubscribes', async () => {
    const res = await post([
      event({
        event: 'bounce',
        email: 'soft@example.com',
        hard_bounce: false,
        error_related_to: 'recipient',
        error: 'quota exceeded',
      }),
      event({
        event: 'bounce',
        email: 'grey@example.com',
        hard_bounce: false,
        error_related_to: 'domain',
        error: 'greylisted',
      }),
      event({
        event: 'bounce',
        email: 'content@example.com',
        hard_bounce: true,
        error_related_to: 'spam',
        error: 'content blocked',
      }),
      event({
        event: 'blocked',
        email: 'pre@example.com',
        error_related_to: 'mailjet',
        error: 'preblocked',
      }),
      event({
        event: 'blocked',
        email: 'dup@example.com',
        error_related_to: 'mailjet',
        error: 'duplicate in campaign',
      }),
      event({ event: 'unsub', email: 'list@example.com', mj_list_id: 1234 }),
      event({ event: 'unsub', email: 'all@example.com', mj_list_id: 0 }),
    ]);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 7 });
    await t.drain();
    expect((await suppressionRows(t, 'soft@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
    for (const a of ['grey@example.com', 'content@example.com', 'dup@example.com'])
      expect(await suppressionRows(t, a), a).toEqual([]);
    expect((await suppressionOf(t, 'pre@example.com')).entries).toMatchObject([
      { scope: '*', reason: 'hard_bounce' },
    ]);
    expect(await suppressionOf(t, 'list@example.com')).toMatchObject({
      suppressed: false,
      entries: [{ scope: 'mailjet-list:1234', reason: 'unsubscribe' }],
    });
    expect((await suppressionOf(t, 'list@example.com', 'mailjet-list:1234')).suppressed).toBe(true);
    expect((await suppressionOf(t, 'all@example.com')).entries).toMatchObject([
      { scope: '*', reason: 'unsubscribe' },
    ]);
  });

  it('keeps the good events of a grouped array with one bad event and records the rejected one', async () => {
    const res = await post([
      event({ event: 'bounce', hard_bounce: true, email: 'mix-1@example.com' }),
      event({ event: 'bounce', hard_bounce: true, email: 'not an address' }),
      event({ event: 'bounce', hard_bounce: true, email: 'mix-3@example.com' }),
    ]);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 2 });
    await t.drain();
    expect((await suppressionOf(t, 'mix-1@example.com')).suppressed).toBe(true);
    expect((await suppressionOf(t, 'mix-3@example.com')).suppressed).toBe(true);
    expect((await deliveryOf(t, res.json().delivery_id as string)).outcome).toMatch(
      /^2 event\(s\); 1 item\(s\) rejected: #1 invalid email/,
    );
  });

  it('records a hard bounce for an address on a dotless domain, suppressed and readable through the API', async () => {
    const res = await post(
      event({
        event: 'bounce',
        hard_bounce: true,
        email: 'Postmaster@Intranet',
        error: 'user unknown',
      }),
    );
    expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    await t.drain();
    expect(await eventsFor(t, 'postmaster@intranet')).toMatchObject([
      { type: 'bounce', reason: 'hard_bounce' },
    ]);
    expect((await suppressionOf(t, 'postmaster@intranet')).suppressed).toBe(true);
  });

  it('answers exactly 200 to an unknown type and to an unusable body (stored dead)', async () => {
    const unknown = await post(event({ event: 'brand_new', email: 'a@example.com' }));
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({
      status: 'ignored',
      reason: 'unknown event type brand_new',
    });
    for (const body of ['', '{broken']) {
      const res = await post(body);
      expect(res.statusCode, body).toBe(200);
      expect((await deliveryOf(t, res.json().delivery_id as string)).status).toBe('dead');
    }
  });

  it('accepts a rotated Basic pair and refuses with the uniform 401 a missing, wrong or foreign credential', async () => {
    expect(
      (await post(SAMPLE, { authorization: basic(OLD_BASIC) }, '/webhooks/mailjet')).statusCode,
    ).toBe(200);
    expectUnauthorized(await post(SAMPLE, {}, '/webhooks/mailjet'));
    expectUnauthorized(
      await post(
        SAMPLE,
        { authorization: basic('mailjet:wrong-password-0000000000') },
        '/webhooks/mailjet',
      ),
    );
    expectUnauthorized(
      await post(
        SAMPLE,
        { authorization: basic('intruder:basic-password-0123456789') },
        '/webhooks/mailjet',
      ),
    );
    expectUnauthorized(await post(SAMPLE, {}, '/webhooks/mailjet/not-the-token-000000000'));
  });

  it('never lists the URL token in the deliveries API', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/deliveries?provider=mailjet',
      headers: { authorization: 'Bearer test-admin-key-0123456789abcdef' },
    });
    const urls = (res.json().items as Array<{ url: string }>).map((d) => d.url);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.join(' ')).not.toContain(TOKEN);
  });
});

describe.each(testDialects())('Mailjet webhook settings on %s', (dialect) => {
  it('refuses a source outside BOUNCER_MAILJET_ALLOWED_IPS with the uniform 401', async () => {
    const t = await buildTestApp(dialect, {
      env: { ...ENV, BOUNCER_MAILJET_ALLOWED_IPS: '198.51.100.0/24' },
    });
    try {
      const send = (remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: `/webhooks/mailjet/${TOKEN}`,
          remoteAddress,
          payload: SAMPLE,
          headers: { 'content-type': 'application/json' },
        });
      expectUnauthorized(await send('203.0.113.9'));
      expect((await send('198.51.100.7')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('refuses every request with the uniform 401 when no credential is configured', async () => {
    const t = await buildTestApp(dialect);
    try {
      expectUnauthorized(
        await t.app.inject({
          method: 'POST',
          url: `/webhooks/mailjet/${TOKEN}`,
          payload: SAMPLE,
          headers: { 'content-type': 'application/json' },
        }),
      );
    } finally {
      await t.close();
    }
  });
});
