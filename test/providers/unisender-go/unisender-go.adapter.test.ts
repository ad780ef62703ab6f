import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createUnisenderGoAdapter } from '../../../src/providers/unisender-go/unisender-go.adapter.js';
import { signUnisenderBody } from '../../../src/providers/unisender-go/unisender-go-signature.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

// KAT #4: the real signed capture in django-anymail's tests, with its (disabled) key.
const KAT_KEY = '6mjstx9gwi7qj8eni6m77hfiiw6aifmss154y4ze';
const KAT_BODY = readFileSync(
  new URL('../../fixtures/providers/unisender-go/tracking-clicked.raw', import.meta.url),
);
const NEXT = 'unisender-next-api-key-0123456789';
const ctx = { defaultPhoneRegion: 'US' };
const request = (body: Buffer | string, params: Record<string, string> = {}): WebhookRequest => ({
  rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
  headers: { 'content-type': 'application/json' },
  url: '/webhooks/unisender-go',
  params,
  receivedAt: Date.UTC(2026, 0, 1),
});
const adapter = createUnisenderGoAdapter({
  apiKeys: [NEXT, KAT_KEY],
  accounts: { shop: ['shop-key-0123456789'] },
});
const batch = (key: string, events: unknown[]) =>
  signUnisenderBody(
    JSON.stringify({
      auth: key,
      events_by_user: [{ user_id: 1, project_id: 'p1', events }],
    }).replaceAll('/', '\\/'),
    key,
  );
const status = (
  email: string,
  s: string,
  info: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) => ({
  event_name: 'transactional_email_status',
  event_data: {
    job_id: `job-${email}`,
    email,
    status: s,
    event_time: '2026-01-01 10:00:00',
    delivery_info: info,
    ...extra,
  },
});
const eventsOf = (r: AdapterResult) => {
  if (r.kind !== 'events') throw new Error(`expected events, got ${r.kind}`);
  return r;
};

describe('Unisender Go verification (MD5 of the raw body with the API key as auth)', () => {
  it('accepts the real signed capture (KAT #4), escaped slashes and all', () => {
    expect(adapter.verify(request(KAT_BODY))).toEqual({ ok: true });
  });

  it('would fail on a re-serialised body: the digest is over the raw text', () => {
    const reserialised = JSON.stringify(JSON.parse(KAT_BODY.toString('utf8')));
    expect(adapter.verify(request(reserialised)).ok).toBe(false);
  });

  it('refuses a wrong key, a tampered body, a body without auth, an empty body; takes a rotated key', () => {
    const wrong = createUnisenderGoAdapter({
      apiKeys: ['some-other-key-0123456789'],
      accounts: {},
    });
    expect(wrong.verify(request(KAT_BODY)).ok).toBe(false);
    expect(adapter.verify(request(KAT_BODY.toString().replace('clicked', 'spam'))).ok).toBe(false);
    expect(adapter.verify(request('{"events_by_user":[]}'))).toEqual({
      ok: false,
      reason: 'no auth field of 32 hex digits in the body',
    });
    expect(adapter.verify(request(''))).toEqual({ ok: false, reason: 'empty body' });
    expect(adapter.verify(request(batch(NEXT, [])))).toEqual({ ok: true });
  });

  it("checks an account's URL with its own API key only", () => {
    const body = batch('shop-key-0123456789', []);
    expect(adapter.verify(request(body, { account: 'shop' }))).toEqual({ ok: true });
    expect(adapter.verify(request(body)).ok).toBe(false);
    expect(adapter.verify(request(KAT_BODY, { account: 'shop' })).ok).toBe(false);
  });
});

describe('Unisender Go events', () => {
  it('maps the capture to a click at its UTC event time', () => {
    expect(eventsOf(adapter.parse(request(KAT_BODY), ctx)).events).toMatchObject([
      {
        type: 'click',
        address: 'unisendergo@anymail.dev',
        providerMessageId: '1sn15Z-0007Le-GtVN',
        occurredAt: Date.parse('2024-09-08T19:56:41Z'),
        details: {
          status: 'clicked',
          projectId: '6862471',
          userId: '5960727',
          url: 'https://example.com',
        },
      },
    ]);
  });

  it('maps every status and the delivery_status codes of §4.4', () => {
    const cases: Array<[ReturnType<typeof status>, Record<string, unknown>]> = [
      [status('a@x.example', 'sent'), { type: 'processed' }],
      [status('b@x.example', 'delivered'), { type: 'delivered' }],
      [status('c@x.example', 'opened'), { type: 'open' }],
      [
        status('d@x.example', 'unsubscribed', {}, { comment: 'too many' }),
        { type: 'unsubscribe', reason: 'unsubscribe' },
      ],
      [status('e@x.example', 'subscribed'), { type: 'resubscribe', reason: null }],
      [status('f@x.example', 'spam'), { type: 'complaint', reason: 'spam_complaint' }],
      [
        status('g@x.example', 'soft_bounced', {
          delivery_status: 'err_mailbox_full',
          destination_response: '452 4.2.2 full',
        }),
        { type: 'deferred', reason: null, diagnostic: '452 4.2.2 full' },
      ],
      [
        status('h@x.example', 'hard_bounced', {
          delivery_status: 'err_user_unknown',
          destination_response: '550 5.1.1 unknown',
        }),
        { type: 'bounce', reason: 'hard_bounce', fineReason: 'userunknown' },
      ],
      [
        status('i@x.example', 'hard_bounced', { delivery_status: 'err_domain_inactive' }),
        { type: 'bounce', reason: 'hard_bounce', fineReason: 'hostunknown' },
      ],
      [
        status('j@x.example', 'hard_bounced', { delivery_status: 'err_will_retry' }),
        { type: 'bounce', reason: 'soft_bounce', severity: 'soft' },
      ],
      [
        status('k@x.example', 'hard_bounced', {
          delivery_status: 'err_spam_rejected',
          destination_response: '550 Spam rejected',
        }),
        { type: 'bounce', reason: null },
      ],
      [
        status('l@x.example', 'hard_bounced', { delivery_status: 'err_unsubscribed' }),
        { type: 'dropped', reason: 'unsubscribe', fineReason: 'suppressed' },
      ],
      [
        status('m@x.example', 'hard_bounced', { delivery_status: 'err_spam_skipped' }),
        { type: 'dropped', reason: 'spam_complaint' },
      ],
      [
        status('n@x.example', 'hard_bounced', { delivery_status: 'err_blacklisted' }),
        { type: 'dropped', reason: 'hard_bounce' },
      ],
      [
        status('o@x.example', 'hard_bounced', {
          delivery_status: 'err_delivery_failed',
          destination_response: '421 try later',
        }),
        { type: 'bounce', reason: 'soft_bounce' },
      ],
      [
        status('p@x.example', 'hard_bounced', {
          delivery_status: 'err_delivery_failed',
          destination_response: '550 5.1.1 no such user',
        }),
        { type: 'bounce', reason: 'hard_bounce' },
      ],
      [
        status('q@x.example', 'hard_bounced', { delivery_status: 'err_too_large' }),
        { type: 'bounce', reason: null, fineReason: 'emailtoolarge' },
      ],
    ];
    const { events } = eventsOf(
      adapter.parse(
        request(
          batch(
            NEXT,
            cases.map(([e]) => e),
          ),
        ),
        ctx,
      ),
    );
    cases.forEach(([e, expected], i) =>
      expect(events[i], e.event_data.email).toMatchObject({
        address: e.event_data.email,
        ...expected,
      }),
    );
  });

  it('keeps the good events of a batch with bad ones and skips domain spam blocks', () => {
    const body = batch(NEXT, [
      status('ok@x.example', 'hard_bounced', { delivery_status: 'err_user_unknown' }),
      status('not an address', 'delivered'),
      { event_name: 'transactional_spam_block', event_data: { domain: 'x.example' } },
      'junk',
    ]);
    const r = eventsOf(adapter.parse(request(body), ctx));
    expect(r.events.map((e) => e.address)).toEqual(['ok@x.example']);
    expect(r.errors.map((e) => e.index)).toEqual([1, 3]);
    expect(
      adapter.parse(
        request(batch(NEXT, [{ event_name: 'transactional_spam_block', event_data: {} }])),
        ctx,
      ).kind,
    ).toBe('ignored');
  });

  it('gives the same event the same dedup key, and another status another key', () => {
    const one = eventsOf(
      adapter.parse(
        request(
          batch(NEXT, [
            status('a@x.example', 'delivered'),
            status('a@x.example', 'delivered'),
            status('a@x.example', 'opened'),
          ]),
        ),
        ctx,
      ),
    ).events;
    expect(one[0]?.dedupKey).toBe(one[1]?.dedupKey);
    expect(one[2]?.dedupKey).not.toBe(one[0]?.dedupKey);
  });

  it('throws ParseError for a body without events_by_user', () => {
    for (const body of ['{"auth":"x"}', '[]', 'nope'])
      expect(() => adapter.parse(request(body), ctx)).toThrow(ParseError);
  });
});
