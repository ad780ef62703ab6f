import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import {
  countEvents,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
  suppressionRows,
} from '../../helpers/provider-http.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/providers/mailtrap/${name}`, import.meta.url), 'utf8');
const SECRET = '5f0c9a3e7b21d4c68e9f0a1b2c3d4e5f';
const sign = (b: string, k = SECRET) => createHmac('sha256', k).update(b).digest('hex');

describe.each(testDialects())('POST /webhooks/mailtrap on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(Date.parse('2026-01-02T00:00:00Z')),
      env: { BOUNCER_DROPPED_SUPPRESSES: 'true', BOUNCER_MAILTRAP_SECRETS: SECRET },
    });
  });
  afterAll(async () => t.close());

  const post = (body: string, contentType = 'application/json', signature = sign(body)) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/mailtrap',
      payload: body,
      headers: { 'content-type': contentType, 'mailtrap-signature': signature },
    });

  it('applies a batch once even when Mailtrap re-sends it whole (dedup on event_id)', async () => {
    const batch = JSON.stringify({
      events: [
        {
          event: 'bounce',
          email: 'gone@example.com',
          event_id: 'b-1',
          timestamp: 1767225600,
          response: '550 5.1.1 no such user',
          response_code: 550,
          bounce_category: 'generalfail',
        },
        {
          event: 'soft bounce',
          email: 'full@example.com',
          event_id: 'b-2',
          timestamp: 1767225600,
          response: '452 4.2.2 mailbox full',
          response_code: 452,
        },
        { event: 'spam', email: 'angry@example.com', event_id: 'b-3', timestamp: 1767225600 },
        { event: 'unsubscribe', email: 'bye@example.com', event_id: 'b-4', timestamp: 1767225600 },
        {
          event: 'reject',
          email: 'listed@example.com',
          event_id: 'b-5',
          timestamp: 1767225600,
          reason: 'Recipient in suppression list. Reason: unsubscription',
        },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const res = await post(batch);
      expect(res.statusCode).toBe(200);
    }
    await t.drain();
    expect((await suppressionOf(t, 'gone@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce', source: 'mailtrap', until: null },
    ]);
    // A soft bounce is a deferral: Mailtrap keeps trying; nothing is suppressed yet.
    expect(await eventsFor(t, 'full@example.com')).toMatchObject([{ type: 'deferred' }]);
    expect(await suppressionRows(t, 'full@example.com')).toEqual([]);
    expect((await suppressionOf(t, 'angry@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
    expect((await suppressionOf(t, 'bye@example.com')).entries).toMatchObject([
      { reason: 'unsubscribe' },
    ]);
    expect((await suppressionOf(t, 'listed@example.com')).entries).toMatchObject([
      { reason: 'unsubscribe' },
    ]);
    expect(await countEvents(t, 'mailtrap', 'gone@example.com')).toBe(1);
  });

  it('records the official policy bounce (KAT #3 bytes) without suppressing the recipient', async () => {
    const res = await post(
      fixture('bounce-policy.raw'),
      'application/json',
      '473223e515fd7123b5a8336b354237ac75ca2e446c67f60b7f7205ddbe5e0c10',
    );
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await eventsFor(t, 'receiver@example.com')).toMatchObject([
      { type: 'bounce', reason: null },
    ]);
    expect((await suppressionOf(t, 'receiver@example.com')).suppressed).toBe(false);
  });

  it('takes the JSON Lines sample', async () => {
    const res = await post(fixture('mixed-events.jsonl'), 'application/jsonl');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 2 });
    await t.drain();
    expect((await eventsFor(t, 'user1@example.com')).map((e) => e.type)).toEqual([
      'delivered',
      'open',
    ]);
  });

  it('answers exactly 200 for what it cannot parse or ignores (Mailtrap retries anything else)', async () => {
    const junk = await post('{"not":"mailtrap"}');
    expect(junk.statusCode).toBe(200);
    expect(junk.json()).toMatchObject({ status: 'stored_unparseable' });
    const ignored = await post('{"events":[{"event":"activity_log.created"}]}');
    expect(ignored.statusCode).toBe(200);
  });

  it('refuses a wrong signature with the uniform 401', async () => {
    expectUnauthorized(await post(fixture('bounce-policy.raw'), 'application/json', sign('x')));
  });
});
