import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAILERSEND_TEST_PING_KEY } from '../../../src/providers/mailersend/mailersend.adapter.js';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import {
  countEvents,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
} from '../../helpers/provider-http.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/providers/mailersend/${name}`, import.meta.url), 'utf8');
const SECRET = 'ms-webhook-secret-0123456789';
const ACME = 'ms-acme-secret-0123456789';
const sign = (body: string, key: string): string =>
  createHmac('sha256', key).update(body).digest('hex');

describe.each(testDialects())('POST /webhooks/mailersend on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(Date.parse('2026-01-02T00:00:00Z')),
      env: {
        BOUNCER_MAILERSEND_SECRETS: `old-secret-0123456789,${SECRET}`,
        BOUNCER_MAILERSEND_ACCOUNTS: JSON.stringify({ acme: [ACME] }),
        BOUNCER_MAILERSEND_ACCEPT_TEST_PING: 'true',
      },
    });
  });
  afterAll(async () => t.close());

  const post = (body: string, key = SECRET, url = '/webhooks/mailersend') =>
    t.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', signature: sign(body, key) },
    });
  const withRecipient = (name: string, rcpt: string, id: string) =>
    fixture(name).replaceAll('test@example.com', rcpt).replace('62f114f8165fe0d8db0288e5', id);

  it('suppresses the fat and slim hard bounces and the slim unsubscribe, once each however often retried', async () => {
    const fat = withRecipient('hard-bounced-fat.json', 'fat@example.com', 'a1');
    const slim = withRecipient('hard-bounced-slim.json', 'slim@example.com', 'a2');
    const unsub = withRecipient('unsubscribed-slim.json', 'unsub@example.com', 'a3');
    for (const body of [fat, slim, unsub, fat]) {
      const res = await post(body);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    }
    await t.drain();
    expect(await suppressionOf(t, 'fat@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'mailersend', until: null }],
    });
    expect(await suppressionOf(t, 'slim@example.com')).toMatchObject({
      entries: [{ reason: 'hard_bounce' }],
    });
    expect(await suppressionOf(t, 'unsub@example.com')).toMatchObject({
      entries: [{ reason: 'unsubscribe' }],
    });
    expect(await countEvents(t, 'mailersend', 'fat@example.com')).toBe(1);
  });

  it('keeps the official 736-byte body (escaped slashes) verifiable: processed, nothing suppressed', async () => {
    const body = fixture('activity-sent.raw');
    const res = await post(body, 'old-secret-0123456789');
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await eventsFor(t, 'test@test.com')).toMatchObject([
      { provider: 'mailersend', type: 'processed' },
    ]);
    expect((await suppressionOf(t, 'test@test.com')).suppressed).toBe(false);
  });

  it('answers the dashboard ping 200 when enabled and never lists anyone from it', async () => {
    const ping = fixture('webhook-test.raw');
    const res = await post(ping, MAILERSEND_TEST_PING_KEY);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ignored' });
    const forged = withRecipient('hard-bounced-slim.json', 'forged@example.com', 'f1');
    expectUnauthorized(await post(forged, MAILERSEND_TEST_PING_KEY));
    await t.drain();
    expect((await suppressionOf(t, 'forged@example.com')).suppressed).toBe(false);
  });

  it("verifies an account's URL with its own secret only, and refuses bad signatures with the uniform 401", async () => {
    const body = withRecipient('hard-bounced-slim.json', 'acme@example.com', 'b1');
    expect((await post(body, ACME, '/webhooks/mailersend/acme')).statusCode).toBe(200);
    expectUnauthorized(await post(body, SECRET, '/webhooks/mailersend/acme'));
    expectUnauthorized(await post(body, ACME));
    expectUnauthorized(await post(body, 'wrong-secret-0123456789'));
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/webhooks/mailersend',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expectUnauthorized(unsigned);
    await t.drain();
    expect(await eventsFor(t, 'acme@example.com')).toMatchObject([
      { type: 'bounce', details: { account: 'acme' } },
    ]);
  });

  it('answers 200 for an unknown event type and stores nothing for it', async () => {
    const res = await post(JSON.stringify({ type: 'maintenance.start', data: {} }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ignored',
      reason: 'MailerSend maintenance.start is not used',
    });
  });
});
