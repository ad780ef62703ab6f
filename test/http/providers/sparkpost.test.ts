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
  new URL('../../fixtures/providers/sparkpost/sample-batch.json', import.meta.url),
  'utf8',
);
// §5.7's header is Basic hookuser:s3cret; Bouncer wants 16+ character passwords.
const BASIC = 'hookuser:s3cret-0123456789abcdef';
const OLD_BASIC = 'hookuser:retired-0123456789abcdef';
const TOKEN = 'sparkpost-url-token-0123456789ab';
const HEADER_TOKEN = 'sparkpost-header-token-0123456789';
const SAMPLE_AT = 1_464_824_548_000;
const ENV = {
  BOUNCER_SPARKPOST_BASIC_AUTH: `${BASIC},${OLD_BASIC}`,
  BOUNCER_SPARKPOST_URL_TOKENS: TOKEN,
  BOUNCER_SPARKPOST_HEADER_TOKENS: HEADER_TOKEN,
};
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
const item = (fields: Record<string, unknown>) => ({
  msys: {
    message_event: {
      rcpt_to: 'x@example.com',
      timestamp: String(SAMPLE_AT / 1000),
      transmission_id: '1',
      ...fields,
    },
  },
});

describe.each(testDialects())('POST /webhooks/sparkpost on %s', (dialect) => {
  const clock = new FixedClock(SAMPLE_AT + 60_000);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: ENV });
  });
  afterAll(async () => t.close());

  const post = (
    body: unknown,
    headers: Record<string, string> = { authorization: basic(BASIC) },
    url = '/webhooks/sparkpost',
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        'x-messagesystems-batch-id': '032d330540298f54f0e8bcc1373f3cfd',
        ...headers,
      },
    });

  it('stores the §5.7 sample batch: hard bounce suppresses, complaint and unsubscribe suppress, the ping is skipped', async () => {
    const res = await post(SAMPLE);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 3 });
    await t.drain();
    expect(await eventsFor(t, 'bounce@example.com')).toMatchObject([
      {
        provider: 'sparkpost',
        type: 'bounce',
        reason: 'hard_bounce',
        severity: 'hard',
        fine_reason: 'userunknown',
        occurred_at: new Date(SAMPLE_AT).toISOString(),
        details: { bounceClass: '10', subaccountId: '101' },
      },
    ]);
    expect(await suppressionOf(t, 'bounce@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'sparkpost', until: null }],
    });
    expect((await eventsFor(t, 'recipient@example.com')).map((e) => e.type)).toEqual([
      'complaint',
      'unsubscribe',
    ]);
    expect((await suppressionOf(t, 'recipient@example.com')).suppressed).toBe(true);
  });

  it('never double-counts a batch SparkPost sends again (same event_id), through another credential', async () => {
    const before = await countEvents(t, 'sparkpost', 'bounce@example.com');
    expect((await post(SAMPLE, {}, `/webhooks/sparkpost/${TOKEN}`)).statusCode).toBe(200);
    expect(
      (await post(SAMPLE, { 'x-messagesystems-webhook-token': HEADER_TOKEN })).statusCode,
    ).toBe(200);
    await t.drain();
    expect(await countEvents(t, 'sparkpost', 'bounce@example.com')).toBe(before);
  });

  it('cools a soft class down, records block and admin classes without suppressing', async () => {
    const res = await post([
      item({
        type: 'bounce',
        bounce_class: '22',
        event_id: 'soft-1',
        rcpt_to: 'full@example.com',
        raw_reason: '452 4.2.2 Mailbox full',
      }),
      item({
        type: 'bounce',
        bounce_class: '51',
        event_id: 'block-1',
        rcpt_to: 'blocked@example.com',
        raw_reason: '554 5.7.1 listed at spamhaus',
      }),
      item({
        type: 'bounce',
        bounce_class: '25',
        event_id: 'admin-1',
        rcpt_to: 'already@example.com',
        error_code: '554',
        raw_reason: '554 5.7.1 Recipient address was suppressed due to customer policy',
      }),
      item({ type: 'delay', bounce_class: '21', event_id: 'delay-1', rcpt_to: 'slow@example.com' }),
    ]);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 4 });
    await t.drain();
    expect((await suppressionRows(t, 'full@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
    expect(await eventsFor(t, 'blocked@example.com')).toMatchObject([
      { type: 'bounce', reason: null, fine_reason: 'blocked' },
    ]);
    expect(await eventsFor(t, 'already@example.com')).toMatchObject([
      { type: 'dropped', reason: null, fine_reason: 'suppressed' },
    ]);
    expect(await eventsFor(t, 'slow@example.com')).toMatchObject([
      { type: 'deferred', reason: null },
    ]);
    for (const a of ['blocked@example.com', 'already@example.com', 'slow@example.com'])
      expect(await suppressionRows(t, a), a).toEqual([]);
  });

  it('keeps the good items of a batch with one bad item and records the rejected one', async () => {
    const res = await post([
      item({ type: 'bounce', bounce_class: '10', event_id: 'mix-1', rcpt_to: 'mix-1@example.com' }),
      item({ type: 'bounce', bounce_class: '10', event_id: 'mix-2', rcpt_to: 'not an address' }),
      item({ type: 'bounce', bounce_class: '10', event_id: 'mix-3', rcpt_to: 'mix-3@example.com' }),
    ]);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 2 });
    await t.drain();
    expect((await suppressionOf(t, 'mix-1@example.com')).suppressed).toBe(true);
    expect((await suppressionOf(t, 'mix-3@example.com')).suppressed).toBe(true);
    const d = await deliveryOf(t, res.json().delivery_id as string);
    expect(d.outcome).toMatch(/^2 event\(s\); 1 item\(s\) rejected: #1 invalid rcpt_to/);
  });

  it('answers exactly 200 to the validate ping, an unknown type and an empty body (stored dead)', async () => {
    const ping = await post('[{"msys":{}}]');
    expect({ status: ping.statusCode, body: ping.json() }).toMatchObject({
      status: 200,
      body: { status: 'ignored', reason: 'ping' },
    });
    const unknown = await post([item({ type: 'brand_new', event_id: 'n-1' })]);
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({
      status: 'ignored',
      reason: 'unknown event type brand_new',
    });
    const empty = await post('');
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ status: 'stored_unparseable' });
    expect((await deliveryOf(t, empty.json().delivery_id as string)).status).toBe('dead');
  });

  it('accepts a rotated Basic pair, refuses with the uniform 401 a missing, wrong or foreign credential', async () => {
    expect((await post(SAMPLE, { authorization: basic(OLD_BASIC) })).statusCode).toBe(200);
    expectUnauthorized(await post(SAMPLE, {}));
    expectUnauthorized(
      await post(SAMPLE, { authorization: basic('hookuser:wrong-0123456789abcdef') }),
    );
    expectUnauthorized(
      await post(SAMPLE, { authorization: basic('intruder:s3cret-0123456789abcdef') }),
    );
    expectUnauthorized(await post(SAMPLE, {}, '/webhooks/sparkpost/not-the-token-0123456789'));
    expectUnauthorized(
      await post(SAMPLE, { 'x-messagesystems-webhook-token': 'wrong-header-token-000000' }),
    );
  });

  it('keeps no credential header with the stored delivery', async () => {
    const res = await post(SAMPLE, { 'x-messagesystems-webhook-token': HEADER_TOKEN });
    const row = await t.tdb.db.kysely
      .selectFrom('deliveries')
      .select(['headers'])
      .where('id', '=', res.json().delivery_id as string)
      .executeTakeFirstOrThrow();
    expect(row.headers).not.toContain(HEADER_TOKEN);
    expect(JSON.parse(row.headers)).toHaveProperty('x-messagesystems-batch-id');
  });
});

describe.each(testDialects())('SparkPost webhook settings on %s', (dialect) => {
  it('refuses a source outside BOUNCER_SPARKPOST_ALLOWED_IPS with the uniform 401', async () => {
    const t = await buildTestApp(dialect, {
      env: { ...ENV, BOUNCER_SPARKPOST_ALLOWED_IPS: '198.51.100.0/24' },
    });
    try {
      const send = (remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: '/webhooks/sparkpost',
          remoteAddress,
          payload: SAMPLE,
          headers: { 'content-type': 'application/json', authorization: basic(BASIC) },
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
          url: '/webhooks/sparkpost',
          payload: SAMPLE,
          headers: { 'content-type': 'application/json', authorization: basic(BASIC) },
        }),
      );
    } finally {
      await t.close();
    }
  });
});
