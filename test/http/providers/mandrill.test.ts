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
import { signMandrill } from '../../helpers/mandrill-signer.js';

const KAT_BODY = readFileSync(
  new URL('../../fixtures/providers/mandrill/kat-request-body.txt', import.meta.url),
  'utf8',
).trim();
const OFFICIAL = JSON.parse(
  readFileSync(
    new URL('../../fixtures/providers/mandrill/official-events.json', import.meta.url),
    'utf8',
  ),
) as Array<Record<string, unknown>>;
const KEY = 'WEBHOOK_KEY_abc123';
const PUBLIC_URL = 'https://example.com';
const HOOK_URL = `${PUBLIC_URL}/webhooks/mandrill`;
const TS = 1_420_303_407;

describe.each(testDialects())('POST /webhooks/mandrill on %s', (dialect) => {
  const clock = new FixedClock((TS + 60) * 1000);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock,
      env: { BOUNCER_PUBLIC_URL: PUBLIC_URL, BOUNCER_MANDRILL_WEBHOOK_KEYS: `rotated-key,${KEY}` },
    });
  });
  afterAll(async () => t.close());

  const post = (
    signed: { body: string; headers: Record<string, string> },
    url = '/webhooks/mandrill',
  ) => t.app.inject({ method: 'POST', url, payload: signed.body, headers: signed.headers });
  const event = (name: string, email: string, msg: Record<string, unknown> = {}) => ({
    event: name,
    _id: `id-${email}`,
    ts: TS,
    msg: { email, _id: `id-${email}`, ...msg },
  });

  it("answers Mandrill's HEAD and GET URL checks with 200, and the empty test-webhook batch with 2xx", async () => {
    for (const method of ['HEAD', 'GET'] as const)
      expect((await t.app.inject({ method, url: '/webhooks/mandrill' })).statusCode, method).toBe(
        200,
      );
    const check = await post(signMandrill('test-webhook', HOOK_URL, []));
    expect(check.statusCode).toBe(200);
    expect(check.json()).toMatchObject({
      status: 'ignored',
      reason: 'empty batch (Mandrill URL check)',
    });
  });

  it('verifies the §3.7 raw request (query string included) and suppresses its hard bounce', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/mandrill?source=mc',
      payload: KAT_BODY,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-mandrill-signature': 'fS5uT6rQlORC2xkMY+mAB5qDu1M=',
      },
    });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await suppressionOf(t, 'example.webhook@mandrillapp.com')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'hard_bounce', source: 'mandrill' }],
    });
  });

  it('applies a batch, keeping its good events when one is bad, and counts a retried batch once', async () => {
    const batch = [
      event('hard_bounce', 'gone@example.com', {
        bounce_description: 'bad_mailbox',
        diag: 'smtp;550 5.1.1 user unknown',
      }),
      event('hard_bounce', 'not an address'),
      event('soft_bounce', 'full@example.com', {
        bounce_description: 'mailbox_full',
        diag: 'smtp;552 5.2.2 Over Quota',
      }),
      event('spam', 'angry@example.com'),
      event('unsub', 'bye@example.com'),
      event('deferral', 'slow@example.com'),
      event('reject', 'rejected@example.com'),
    ];
    const signed = signMandrill(KEY, HOOK_URL, batch);
    const res = await post(signed);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 6 });
    expect((await post(signed)).statusCode).toBe(200);
    await t.drain();
    expect((await suppressionOf(t, 'gone@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce' },
    ]);
    expect((await suppressionRows(t, 'full@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
    expect((await suppressionOf(t, 'angry@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
    expect((await suppressionOf(t, 'bye@example.com')).entries).toMatchObject([
      { reason: 'unsubscribe' },
    ]);
    expect(await suppressionRows(t, 'slow@example.com')).toEqual([]);
    expect(await suppressionRows(t, 'rejected@example.com')).toEqual([]);
    expect(await countEvents(t, 'mandrill', 'gone@example.com')).toBe(1);
  });

  it('ends a soft cool-down on a later delivery and lifts a mirrored denylist entry on remove', async () => {
    await post(
      signMandrill(KEY, HOOK_URL, [{ ...event('delivered', 'full@example.com'), ts: TS + 10 }]),
    );
    await post(
      signMandrill(KEY, HOOK_URL, [
        {
          type: 'blacklist',
          action: 'remove',
          ts: TS + 20,
          reject: { email: 'gone@example.com', reason: 'hard-bounce' },
        },
      ]),
    );
    await t.drain();
    expect(await suppressionOf(t, 'full@example.com')).toMatchObject({ suppressed: false });
    expect(await suppressionOf(t, 'gone@example.com')).toMatchObject({ suppressed: false });
  });

  it('refuses a wrong key, a missing signature, a tampered body and a batch forged with test-webhook with the same 401', async () => {
    const batch = [event('spam', 'intruder@example.com')];
    expectUnauthorized(await post(signMandrill('wrong-key', HOOK_URL, batch)));
    const { 'x-mandrill-signature': _s, ...unsigned } = signMandrill(KEY, HOOK_URL, batch).headers;
    expectUnauthorized(
      await post({ body: signMandrill(KEY, HOOK_URL, batch).body, headers: unsigned }),
    );
    const good = signMandrill(KEY, HOOK_URL, batch);
    expectUnauthorized(await post({ ...good, body: good.body.replace('spam', 'unsub') }));
    expectUnauthorized(await post(signMandrill('test-webhook', HOOK_URL, batch)));
    await t.drain();
    expect(await eventsFor(t, 'intruder@example.com')).toEqual([]);
  });
});

describe('Mandrill settings', () => {
  it('requires BOUNCER_PUBLIC_URL (or the configured webhook URLs) with the keys', async () => {
    await expect(
      buildTestApp('sqlite', { env: { BOUNCER_MANDRILL_WEBHOOK_KEYS: KEY } }),
    ).rejects.toThrow(/BOUNCER_PUBLIC_URL/);
    const t = await buildTestApp('sqlite', {
      env: {
        BOUNCER_MANDRILL_WEBHOOK_KEYS: KEY,
        BOUNCER_MANDRILL_WEBHOOK_URLS: 'https://hooks.example.com/mandrill?x=1',
      },
    });
    try {
      const signed = signMandrill(
        KEY,
        'https://hooks.example.com/mandrill?x=1',
        OFFICIAL.slice(0, 1),
      );
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/webhooks/mandrill',
            payload: signed.body,
            headers: signed.headers,
          })
        ).statusCode,
      ).toBe(200);
    } finally {
      await t.close();
    }
  });
});
