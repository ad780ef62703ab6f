import { generateKeyPairSync, sign } from 'node:crypto';
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

const SAMPLE = readFileSync(
  new URL('../../fixtures/providers/postal/message-delivery-failed.json', import.meta.url),
  'utf8',
);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spki = (k: typeof publicKey) => k.export({ format: 'der', type: 'spki' }).toString('base64');

describe.each(testDialects())('POST /webhooks/postal on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(Date.parse('2026-01-02T00:00:00Z')),
      env: {
        BOUNCER_DROPPED_SUPPRESSES: 'true',
        BOUNCER_POSTAL_PUBLIC_KEYS: `${spki(other.publicKey)},${spki(publicKey)}`,
      },
    });
  });
  afterAll(async () => t.close());

  const post = (body: string, key = privateKey, sha1Only = false) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/postal',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Postal/3.3.6',
        ...(sha1Only
          ? {}
          : {
              'x-postal-signature-256': sign('sha256', Buffer.from(body), key).toString('base64'),
            }),
        'x-postal-signature': sign('sha1', Buffer.from(body), key).toString('base64'),
      },
    });

  it('suppresses the documented failure once, however often Postal retries it (same uuid)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await post(SAMPLE);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    }
    await t.drain();
    expect(await suppressionOf(t, 'test@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'postal', until: null }],
    });
    expect(await countEvents(t, 'postal', 'test@example.com')).toBe(1);
  });

  it('takes an old server (SHA-1 only), and a held message for a suppressed recipient', async () => {
    const held = JSON.stringify({
      event: 'MessageHeld',
      timestamp: 1767225600,
      uuid: 'held-1',
      payload: {
        status: 'Held',
        details: 'Recipient is on the suppression list',
        message: { id: 1, direction: 'outgoing', to: 'held@example.com', message_id: 'h@x' },
      },
    });
    expect((await post(held, privateKey, true)).statusCode).toBe(200);
    const delayed = JSON.stringify({
      event: 'MessageDelayed',
      timestamp: 1767225600,
      uuid: 'delayed-1',
      payload: {
        status: 'SoftFail',
        output: '451 4.2.2 mailbox full',
        message: { id: 2, direction: 'outgoing', to: 'slow@example.com' },
      },
    });
    expect((await post(delayed)).statusCode).toBe(200);
    await t.drain();
    expect(await eventsFor(t, 'held@example.com')).toMatchObject([
      { type: 'dropped', reason: 'hard_bounce', fine_reason: 'suppressed' },
    ]);
    expect((await suppressionOf(t, 'held@example.com')).suppressed).toBe(true);
    expect(await eventsFor(t, 'slow@example.com')).toMatchObject([{ type: 'deferred' }]);
    expect(await suppressionRows(t, 'slow@example.com')).toEqual([]);
  });

  it('refuses a stranger key and a tampered body with the uniform 401, and 200s a server notice', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expectUnauthorized(await post(SAMPLE, stranger));
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/postal',
      payload: SAMPLE.replace('test@example.com', 'victim@example.com'),
      headers: {
        'content-type': 'application/json',
        'x-postal-signature-256': sign('sha256', Buffer.from(SAMPLE), privateKey).toString(
          'base64',
        ),
      },
    });
    expectUnauthorized(res);
    const notice = JSON.stringify({
      event: 'DomainDNSError',
      timestamp: 1,
      uuid: 'n-1',
      payload: {},
    });
    const ok = await post(notice);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ignored' });
  });
});
