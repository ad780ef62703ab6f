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
  new URL('../../fixtures/providers/brevo/sample-hard-bounce.json', import.meta.url),
  'utf8',
);
const BASIC = 'brevo:basic-password-0123456789';
const OLD_BASIC = 'brevo:older-password-0123456789';
const BEARER = 'client-token-0123456789abcdef';
const TOKEN = 'brevo-url-token-0123456789abc';
const SAMPLE_AT = 1_604_933_653_000;
const ENV = {
  BOUNCER_BREVO_BASIC_AUTH: `${BASIC},${OLD_BASIC}`,
  BOUNCER_BREVO_BEARER_TOKENS: BEARER,
  BOUNCER_BREVO_URL_TOKENS: TOKEN,
};
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
const event = (fields: Record<string, unknown>) => ({
  ts_epoch: SAMPLE_AT,
  'message-id': '<m@smtp-relay.mailin.fr>',
  ...fields,
});

describe.each(testDialects())('POST /webhooks/brevo on %s', (dialect) => {
  const clock = new FixedClock(SAMPLE_AT + 60_000);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: ENV });
  });
  afterAll(async () => t.close());

  const post = (
    body: unknown,
    headers: Record<string, string> = { authorization: basic(BASIC) },
    url = '/webhooks/brevo',
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('suppresses the §6.6 hard bounce sample permanently, and a resend changes nothing', async () => {
    const res = await post(SAMPLE);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    await t.drain();
    expect(await eventsFor(t, 'not-a-user@example.com')).toMatchObject([
      {
        provider: 'brevo',
        type: 'bounce',
        reason: 'hard_bounce',
        severity: 'hard',
        occurred_at: new Date(SAMPLE_AT).toISOString(),
      },
    ]);
    expect(await suppressionOf(t, 'not-a-user@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'brevo', until: null }],
    });
    expect((await post(SAMPLE, { authorization: `Bearer ${BEARER}` })).statusCode).toBe(200);
    expect((await post(SAMPLE, {}, `/webhooks/brevo/${TOKEN}`)).statusCode).toBe(200);
    await t.drain();
    expect(await countEvents(t, 'brevo', 'not-a-user@example.com')).toBe(1);
  });

  it('maps soft bounces, complaints, unsubscribes, blocked and engagement with the suppression each implies', async () => {
    const res = await post([
      event({ event: 'soft_bounce', email: 'soft@example.com', reason: '452 4.2.2 mailbox full' }),
      event({ event: 'spam', email: 'spam@example.com' }),
      event({ event: 'complaint', email: 'complaint@example.com' }),
      event({ event: 'unsubscribed', email: 'unsub@example.com' }),
      event({ event: 'unsubscribe', email: 'unsub2@example.com' }),
      event({ event: 'invalid_email', email: 'invalid@example.com' }),
      event({
        event: 'blocked',
        email: 'blocked@example.com',
        reason: 'blocked : due to blacklist user',
      }),
      event({ event: 'deferred', email: 'later@example.com', reason: '421 4.7.0 try again later' }),
      event({ event: 'error', email: 'error@example.com' }),
      event({ event: 'opened', email: 'reader@example.com' }),
      event({ event: 'click', email: 'reader@example.com', link: 'https://example.com/' }),
      event({ event: 'delivered', email: 'reader@example.com' }),
    ]);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 12 });
    await t.drain();
    expect((await suppressionRows(t, 'soft@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
    for (const [address, reason] of [
      ['spam@example.com', 'spam_complaint'],
      ['complaint@example.com', 'spam_complaint'],
      ['unsub@example.com', 'unsubscribe'],
      ['unsub2@example.com', 'unsubscribe'],
      ['invalid@example.com', 'hard_bounce'],
    ])
      expect((await suppressionOf(t, address!)).entries, address).toMatchObject([
        { scope: '*', reason },
      ]);
    for (const address of [
      'blocked@example.com',
      'later@example.com',
      'error@example.com',
      'reader@example.com',
    ])
      expect(await suppressionRows(t, address), address).toEqual([]);
    expect((await eventsFor(t, 'reader@example.com')).map((e) => e.type).sort()).toEqual([
      'click',
      'delivered',
      'open',
    ]);
  });

  it('keeps the good events of a batch with one bad event and records the rejected one', async () => {
    const res = await post([
      event({ event: 'hard_bounce', email: 'mix-1@example.com' }),
      event({ event: 'hard_bounce', email: 'not an address' }),
      event({ event: 'hard_bounce', email: 'mix-3@example.com' }),
    ]);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 2 });
    await t.drain();
    expect((await suppressionOf(t, 'mix-1@example.com')).suppressed).toBe(true);
    expect((await suppressionOf(t, 'mix-3@example.com')).suppressed).toBe(true);
    const d = await deliveryOf(t, res.json().delivery_id as string);
    expect(d.outcome).toMatch(/^2 event\(s\); 1 item\(s\) rejected: #1 invalid email/);
  });

  it('answers 2xx (Brevo drops on 4xx/5xx) to an unknown type and to an unusable body, stored dead', async () => {
    const unknown = await post(event({ event: 'contact_updated', email: 'a@example.com' }));
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({
      status: 'ignored',
      reason: 'unknown event type contact_updated',
    });
    for (const body of ['', 'not json', '"text"']) {
      const res = await post(body);
      expect(res.statusCode, body).toBe(202);
      expect((await deliveryOf(t, res.json().delivery_id as string)).status).toBe('dead');
    }
  });

  it('accepts a rotated Basic pair and refuses with the uniform 401 a missing, wrong or foreign credential', async () => {
    expect((await post(SAMPLE, { authorization: basic(OLD_BASIC) })).statusCode).toBe(200);
    expectUnauthorized(await post(SAMPLE, {}));
    expectUnauthorized(
      await post(SAMPLE, { authorization: basic('brevo:wrong-password-000000000') }),
    );
    expectUnauthorized(
      await post(SAMPLE, { authorization: basic('intruder:basic-password-0123456789') }),
    );
    expectUnauthorized(await post(SAMPLE, { authorization: 'Bearer not-the-token-0000000000' }));
    expectUnauthorized(await post(SAMPLE, {}, '/webhooks/brevo/not-the-token-0000000000'));
  });
});

describe.each(testDialects())('Brevo webhook settings on %s', (dialect) => {
  it('refuses a source outside BOUNCER_BREVO_ALLOWED_IPS with the uniform 401', async () => {
    const t = await buildTestApp(dialect, {
      env: { ...ENV, BOUNCER_BREVO_ALLOWED_IPS: '198.51.100.0/24,2001:db8::/32' },
    });
    try {
      const send = (remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: '/webhooks/brevo',
          remoteAddress,
          payload: SAMPLE,
          headers: { 'content-type': 'application/json', authorization: basic(BASIC) },
        });
      expectUnauthorized(await send('203.0.113.9'));
      expect((await send('198.51.100.10')).statusCode).toBe(200);
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
          url: '/webhooks/brevo',
          payload: SAMPLE,
          headers: { 'content-type': 'application/json', authorization: basic(BASIC) },
        }),
      );
    } finally {
      await t.close();
    }
  });
});
