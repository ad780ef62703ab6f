import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import {
  countEvents,
  deadDeliveryIds,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
  suppressionRows,
} from '../../helpers/provider-http.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/providers/postmark/${name}`, import.meta.url), 'utf8');
const TOKEN = 'postmark-token-0123456789abcdef';
const BASIC = 'hookuser:s3cret-0123456789abcdef';
const POSTMARK_IP = '50.31.156.6';
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

describe.each(testDialects())('POST /webhooks/postmark on %s', (dialect) => {
  const clock = new FixedClock(Date.UTC(2020, 1, 2));
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock,
      env: {
        BOUNCER_POSTMARK_BASIC_AUTH: `old:rotated-out-0123456789abcdef,${BASIC}`,
        BOUNCER_POSTMARK_URL_TOKEN: TOKEN,
        BOUNCER_POSTMARK_ALLOWED_IPS: '3.134.147.250,50.31.156.6,50.31.156.77,18.217.206.57',
      },
    });
  });
  afterAll(async () => t.close());

  const post = (
    body: string | Record<string, unknown>,
    opts: { route?: 'basic' | 'token'; secret?: string; ip?: string } = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url:
        opts.route === 'token'
          ? `/webhooks/postmark/${opts.secret ?? TOKEN}`
          : '/webhooks/postmark',
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      remoteAddress: opts.ip ?? POSTMARK_IP,
      headers: {
        'content-type': 'application/json',
        ...(opts.route === 'token' ? {} : { authorization: basic(opts.secret ?? BASIC) }),
      },
    });

  it('suppresses the §2.6 hard bounce and the spam complaint, and records the delivery', async () => {
    for (const name of ['bounce-hard.json', 'spam-complaint.json', 'delivery.json'])
      expect((await post(fixture(name))).statusCode, name).toBe(200);
    await t.drain();
    // All three samples carry the same time: compare them in a fixed order.
    const stored = (await eventsFor(t, 'john@example.com')).sort((a, b) =>
      a.type.localeCompare(b.type),
    );
    expect(stored.map((e) => [e.type, e.reason])).toEqual([
      ['bounce', 'hard_bounce'],
      ['complaint', 'spam_complaint'],
      ['delivered', null],
    ]);
    expect(stored[0]!.details).toMatchObject({ bounceId: '4323372036854775807' });
    expect(await suppressionOf(t, 'john@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'spam_complaint', source: 'postmark' }],
    });
  });

  it('applies SubscriptionChange on the token route: stream-scoped unsubscribe, then reactivation lifts it', async () => {
    const sc = JSON.parse(fixture('subscription-change.json')) as Record<string, unknown>;
    const address = 'reader@example.com';
    const unsub = {
      ...sc,
      Recipient: address,
      MessageStream: 'broadcast',
      SuppressionReason: 'ManualSuppression',
    };
    expect((await post(unsub, { route: 'token' })).statusCode).toBe(200);
    await t.drain();
    expect(await suppressionOf(t, address)).toMatchObject({ suppressed: false });
    expect((await suppressionOf(t, address, 'postmark-stream:broadcast')).entries).toMatchObject([
      { scope: 'postmark-stream:broadcast', reason: 'unsubscribe' },
    ]);
    const back = {
      ...unsub,
      SuppressSending: false,
      SuppressionReason: null,
      ChangedAt: '2020-02-01T11:00:00Z',
    };
    expect((await post(back, { route: 'token' })).statusCode).toBe(200);
    await t.drain();
    expect(await suppressionOf(t, address, 'postmark-stream:broadcast')).toMatchObject({
      suppressed: false,
    });
  });

  it('cools a soft bounce down and counts a retried record once', async () => {
    const hard = JSON.parse(
      fixture('bounce-hard.json').replace('4323372036854775807', '7'),
    ) as Record<string, unknown>;
    const soft = {
      ...hard,
      Email: 'full@example.com',
      Type: 'SoftBounce',
      TypeCode: 4096,
      Inactive: false,
      Details: '552 5.2.2 mailbox full',
    };
    expect((await post(soft)).statusCode).toBe(200);
    expect((await post(soft)).statusCode).toBe(200);
    await t.drain();
    expect(await countEvents(t, 'postmark', 'full@example.com')).toBe(1);
    expect((await suppressionRows(t, 'full@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
  });

  it('refuses wrong credentials, a missing credential and a source outside the allow-list with the same 401', async () => {
    const body = fixture('bounce-hard.json').replace('john@example.com', 'intruder@example.com');
    expectUnauthorized(await post(body, { secret: 'hookuser:wrong-0123456789abcdef' }));
    expectUnauthorized(
      await post(body, { route: 'token', secret: 'wrong-token-0123456789abcdef' }),
    );
    expectUnauthorized(
      await t.app.inject({
        method: 'POST',
        url: '/webhooks/postmark',
        payload: body,
        remoteAddress: POSTMARK_IP,
        headers: { 'content-type': 'application/json' },
      }),
    );
    expectUnauthorized(await post(body, { ip: '203.0.113.9' }));
    await t.drain();
    expect(await eventsFor(t, 'intruder@example.com')).toEqual([]);
  });

  it('answers 200 to an unknown record type and 202 (stored dead) to an authentic body that is not JSON', async () => {
    const unknown = await post({ RecordType: 'Inbound2', Recipient: 'x@example.com' });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({
      status: 'ignored',
      reason: 'unknown Postmark RecordType Inbound2',
    });
    const bad = await post('not json');
    expect(bad.statusCode).toBe(202);
    expect(await deadDeliveryIds(t)).toContain(bad.json().delivery_id);
  });
});

describe('Postmark settings', () => {
  it('refuses a short token and a Basic pair without a colon at start-up, naming the setting', async () => {
    await expect(
      buildTestApp('sqlite', { env: { BOUNCER_POSTMARK_URL_TOKEN: 'short' } }),
    ).rejects.toThrow(/BOUNCER_POSTMARK_URL_TOKEN/);
    await expect(
      buildTestApp('sqlite', { env: { BOUNCER_POSTMARK_BASIC_AUTH: 'no-colon-0123456789abcdef' } }),
    ).rejects.toThrow(/BOUNCER_POSTMARK_BASIC_AUTH/);
    await expect(
      buildTestApp('sqlite', { env: { BOUNCER_POSTMARK_ALLOWED_IPS: 'not-an-ip' } }),
    ).rejects.toThrow(/BOUNCER_POSTMARK_ALLOWED_IPS/);
  });
});
