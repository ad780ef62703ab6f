import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAppError, ParseError } from '../../../src/core/errors.js';
import type { NormalisedEvent } from '../../../src/core/events.js';
import { dedupHash } from '../../../src/core/hash.js';
import { createInboxroadAdapter } from '../../../src/providers/inboxroad/inboxroad.adapter.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const TOKEN = 'ir_4f9c2d7e8a1b3c5d6e7f8091';
const NEXT_TOKEN = 'ir_next_0a1b2c3d4e5f60718293';
const RECEIVED_AT = Date.UTC(2023, 8, 20, 15, 20, 0);
const ctx = { defaultPhoneRegion: 'US' };
const adapter = createInboxroadAdapter({ urlTokens: [TOKEN] });

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(
      new URL(`../../fixtures/providers/inboxroad/${name}.json`, import.meta.url),
      'utf8',
    ),
  ) as Record<string, unknown>;
}
const bounce = fixture('bounce-bad-mailbox');
const delivered = fixture('delivered');
const complaint = fixture('complaint');

function request(
  body: unknown,
  opts: { token?: string; authorization?: string } = {},
): WebhookRequest {
  const rawBody = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    rawBody,
    headers: { 'content-type': 'application/json', authorization: opts.authorization },
    url: `/webhooks/inboxroad/${opts.token ?? TOKEN}`,
    params: opts.token === '' ? {} : { token: opts.token ?? TOKEN },
    receivedAt: RECEIVED_AT,
  };
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function events(result: AdapterResult): NormalisedEvent[] {
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  return result.events;
}

describe('Inboxroad adapter: verification', () => {
  it('accepts the configured URL token', () => {
    expect(adapter.verify(request(bounce))).toEqual({ ok: true });
  });

  it('rejects a wrong token, a token prefix and a longer token', () => {
    for (const token of ['ir_wrong_000000000000000000', TOKEN.slice(0, -1), `${TOKEN}x`]) {
      expect(adapter.verify(request(bounce, { token })).ok).toBe(false);
    }
  });

  it('rejects a request with neither a URL token nor Basic auth', () => {
    expect(adapter.verify(request(bounce, { token: '' }))).toEqual({
      ok: false,
      reason: 'missing URL token and Basic auth',
    });
  });

  it('accepts HTTP Basic auth whose password is the token, whatever the user name', () => {
    expect(
      adapter.verify(request(bounce, { token: '', authorization: basic('inboxroad', TOKEN) })),
    ).toEqual({ ok: true });
    expect(
      adapter.verify(request(bounce, { token: 'wrong', authorization: basic('', TOKEN) })),
    ).toEqual({ ok: true });
    expect(
      adapter.verify(request(bounce, { token: '', authorization: basic(TOKEN, 'wrong') })).ok,
    ).toBe(false);
    expect(
      adapter.verify(request(bounce, { token: '', authorization: `Bearer ${TOKEN}` })).ok,
    ).toBe(false);
    expect(adapter.verify(request(bounce, { token: '', authorization: 'Basic !!!' })).ok).toBe(
      false,
    );
  });

  it('accepts every configured token during a rotation', () => {
    const rotating = createInboxroadAdapter({ urlTokens: [TOKEN, NEXT_TOKEN] });
    expect(rotating.verify(request(bounce, { token: TOKEN }))).toEqual({ ok: true });
    expect(rotating.verify(request(bounce, { token: NEXT_TOKEN }))).toEqual({ ok: true });
  });

  it('refuses to start without a token or with a short one, naming the setting', () => {
    for (const urlTokens of [[], [' '], ['short-token']]) {
      let error: unknown;
      try {
        createInboxroadAdapter({ urlTokens });
      } catch (err) {
        error = err;
      }
      expect(isAppError(error) && error.code === 'BOUNCER_ERR_CONFIG').toBe(true);
      expect((error as Error).message).toMatch(/^BOUNCER_INBOXROAD_URL_TOKEN: /);
    }
  });
});

describe('Inboxroad adapter: parsing', () => {
  it('maps the spec §5.4 bad-mailbox sample to a hard bounce', () => {
    expect(events(adapter.parse(request(bounce), ctx))).toEqual([
      {
        type: 'bounce',
        channel: 'email',
        address: 'nobody@example.org',
        scope: '*',
        reason: 'hard_bounce',
        severity: 'hard',
        fineReason: 'userunknown',
        smtpCode: '550',
        enhancedStatus: '5.1.1',
        diagnostic: '550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown',
        errorCode: null,
        providerMessageId: '<20230920151402.abc123@mail.example.com>',
        campaign: null,
        occurredAt: 1695222842000,
        dedupKey: '35920926ed061496a41ad3702c928991db130071308d7b6295c784e9a1c6ce7b',
        details: {
          recordType: 'b',
          bounceCat: 'bad-mailbox',
          dsnAction: 'failed',
          rcvSmtpUser: 'tenant-42',
          vmta: 'ir-pool-eu-1',
          timeLogged: '1695222842',
        },
      },
    ]);
  });

  it('maps the seed 003 delivered sample to a delivered event', () => {
    const [event] = events(adapter.parse(request(delivered), ctx));
    expect(event).toMatchObject({
      type: 'delivered',
      address: 'example@domain.net',
      reason: null,
      severity: null,
      enhancedStatus: '2.0.0',
      smtpCode: '250',
    });
    expect(event?.dedupKey).toBe(
      dedupHash(
        'd',
        'example@domain.net',
        '<80894b937274b975f9e3ab05f0a009636d2016d9@rp.domain.com>',
        '1695222842',
        '2.0.0 (success)',
      ),
    );
  });

  it('maps an f record to a spam complaint whatever bounceCat says', () => {
    const [event] = events(adapter.parse(request({ ...complaint, bounceCat: 'bad-mailbox' }), ctx));
    expect(event).toMatchObject({
      type: 'complaint',
      address: 'complainer@example.org',
      reason: 'spam_complaint',
      severity: null,
      fineReason: 'feedback',
    });
    expect(event?.dedupKey).toBe(
      dedupHash(
        'f',
        'complainer@example.org',
        '<20230920151402.abc123@mail.example.com>',
        '1695222842',
        null,
      ),
    );
  });

  it('maps rb (remote bounce) like b, and keeps its record type apart in the dedup key', () => {
    const [b] = events(adapter.parse(request(bounce), ctx));
    const [rb] = events(adapter.parse(request({ ...bounce, type: 'rb' }), ctx));
    expect(rb).toMatchObject({
      type: 'bounce',
      reason: 'hard_bounce',
      details: { recordType: 'rb' },
    });
    expect(rb?.dedupKey).not.toBe(b?.dedupKey);
  });

  it('classifies by category first and falls back to dsnStatus/dsnDiag for other, empty and unknown ones', () => {
    const quota = {
      ...bounce,
      bounceCat: 'quota-issues',
      dsnStatus: '5.2.2 (mailbox full)',
      dsnDiag: 'smtp;552 5.2.2 Mailbox full',
    };
    const other = { ...bounce, bounceCat: 'other' };
    const empty = {
      ...bounce,
      bounceCat: '',
      dsnStatus: '4.2.2 (mailbox full)',
      dsnDiag: 'smtp;452 4.2.2 Over quota',
    };
    const unknown = {
      ...bounce,
      bounceCat: 'custom-cat',
      dsnStatus: '5.7.1 (delivery not authorized)',
      dsnDiag: 'smtp;550 5.7.1 Listed at Spamhaus',
    };
    const [q, o, e, u] = events(adapter.parse(request([quota, other, empty, unknown]), ctx));
    expect(q).toMatchObject({
      reason: 'soft_bounce',
      severity: 'soft',
      fineReason: 'mailboxfull',
      smtpCode: '552',
    });
    expect(o).toMatchObject({ reason: 'hard_bounce', severity: 'hard', fineReason: 'userunknown' });
    expect(e).toMatchObject({
      reason: 'soft_bounce',
      severity: 'soft',
      fineReason: 'mailboxfull',
      enhancedStatus: '4.2.2',
    });
    expect(u).toMatchObject({ reason: null, severity: 'soft', fineReason: 'blocked' });
  });

  it('records sender-side categories without arguing for suppression', () => {
    const [event] = events(adapter.parse(request({ ...bounce, bounceCat: 'spam-related' }), ctx));
    expect(event).toMatchObject({
      type: 'bounce',
      reason: null,
      severity: 'soft',
      fineReason: 'spamdetected',
    });
  });

  it('keeps the good records of an array and reports the bad ones by index', () => {
    const result = adapter.parse(
      request([
        bounce,
        'nope',
        { ...bounce, rcpt: 'nobody@@example.org' },
        { ...bounce, rcpt: undefined },
        delivered,
        { type: 't', rcpt: 'x@example.org' },
      ]),
      ctx,
    );
    expect(result.kind).toBe('events');
    if (result.kind !== 'events') return;
    expect(result.events.map((e) => e.type)).toEqual(['bounce', 'delivered']);
    expect(result.errors).toEqual([
      { index: 1, error: 'record is not a JSON object' },
      { index: 2, error: 'rcpt n***@example.org is not a valid email address (more than one @)' },
      { index: 3, error: 'missing rcpt' },
    ]);
  });

  it('ignores record types other than d, b, rb and f', () => {
    expect(adapter.parse(request({ ...bounce, type: 't' }), ctx)).toEqual({
      kind: 'ignored',
      reason: 'no delivery, bounce or complaint records (types: t)',
    });
    expect(
      adapter.parse(
        request([
          { ...bounce, type: 'tq' },
          { ...bounce, type: 'zz' },
        ]),
        ctx,
      ),
    ).toMatchObject({ kind: 'ignored' });
    expect(adapter.parse(request([]), ctx)).toMatchObject({ kind: 'ignored' });
  });

  it('throws ParseError for an empty body, a body that is not JSON and a JSON scalar', () => {
    for (const body of ['', '   ', '{"type":"b",', 'type=b', '42', '"b"', 'null']) {
      expect(() => adapter.parse(request(Buffer.from(body)), ctx)).toThrow(ParseError);
    }
  });

  it('uses the receive time when timeLogged is missing or unreadable', () => {
    const [event] = events(adapter.parse(request({ ...bounce, timeLogged: 'yesterday' }), ctx));
    expect(event?.occurredAt).toBe(RECEIVED_AT);
  });

  it('gives a numeric and a string timeLogged the same dedup key', () => {
    const [asString] = events(adapter.parse(request(bounce), ctx));
    const [asNumber] = events(adapter.parse(request({ ...bounce, timeLogged: 1695222842 }), ctx));
    expect(asNumber?.dedupKey).toBe(asString?.dedupKey);
    expect(asNumber?.occurredAt).toBe(asString?.occurredAt);
  });
});
