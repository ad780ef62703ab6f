import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, DRIP_SECRET, type TestApp } from '../helpers/app.js';

const sign = (body: string | Buffer): string =>
  createHmac('sha256', DRIP_SECRET).update(body).digest('hex');

describe.each(testDialects())('webhook body limits and bad bodies on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const postDrip = (body: string | Buffer) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/drip/bounce',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-drip-signature': sign(body) },
    });

  it('refuses a single-event webhook over 64 KB with 413 and a message naming the limit', async () => {
    const body = JSON.stringify({
      event: 'subscriber.bounced',
      data: { email: 'big@example.com', pad: 'x'.repeat(64 * 1024) },
    });
    const res = await postDrip(body);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toEqual({
      code: 'BOUNCER_ERR_PAYLOAD_TOO_LARGE',
      message: 'The request body is larger than this endpoint accepts (65536 bytes)',
    });
  });

  it('lets a batch webhook carry more than 64 KB but refuses more than 5 MB', async () => {
    const post = (bytes: number) =>
      t.app.inject({
        method: 'POST',
        url: '/webhooks/sendgrid',
        payload: `[${' '.repeat(bytes - 2)}]`,
        headers: { 'content-type': 'application/json' },
      });
    expect((await post(1024 * 1024)).statusCode).toBe(401);
    const res = await post(5 * 1024 * 1024 + 1);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toContain('5242880 bytes');
  });

  it('stores an authentic but malformed body as a dead delivery with the parse error, replayable without a 500', async () => {
    const res = await postDrip('{"event": "subscriber.bounced", "data": {');
    expect(res.statusCode).toBe(400);
    const id = res.json().delivery_id as string;
    const dead = await t.app.inject({
      method: 'GET',
      url: '/v1/deliveries?status=dead',
      headers: auth(),
    });
    const row = dead.json().items.find((d: { id: string }) => d.id === id);
    expect(row).toMatchObject({ status: 'dead', outcome: 'parse error' });
    expect(row.last_error).toMatch(/JSON/i);
    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/deliveries/${id}/replay`,
      headers: auth(),
    });
    expect(replay.statusCode).toBe(202);
    const [report] = await t.drain();
    expect(report).toMatchObject({ claimed: 1, dead: 1 });
    const again = await t.app.inject({
      method: 'GET',
      url: `/v1/deliveries/${id}`,
      headers: auth(),
    });
    expect(again.json()).toMatchObject({ status: 'dead', outcome: 'parse error', attempts: 1 });
  });

  it('stores and applies bodies with NUL characters without breaking text columns', async () => {
    const nulInReason = JSON.stringify({
      event: 'subscriber.bounced',
      data: {
        email: 'nul@example.com',
        bounce_type: 'hard',
        bounce_reason: 'Mailbox\u0000 unknown',
      },
    });
    const nulInEmail = JSON.stringify({
      event: 'subscriber.bounced',
      data: { email: 'n\u0000l@example.com', bounce_type: 'hard' },
    });
    const rawNul = Buffer.concat([
      Buffer.from('{"event":"subscriber.bounced","data":{"email":"raw'),
      Buffer.from([0]),
      Buffer.from('@example.com"}}'),
    ]);
    const answers = await Promise.all([
      postDrip(nulInReason),
      postDrip(nulInEmail),
      postDrip(rawNul),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 400, 400]);
    const reports = await t.drain();
    expect(reports.reduce((n, r) => n + r.dead, 0)).toBe(0);
    const check = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/nul@example.com',
      headers: auth(),
    });
    expect(check.json()).toMatchObject({ suppressed: true });
    const events = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/nul@example.com/history',
      headers: auth(),
    });
    expect(events.statusCode).toBeLessThan(500);
    const dead = await t.app.inject({
      method: 'GET',
      url: '/v1/deliveries?status=dead',
      headers: auth(),
    });
    expect(dead.statusCode).toBe(200);
    for (const a of answers.slice(1))
      expect(dead.json().items.map((d: { id: string }) => d.id)).toContain(a.json().delivery_id);
  });
});

describe('configured body limits', () => {
  it('applies BOUNCER_BODY_LIMIT_SINGLE_BYTES to single-event webhooks', async () => {
    const t = await buildTestApp('sqlite', { env: { BOUNCER_BODY_LIMIT_SINGLE_BYTES: '2048' } });
    try {
      const body = JSON.stringify({
        event: 'subscriber.bounced',
        data: { email: 'a@example.com', pad: 'x'.repeat(3_000) },
      });
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhooks/drip/bounce',
        payload: body,
        headers: { 'content-type': 'application/json', 'x-drip-signature': sign(body) },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.message).toContain('2048 bytes');
    } finally {
      await t.close();
    }
  });
});
