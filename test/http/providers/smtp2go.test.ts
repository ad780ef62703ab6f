import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { countEvents, expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';

const TOKEN = 'smtp2go-token-0123456789abcdef';
const event = (rcpt: string, fields: Record<string, string>) =>
  JSON.stringify({ rcpt, email_id: `id-${rcpt}`, time: '2026-01-01T10:00:00Z', ...fields });

describe.each(testDialects())('POST /webhooks/smtp2go on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(Date.parse('2026-01-02T00:00:00Z')),
      env: {
        // These cases check what each drop maps to: with drops suppressing (not the default).
        BOUNCER_DROPPED_SUPPRESSES: 'true',
        BOUNCER_SMTP2GO_TOKENS: TOKEN,
        BOUNCER_SMTP2GO_BASIC: 'smtp2go:basic-password-0123456789',
      },
    });
  });
  afterAll(async () => t.close());

  const post = (
    body: string,
    url = `/webhooks/smtp2go/${TOKEN}`,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('suppresses hard bounces, complaints and unsubscribes, once however often they arrive', async () => {
    const hard = event('hard@example.com', {
      event: 'bounce',
      bounce: 'hard',
      message: '550 5.1.1 user unknown',
    });
    for (const body of [hard, hard, event('spam@example.com', { event: 'spam' })])
      expect((await post(body)).statusCode).toBe(200);
    const bearer = await post(
      event('bye@example.com', { event: 'unsubscribe' }),
      '/webhooks/smtp2go',
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(bearer.statusCode).toBe(200);
    const form = new URLSearchParams({
      event: 'reject',
      rcpt: 'listed@example.com',
      email_id: 'r1',
    }).toString();
    const basic = `Basic ${Buffer.from('smtp2go:basic-password-0123456789').toString('base64')}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/smtp2go',
      payload: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect((await suppressionOf(t, 'hard@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce', source: 'smtp2go' },
    ]);
    expect((await suppressionOf(t, 'spam@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
    expect((await suppressionOf(t, 'bye@example.com')).entries).toMatchObject([
      { reason: 'unsubscribe' },
    ]);
    expect((await suppressionOf(t, 'listed@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce' },
    ]);
    expect(await countEvents(t, 'smtp2go', 'hard@example.com')).toBe(1);
  });

  it('lifts an unsubscribe on resubscribe', async () => {
    await post(event('back@example.com', { event: 'unsubscribe' }));
    await t.drain();
    expect((await suppressionOf(t, 'back@example.com')).suppressed).toBe(true);
    await post(event('back@example.com', { event: 'resubscribe', time: '2026-01-01T11:00:00Z' }));
    await t.drain();
    expect((await suppressionOf(t, 'back@example.com')).suppressed).toBe(false);
  });

  it('refuses a wrong token, no credential and wrong Basic with the uniform 401', async () => {
    const body = event('x@example.com', { event: 'spam' });
    expectUnauthorized(await post(body, '/webhooks/smtp2go/wrong-token-0123456789abc'));
    expectUnauthorized(await post(body, '/webhooks/smtp2go'));
    expectUnauthorized(await post(body, '/webhooks/smtp2go', { authorization: 'Bearer wrong' }));
  });

  it('hides the token of the URL in the deliveries API', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/deliveries?provider=smtp2go',
      headers: { authorization: 'Bearer test-admin-key-0123456789abcdef' },
    });
    expect(res.statusCode).toBe(200);
    expect((res.json().items as Array<{ url: string }>).map((d) => d.url)).toContain(
      '/webhooks/smtp2go/…',
    );
    expect(res.body).not.toContain(TOKEN);
  });
});
