import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOXROAD_CATEGORIES } from '../../../src/providers/inboxroad/inboxroad-categories.js';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import {
  countEvents,
  deadDeliveryIds,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
  suppressionRows,
} from '../../helpers/provider-http.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/providers/inboxroad/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
const TOKEN = 'inboxroad-token-0123456789abcdef';
const SAMPLE_SECONDS = 1_695_222_842;
const basic = (password: string, user = 'inboxroad') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

type Route = 'token' | 'basic';

describe.each(testDialects())('POST /webhooks/inboxroad on %s', (dialect) => {
  const clock = new FixedClock((SAMPLE_SECONDS + 60) * 1000);
  let t: TestApp;
  let seq = 0;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: { BOUNCER_INBOXROAD_URL_TOKEN: TOKEN } });
  });
  afterAll(async () => t.close());

  const post = (body: unknown, route: Route = 'token', secret = TOKEN) =>
    t.app.inject({
      method: 'POST',
      url: route === 'token' ? `/webhooks/inboxroad/${secret}` : '/webhooks/inboxroad',
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        ...(route === 'basic' ? { authorization: basic(secret) } : {}),
      },
    });
  /** A bounce record shaped like §5.4, for its own recipient and message. */
  const record = (rcpt: string, fields: Record<string, unknown> = {}) => ({
    ...fixture('bounce-bad-mailbox.json'),
    rcpt,
    'header_Message-Id': `<m${++seq}@mail.example.com>`,
    timeLogged: String(SAMPLE_SECONDS),
    ...fields,
  });

  it('suppresses the §5.4 sample (bad-mailbox) permanently, on the token route', async () => {
    const res = await post(fixture('bounce-bad-mailbox.json'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    await t.drain();
    expect(await eventsFor(t, 'nobody@example.org')).toMatchObject([
      {
        provider: 'inboxroad',
        type: 'bounce',
        reason: 'hard_bounce',
        severity: 'hard',
        fine_reason: 'userunknown',
        occurred_at: new Date(SAMPLE_SECONDS * 1000).toISOString(),
        details: { bounceCat: 'bad-mailbox', rcvSmtpUser: 'tenant-42', vmta: 'ir-pool-eu-1' },
      },
    ]);
    expect(await suppressionOf(t, 'nobody@example.org')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'inboxroad', until: null }],
    });
  });

  it('maps every PowerMTA category through both routes: hard suppresses, soft cools down, sender-side records only', async () => {
    const categories = Object.entries(INBOXROAD_CATEGORIES);
    for (const [index, [cat]] of categories.entries()) {
      const res = await post(
        record(`cat-${cat}@example.com`, { bounceCat: cat }),
        index % 2 === 0 ? 'token' : 'basic',
      );
      expect(res.statusCode, cat).toBe(200);
    }
    await t.drain();
    for (const [cat, rule] of categories) {
      const address = `cat-${cat}@example.com`;
      const expected = {
        hard: ['hard_bounce', 'hard'],
        soft: ['soft_bounce', 'soft'],
        sender: [null, 'soft'],
      }[rule.verdict];
      expect(await eventsFor(t, address), cat).toMatchObject([
        {
          type: 'bounce',
          reason: expected[0],
          severity: expected[1],
          fine_reason: rule.fineReason,
        },
      ]);
      const rows = await suppressionRows(t, address);
      expect(
        rows.map((r) => [r.reason, r.expires_at === null]),
        cat,
      ).toEqual(rule.verdict === 'sender' ? [] : [[expected[0], rule.verdict === 'hard']]);
    }
  });

  it('falls back to the DSN status for "other", empty and unknown categories', async () => {
    await post([
      record('other-511@example.com', {
        bounceCat: 'other',
        dsnStatus: '5.1.1 (bad destination mailbox address)',
        dsnDiag: 'smtp;550 5.1.1 user unknown',
      }),
      record('other-4xx@example.com', {
        bounceCat: 'other',
        dsnStatus: '4.4.1 (no answer from host)',
        dsnDiag: 'smtp;421 4.4.1 connection timed out',
      }),
      record('custom@example.com', {
        bounceCat: 'made-up-category',
        dsnStatus: '4.2.2 (mailbox full)',
        dsnDiag: 'smtp;452 4.2.2 mailbox full',
      }),
    ]);
    await t.drain();
    expect((await suppressionRows(t, 'other-511@example.com'))[0]).toMatchObject({
      reason: 'hard_bounce',
      expires_at: null,
    });
    expect((await suppressionRows(t, 'other-4xx@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
    expect((await suppressionRows(t, 'custom@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
  });

  it('accepts an array body and keeps its good records when one is bad', async () => {
    const res = await post(
      [
        record('array-1@example.com'),
        { type: 'b', rcpt: 'not an address' },
        record('array-2@example.com'),
        { type: 't', rcpt: 'deferred@example.com' },
      ],
      'basic',
    );
    expect(res.json()).toMatchObject({ status: 'accepted', events: 2 });
    await t.drain();
    for (const a of ['array-1@example.com', 'array-2@example.com'])
      expect((await suppressionOf(t, a)).suppressed).toBe(true);
    expect(await eventsFor(t, 'deferred@example.com')).toEqual([]);
  });

  it('resets the soft count when a later delivery to the same address is reported', async () => {
    const address = 'full@example.com';
    await post(
      record(address, {
        bounceCat: 'quota-issues',
        dsnStatus: '4.2.2 (mailbox full)',
        dsnDiag: 'smtp;452 4.2.2 mailbox full',
      }),
    );
    await t.drain();
    expect(await suppressionOf(t, address)).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'soft_bounce' }],
    });
    await post({
      ...fixture('delivered.json'),
      rcpt: address,
      timeLogged: String(SAMPLE_SECONDS + 30),
    });
    await t.drain();
    expect((await suppressionRows(t, address))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 0,
    });
    expect((await suppressionOf(t, address)).suppressed).toBe(false);
    expect((await eventsFor(t, address)).map((e) => e.type)).toEqual(['bounce', 'delivered']);
  });

  it('turns an f record into a spam complaint whatever its empty category says', async () => {
    await post(fixture('complaint.json'), 'basic');
    await t.drain();
    expect(await eventsFor(t, 'complainer@example.org')).toMatchObject([
      { type: 'complaint', reason: 'spam_complaint', fine_reason: 'feedback' },
    ]);
    expect(await suppressionOf(t, 'complainer@example.org')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'spam_complaint' }],
    });
  });

  it('uses the receipt time for a timeLogged no date can hold, rather than losing the record', async () => {
    const res = await post(
      record('far-future@example.com', { timeLogged: '99999999999999999999' }),
    );
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await eventsFor(t, 'far-future@example.com')).toMatchObject([
      { type: 'bounce', occurred_at: new Date(clock.now()).toISOString() },
    ]);
  });

  it('stores the same record posted twice, on either route, as one event', async () => {
    const dup = record('twice@example.com');
    expect((await post(dup)).statusCode).toBe(200);
    expect((await post(dup, 'basic')).statusCode).toBe(200);
    await t.drain();
    expect(await countEvents(t, 'inboxroad', 'twice@example.com')).toBe(1);
  });

  it('refuses a wrong token, a wrong Basic password and a request without credentials with the same 401', async () => {
    const body = record('intruder@example.com');
    expectUnauthorized(await post(body, 'token', 'wrong-token-0123456789abcdef'));
    expectUnauthorized(await post(body, 'basic', 'wrong-token-0123456789abcdef'));
    expectUnauthorized(
      await t.app.inject({
        method: 'POST',
        url: '/webhooks/inboxroad',
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
    );
    await t.drain();
    expect(await eventsFor(t, 'intruder@example.com')).toEqual([]);
  });

  it('keeps an authentic body that is not JSON as a dead delivery and answers 2xx', async () => {
    const res = await post('type=b&rcpt=x@example.com');
    expect(res.statusCode).toBe(202);
    expect(await deadDeliveryIds(t)).toContain(res.json().delivery_id);
  });
});

describe.each(testDialects())('Inboxroad webhook settings on %s', (dialect) => {
  it('refuses every request with the uniform 401 when no token is configured', async () => {
    const t = await buildTestApp(dialect);
    try {
      const payload = JSON.stringify(fixture('bounce-bad-mailbox.json'));
      expectUnauthorized(
        await t.app.inject({
          method: 'POST',
          url: `/webhooks/inboxroad/${TOKEN}`,
          payload,
          headers: { 'content-type': 'application/json' },
        }),
      );
      expectUnauthorized(
        await t.app.inject({
          method: 'POST',
          url: '/webhooks/inboxroad',
          payload,
          headers: { 'content-type': 'application/json', authorization: basic(TOKEN) },
        }),
      );
    } finally {
      await t.close();
    }
  });
});
