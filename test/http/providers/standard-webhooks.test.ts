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
import { standardHeaders } from '../../helpers/standard-webhooks-signer.js';

const SAMPLE = readFileSync(
  new URL('../../fixtures/providers/resend/email-bounced.json', import.meta.url),
  'utf8',
);
const RESEND_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = 'whsec_' + Buffer.alloc(24, 1).toString('base64');
const LOOPS_SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');

describe.each(testDialects())('Standard Webhooks senders on %s', (dialect) => {
  const clock = new FixedClock(Date.UTC(2024, 10, 23));
  let t: TestApp;
  let seq = 0;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock,
      env: {
        BOUNCER_RESEND_WEBHOOK_SECRETS: `${OLD_SECRET},${RESEND_SECRET}`,
        BOUNCER_STANDARD_WEBHOOKS: JSON.stringify({
          loops: { format: 'loops', secrets: [LOOPS_SECRET] },
        }),
      },
    });
  });
  afterAll(async () => t.close());

  const post = (
    body: string,
    opts: {
      url?: string;
      secret?: string;
      id?: string;
      naming?: 'svix' | 'webhook';
      at?: number;
    } = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url: opts.url ?? '/webhooks/resend',
      payload: body,
      headers: standardHeaders(
        opts.secret ?? RESEND_SECRET,
        opts.id ?? `msg_${++seq}`,
        new Date(opts.at ?? clock.now()),
        body,
        opts.naming,
      ),
    });
  const resend = (type: string, to: string, data: Record<string, unknown> = {}) =>
    JSON.stringify({
      type,
      created_at: new Date(clock.now()).toISOString(),
      data: { email_id: `e${++seq}`, to: [to], ...data },
    });

  it('suppresses the §4.4 sample (signed by the standardwebhooks library) and answers 200', async () => {
    const res = await post(SAMPLE);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    await t.drain();
    expect(await suppressionOf(t, 'delivered@resend.dev')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'hard_bounce', source: 'resend' }],
    });
  });

  it('maps complaints, transient bounces (cool-down) and deliveries (end of the cool-down)', async () => {
    await post(resend('email.complained', 'angry@example.com'), { naming: 'webhook' });
    await post(
      resend('email.bounced', 'full@example.com', {
        bounce: { type: 'Transient', subType: 'MailboxFull', message: '452 4.2.2 mailbox full' },
      }),
    );
    await t.drain();
    expect((await suppressionOf(t, 'angry@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
    expect((await suppressionRows(t, 'full@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
    await post(resend('email.delivered', 'full@example.com'));
    await t.drain();
    expect(await suppressionOf(t, 'full@example.com')).toMatchObject({ suppressed: false });
  });

  it('stores a retried message (same svix-id, new timestamp) once', async () => {
    const body = resend('email.bounced', 'retried@example.com', {
      bounce: { type: 'Permanent', subType: 'General', message: '550 5.1.1 no such user' },
    });
    expect((await post(body, { id: 'msg_retry' })).statusCode).toBe(200);
    expect((await post(body, { id: 'msg_retry', at: clock.now() + 5_000 })).statusCode).toBe(200);
    await t.drain();
    expect(await countEvents(t, 'resend', 'retried@example.com')).toBe(1);
  });

  it('refuses a wrong secret, a tampered body, a stale timestamp and missing headers with the same 401', async () => {
    const body = resend('email.complained', 'intruder@example.com');
    expectUnauthorized(await post(body, { secret: LOOPS_SECRET }));
    const signed = standardHeaders(RESEND_SECRET, 'msg_x', new Date(clock.now()), body);
    expectUnauthorized(
      await t.app.inject({
        method: 'POST',
        url: '/webhooks/resend',
        payload: body.replace('intruder', 'victim'),
        headers: signed,
      }),
    );
    expectUnauthorized(await post(body, { at: clock.now() - 301_000 }));
    expectUnauthorized(
      await t.app.inject({
        method: 'POST',
        url: '/webhooks/resend',
        payload: body,
        headers: { 'content-type': 'application/json' },
      }),
    );
    await t.drain();
    expect(await eventsFor(t, 'intruder@example.com')).toEqual([]);
    expect(await eventsFor(t, 'victim@example.com')).toEqual([]);
  });

  it('answers 200 to an unused event type', async () => {
    const res = await post(JSON.stringify({ type: 'domain.created', data: {} }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ignored',
      reason: 'unused Resend event type domain.created',
    });
  });

  it('serves a configured sender at /webhooks/standard/<name> with its own secret and format', async () => {
    const body = JSON.stringify({
      eventName: 'email.hardBounced',
      eventTime: Math.floor(clock.now() / 1000),
      contactIdentity: { id: 'c1', email: 'gone@example.com' },
    });
    expect(
      (
        await post(body, {
          url: '/webhooks/standard/loops',
          secret: LOOPS_SECRET,
          naming: 'webhook',
        })
      ).statusCode,
    ).toBe(200);
    expectUnauthorized(
      await post(body, {
        url: '/webhooks/standard/loops',
        secret: RESEND_SECRET,
        naming: 'webhook',
      }),
    );
    await t.drain();
    expect(await eventsFor(t, 'gone@example.com')).toMatchObject([
      { provider: 'loops', type: 'bounce', reason: 'hard_bounce' },
    ]);
  });
});

describe('Standard Webhooks settings', () => {
  it('refuses a secret that is not whsec_ base64 at start-up, naming the setting', async () => {
    await expect(
      buildTestApp('sqlite', { env: { BOUNCER_RESEND_WEBHOOK_SECRETS: 'whsec_short' } }),
    ).rejects.toThrow(/BOUNCER_RESEND_WEBHOOK_SECRETS/);
    await expect(
      buildTestApp('sqlite', {
        env: {
          BOUNCER_STANDARD_WEBHOOKS: JSON.stringify({
            x: { format: 'nope', secrets: [RESEND_SECRET] },
          }),
        },
      }),
    ).rejects.toThrow(/BOUNCER_STANDARD_WEBHOOKS\.x\.format/);
  });
});
