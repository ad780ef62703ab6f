import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, DRIP_SECRET, type TestApp } from '../helpers/app.js';

const sign = (body: string, secret = DRIP_SECRET): string =>
  createHmac('sha256', secret).update(body).digest('hex');

const RECENT = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');

function bounce(
  email: string,
  bounceType = 'hard',
  reason = 'Address does not exist',
  occurredAt = RECENT,
): string {
  return JSON.stringify({
    event: 'subscriber.bounced',
    data: { email, bounce_type: bounceType, bounce_reason: reason, occurred_at: occurredAt },
  });
}

describe.each(testDialects())('POST /webhooks/drip/bounce (seed 000, signed) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/drip/bounce',
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('answers 201 with the suppression and the worker suppresses the address permanently', async () => {
    const body = bounce('Bounced@Example.com');
    const res = await post(body, { 'x-drip-signature': sign(body) });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'success',
      email: 'bounced@example.com',
      reason: 'hard_bounce',
    });
    await t.drain();
    const check = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/bounced@example.com',
      headers: auth(),
    });
    expect(check.json()).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'drip', until: null }],
    });
  });

  it('refuses a missing, wrong or tampered signature with the same 401', async () => {
    const body = bounce('sig@example.com');
    const missing = await post(body);
    const wrong = await post(body, { 'x-drip-signature': sign(body, 'other-secret') });
    const tampered = await post(body.replace('sig@', 'sag@'), { 'x-drip-signature': sign(body) });
    for (const res of [missing, wrong, tampered]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'BOUNCER_ERR_UNAUTHORIZED', message: 'Authentication required' },
      });
    }
  });
});

describe.each(testDialects())('seed 000 Drip route edge cases on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const post = (body: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/drip/bounce',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-drip-signature': sign(body) },
    });

  it('answers other events with 200 ignored', async () => {
    const res = await post(
      JSON.stringify({ event: 'subscriber.created', data: { email: 'x@example.com' } }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ignored', reason: 'Not a bounce event' });
  });

  it('answers a bounce without an email with a 400 naming the field, and keeps it as a dead delivery', async () => {
    const res = await post(
      JSON.stringify({ event: 'subscriber.bounced', data: { bounce_type: 'hard' } }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'BOUNCER_ERR_VALIDATION',
      message: 'data.email: missing',
    });
    const dead = await t.app.inject({
      method: 'GET',
      url: '/v1/deliveries?status=dead',
      headers: auth(),
    });
    expect(dead.json().items.map((d: { id: string }) => d.id)).toContain(res.json().delivery_id);
  });

  it('turns 50 concurrent identical webhooks into one event and one suppression', async () => {
    const body = bounce('storm@example.com', 'soft', 'Mailbox full');
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    expect(answers.every((r) => r.statusCode === 201)).toBe(true);
    await t.drain();
    const { db } = t.tdb;
    const events = await db.kysely
      .selectFrom('events')
      .selectAll()
      .where('address', '=', 'storm@example.com')
      .execute();
    const rows = await db.kysely
      .selectFrom('suppressions')
      .selectAll()
      .where('address', '=', 'storm@example.com')
      .execute();
    expect(events).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'soft_bounce', soft_count: 1 });
  });

  it('counts the soft bounce as a cool-down, not a permanent suppression', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/storm@example.com',
      headers: auth(),
    });
    const entry = res.json().entries[0];
    expect(entry.reason).toBe('soft_bounce');
    expect(Date.parse(entry.until) - Date.parse(RECENT)).toBe(7 * 86_400_000);
  });

  it('stores no fine reason for a soft bounce without a bounce_reason (null, not "undefined")', async () => {
    const body = JSON.stringify({
      event: 'subscriber.bounced',
      data: { email: 'quiet@example.com', bounce_type: 'soft', occurred_at: RECENT },
    });
    expect((await post(body)).statusCode).toBe(201);
    await t.drain();
    const events = (
      await t.app.inject({
        method: 'GET',
        url: '/v1/events?address=quiet@example.com',
        headers: auth(),
      })
    ).json().events;
    expect(events).toMatchObject([{ reason: 'soft_bounce', fine_reason: null }]);
  });
});
