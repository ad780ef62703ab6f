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
import { mailgunBody, signMailgun } from '../../helpers/mailgun-signer.js';

const SAMPLE = readFileSync(
  new URL('../../fixtures/providers/mailgun/failed-permanent.json', import.meta.url),
  'utf8',
);
const KEY = 'test-signing-key-0123456789abcdef';
const ACME_KEY = 'acme-subaccount-key-0123456789ab';
const SAMPLE_SECONDS = 1_529_006_854;

describe.each(testDialects())('POST /webhooks/mailgun on %s', (dialect) => {
  const clock = new FixedClock((SAMPLE_SECONDS + 30) * 1000);
  let t: TestApp;
  let seq = 0;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock,
      env: {
        // These cases check what each drop maps to: with drops suppressing (not the default).
        BOUNCER_DROPPED_SUPPRESSES: 'true',
        BOUNCER_MAILGUN_SIGNING_KEYS: `old-key-0123456789abcdef0123,${KEY}`,
        BOUNCER_MAILGUN_ACCOUNTS: JSON.stringify({ acme: [ACME_KEY] }),
      },
    });
  });
  afterAll(async () => t.close());

  const post = (payload: string, url = '/webhooks/mailgun', contentType = 'application/json') =>
    t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
  const now = () => String(Math.floor(clock.now() / 1000));
  const eventData = (recipient: string, fields: Record<string, unknown> = {}) => ({
    event: 'failed',
    id: `ev-${++seq}`,
    timestamp: SAMPLE_SECONDS + seq,
    severity: 'permanent',
    reason: 'bounce',
    recipient,
    'delivery-status': { code: 550, 'enhanced-code': '5.1.1', message: '5.1.1 no such user' },
    ...fields,
  });

  it('suppresses the §1.6 sample (signed as published) permanently', async () => {
    const res = await post(SAMPLE);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    await t.drain();
    expect(await eventsFor(t, 'alice@example.com')).toMatchObject([
      { provider: 'mailgun', type: 'bounce', reason: 'hard_bounce', fine_reason: 'userunknown' },
    ]);
    expect(await suppressionOf(t, 'alice@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'mailgun', until: null }],
    });
  });

  it('maps complaints, unsubscribes (list-scoped), suppress-* drops and deliveries into the suppression list', async () => {
    const sends = [
      eventData('complainer@example.com', { event: 'complained', severity: undefined }),
      eventData('unsub@example.com', { event: 'unsubscribed', severity: undefined }),
      eventData('list-unsub@example.com', {
        event: 'unsubscribed',
        'mailing-list': { address: 'news@lists.example.org' },
      }),
      eventData('listed@example.com', { reason: 'suppress-bounce' }),
      eventData('sandbox@example.com', { event: 'rejected', reject: { reason: 'sandbox' } }),
    ];
    for (const e of sends) expect((await post(mailgunBody(KEY, e, now()))).statusCode).toBe(200);
    await t.drain();
    expect((await suppressionOf(t, 'complainer@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
    expect((await suppressionOf(t, 'unsub@example.com')).entries).toMatchObject([
      { scope: '*', reason: 'unsubscribe' },
    ]);
    expect(await suppressionOf(t, 'list-unsub@example.com')).toMatchObject({ suppressed: false });
    expect(
      (await suppressionOf(t, 'list-unsub@example.com', 'mailgun-list:news@lists.example.org'))
        .entries,
    ).toMatchObject([{ reason: 'unsubscribe' }]);
    expect((await suppressionOf(t, 'listed@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce' },
    ]);
    expect(await suppressionOf(t, 'sandbox@example.com')).toMatchObject({ suppressed: false });
    expect((await eventsFor(t, 'sandbox@example.com')).map((e) => e.type)).toEqual(['dropped']);
  });

  it('cools an exhausted (reason old) failure down and a later delivery ends the cool-down; a temporary failure suppresses nothing', async () => {
    const address = 'slow@example.com';
    await post(
      mailgunBody(KEY, eventData(address, { severity: 'temporary', reason: 'old' }), now()),
    );
    await post(
      mailgunBody(
        KEY,
        eventData('greylisted@example.com', { severity: 'temporary', reason: 'greylisted' }),
        now(),
      ),
    );
    await t.drain();
    expect((await suppressionRows(t, address))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
    expect(await suppressionRows(t, 'greylisted@example.com')).toEqual([]);
    expect((await eventsFor(t, 'greylisted@example.com')).map((e) => e.type)).toEqual(['deferred']);
    await post(
      mailgunBody(KEY, eventData(address, { event: 'delivered', severity: undefined }), now()),
    );
    await t.drain();
    expect(await suppressionOf(t, address)).toMatchObject({ suppressed: false });
  });

  it('stores a retried request once, and refuses its signature re-attached to another event', async () => {
    const sig = signMailgun(KEY, now());
    const original = JSON.stringify({
      signature: sig,
      'event-data': eventData('retry@example.com'),
    });
    expect((await post(original)).statusCode).toBe(200);
    expect((await post(original)).statusCode).toBe(200);
    expectUnauthorized(
      await post(JSON.stringify({ signature: sig, 'event-data': eventData('victim@example.com') })),
    );
    await t.drain();
    expect(await countEvents(t, 'mailgun', 'retry@example.com')).toBe(1);
    expect(await eventsFor(t, 'victim@example.com')).toEqual([]);
  });

  it('refuses a wrong key, a missing signature, an old timestamp and an empty body with the same 401', async () => {
    const e = eventData('intruder@example.com');
    expectUnauthorized(await post(mailgunBody('wrong-key-0123456789abcdef0123', e, now())));
    expectUnauthorized(await post(JSON.stringify({ 'event-data': e })));
    expectUnauthorized(await post(mailgunBody(KEY, e, String(SAMPLE_SECONDS - 90_000))));
    expectUnauthorized(await post(''));
    await t.drain();
    expect(await eventsFor(t, 'intruder@example.com')).toEqual([]);
  });

  it("verifies /webhooks/mailgun/:account with that account's key (or the parent signature) only", async () => {
    const e = eventData('acme@example.com');
    expect((await post(mailgunBody(ACME_KEY, e, now()), '/webhooks/mailgun/acme')).statusCode).toBe(
      200,
    );
    expectUnauthorized(await post(mailgunBody(ACME_KEY, eventData('x@example.com'), now())));
    expectUnauthorized(
      await post(
        mailgunBody(ACME_KEY, eventData('y@example.com'), now()),
        '/webhooks/mailgun/nobody',
      ),
    );
    await t.drain();
    expect(await eventsFor(t, 'acme@example.com')).toMatchObject([
      { details: { account: 'acme' } },
    ]);
  });

  it('accepts legacy url-encoded and multipart posts (the multipart one with an attachment)', async () => {
    const form = new URLSearchParams({
      event: 'bounced',
      recipient: 'legacy@example.com',
      code: '550',
      error: '550 5.1.1 user unknown',
      ...signMailgun(KEY, now()),
    }).toString();
    expect(
      (await post(form, '/webhooks/mailgun', 'application/x-www-form-urlencoded')).statusCode,
    ).toBe(200);
    const boundary = 'mgBoundary42';
    const fields = {
      event: 'dropped',
      recipient: 'legacy-multipart@example.com',
      code: '607',
      reason: 'hardfail',
      description: 'Not delivering to a user who marked your messages as spam',
      ...signMailgun(KEY, now()),
    };
    const multipart =
      Object.entries(fields)
        .map(
          ([k, v]) =>
            `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
        )
        .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="attachment-1"; filename="original.eml"\r\n\r\nSubject: hi\r\n\r\nbody\r\n--${boundary}--\r\n`;
    expect(
      (await post(multipart, '/webhooks/mailgun', `multipart/form-data; boundary=${boundary}`))
        .statusCode,
    ).toBe(200);
    await t.drain();
    expect((await suppressionOf(t, 'legacy@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce' },
    ]);
    expect((await suppressionOf(t, 'legacy-multipart@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
  });

  it('answers 2xx for an unknown event type and keeps an unusable authentic event as a dead delivery', async () => {
    const unknown = await post(
      mailgunBody(KEY, eventData('u@example.com', { event: 'stored' }), now()),
    );
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({
      status: 'ignored',
      reason: 'unknown or unused Mailgun event stored',
    });
    const bad = await post(mailgunBody(KEY, eventData('not an address'), now()));
    expect(bad.statusCode).toBe(202);
    expect(await deadDeliveryIds(t)).toContain(bad.json().delivery_id);
  });
});

describe.each(testDialects())('Mailgun webhook settings on %s', (dialect) => {
  it('refuses every request with the uniform 401 when no key is configured', async () => {
    const t = await buildTestApp(dialect);
    try {
      expectUnauthorized(
        await t.app.inject({
          method: 'POST',
          url: '/webhooks/mailgun',
          payload: SAMPLE,
          headers: { 'content-type': 'application/json' },
        }),
      );
    } finally {
      await t.close();
    }
  });
});
