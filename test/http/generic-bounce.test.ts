import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { ADMIN_KEY, auth, buildTestApp, type TestApp } from '../helpers/app.js';

describe.each(testDialects())('POST /webhooks/bounce (listmonk-compatible) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const post = (body: unknown, headers: Record<string, string> = auth()) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/bounce',
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('accepts listmonk’s documented body with Basic auth and a JSON-string meta, answering 202 with the event', async () => {
    const basic = {
      authorization: 'Basic ' + Buffer.from(`api_user:${ADMIN_KEY}`).toString('base64'),
    };
    const res = await post(
      {
        email: 'User1@Mail.com',
        campaign_uuid: '9f86b50d-5711-41c8-ab03-bc91c43d711b',
        source: 'api',
        type: 'hard',
        meta: '{"additional": "info"}',
      },
      basic,
    );
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      status: 'accepted',
      event: { type: 'bounce', address: 'user1@mail.com', reason: 'hard_bounce', severity: 'hard' },
    });
    await t.drain();
    const events = (
      await t.app.inject({
        method: 'GET',
        url: '/v1/events?address=user1@mail.com',
        headers: auth(),
      })
    ).json().events;
    expect(events).toMatchObject([
      {
        provider: 'api',
        campaign: '9f86b50d-5711-41c8-ab03-bc91c43d711b',
        details: { source: 'api', meta: { additional: 'info' } },
      },
    ]);
    const status = (
      await t.app.inject({ method: 'GET', url: '/v1/suppressions/user1@mail.com', headers: auth() })
    ).json();
    expect(status.entries).toMatchObject([{ reason: 'hard_bounce', source: 'api' }]);
  });

  it('reads the SMTP and enhanced status codes out of meta.diagnostic and classifies them', async () => {
    await post({
      email: 'diag@example.com',
      source: 'mta-log',
      type: 'soft',
      meta: { diagnostic: 'smtp; 552 5.2.2 Mailbox full' },
    });
    await t.drain();
    const events = (
      await t.app.inject({
        method: 'GET',
        url: '/v1/events?address=diag@example.com',
        headers: auth(),
      })
    ).json().events;
    expect(events).toMatchObject([
      {
        smtp_code: '552',
        enhanced_status: '5.2.2',
        fine_reason: 'mailboxfull',
        diagnostic: '552 5.2.2 Mailbox full',
        reason: 'soft_bounce',
      },
    ]);
  });

  it('records complaints and phone failures', async () => {
    expect(
      (
        await post({ email: 'c@example.com', source: 'fbl', type: 'complaint', meta: { x: 1 } })
      ).json().event,
    ).toMatchObject({ type: 'complaint', reason: 'spam_complaint' });
    expect(
      (await post({ phone: '+1 555 010 9999', source: 'sms-gw', type: 'hard' })).json().event,
    ).toMatchObject({ channel: 'sms', address: '+15550109999', reason: 'invalid_number' });
    await post({ email: 'nodiag@example.com', source: 'mta-log', type: 'soft' });
    await t.drain();
    // No diagnostic: no fine reason (null, never the string "undefined").
    for (const address of ['+15550109999', 'nodiag@example.com']) {
      const events = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/events?address=${encodeURIComponent(address)}`,
          headers: auth(),
        })
      ).json().events;
      expect(events).toMatchObject([{ fine_reason: null }]);
    }
  });

  it('treats a retried request with the same Idempotency-Key as the same event', async () => {
    const headers = { ...auth(), 'idempotency-key': 'retry-1' };
    await post({ email: 'idem@example.com', source: 'api', type: 'soft' }, headers);
    await post({ email: 'idem@example.com', source: 'api', type: 'soft' }, headers);
    await t.drain();
    const rows = await t.tdb.db.kysely
      .selectFrom('events')
      .select('id')
      .where('address', '=', 'idem@example.com')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it.each([
    [{ source: 'api', type: 'hard' }, 'email: one of email or phone is required'],
    [
      { email: 'x@example.com', source: 'api', type: 'bounced' },
      'type: must be one of hard, soft, complaint',
    ],
    [{ email: 'x@example.com', type: 'hard' }, 'source: missing'],
    [{ email: 'not-an-email@', source: 'api', type: 'hard' }, 'email: empty domain'],
    [
      { email: 'x@example.com', source: 'api', type: 'hard', meta: '{broken' },
      'meta: must be a JSON object or a JSON-encoded string of one',
    ],
    [
      { subscriber_uuid: '5e3c1fd2-0b6d-4e2a-9a4f-6f7c7b2f8a11', source: 'api', type: 'hard' },
      'email: required (Bouncer keeps no subscriber list to resolve subscriber_uuid)',
    ],
  ])('answers 400 naming the field for %j', async (body, message) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'BOUNCER_ERR_VALIDATION', message });
  });

  it('requires a write key, with the uniform 401 otherwise', async () => {
    const res = await post({ email: 'x@example.com', source: 'api', type: 'hard' }, {});
    expect(res.statusCode).toBe(401);
    const reader = (await t.services.apiKeys.create('r', 'read')).key;
    expect(
      (await post({ email: 'x@example.com', source: 'api', type: 'hard' }, auth(reader)))
        .statusCode,
    ).toBe(403);
  });

  it('refuses a body over the 64 KB single-event limit with a 413 that says so', async () => {
    const res = await post({
      email: 'big@example.com',
      source: 'api',
      type: 'hard',
      meta: { pad: 'x'.repeat(70_000) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BOUNCER_ERR_PAYLOAD_TOO_LARGE');
    expect(res.json().error.message).toContain('65536');
  });
});
