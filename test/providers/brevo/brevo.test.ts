import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createBrevoAdapter } from '../../../src/providers/brevo/brevo.adapter.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const SAMPLE = readFileSync(
  new URL('../../fixtures/providers/brevo/sample-hard-bounce.json', import.meta.url),
  'utf8',
);
const BASIC = 'brevo:basic-password-0123456789';
const OLD_BASIC = 'brevo:older-password-0123456789';
const BEARER = 'client-token-0123456789abcdef';
const TOKEN = 'brevo-url-token-0123456789abc';
const ctx = { defaultPhoneRegion: 'US' };
const adapter = createBrevoAdapter({
  credentials: {
    basic: [BASIC, OLD_BASIC],
    urlTokens: [TOKEN],
    headerTokens: [BEARER],
    tokenHeaders: ['authorization'],
  },
});
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
const request = (
  body: string,
  headers: Record<string, string> = {},
  params: Record<string, string> = {},
): WebhookRequest => ({
  rawBody: Buffer.from(body),
  headers: { 'content-type': 'application/json', ...headers },
  url: '/webhooks/brevo',
  params,
  receivedAt: Date.UTC(2026, 0, 1),
});
function events(result: AdapterResult) {
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  return result.events;
}
const one = (fields: Record<string, unknown>) =>
  events(
    adapter.parse(
      request(
        JSON.stringify({
          email: 'who@example.com',
          ts_epoch: 1604933653000,
          'message-id': '<m1@smtp-relay.mailin.fr>',
          ...fields,
        }),
      ),
      ctx,
    ),
  )[0];

describe('Brevo verification (spec B §6.2: Basic auth, bearer token or URL token)', () => {
  it.each([
    ['Basic auth from the URL userinfo', { authorization: basic(BASIC) }, {}],
    ['a rotated Basic pair', { authorization: basic(OLD_BASIC) }, {}],
    ['the webhook bearer token', { authorization: `Bearer ${BEARER}` }, {}],
    ['the URL token', {}, { token: TOKEN }],
  ])('accepts %s', (_what, headers, params) => {
    expect(adapter.verify(request(SAMPLE, headers, params))).toEqual({ ok: true });
  });
  it.each([
    ['no credential', {}, {}],
    ['a wrong password', { authorization: basic('brevo:wrong-password-000000000') }, {}],
    ['a wrong user', { authorization: basic('other:basic-password-0123456789') }, {}],
    ['a wrong bearer token', { authorization: 'Bearer not-the-client-token-000' }, {}],
    ['a wrong URL token', {}, { token: 'brevo-url-token-WRONG000000' }],
  ])('refuses %s', (_what, headers, params) => {
    expect(adapter.verify(request(SAMPLE, headers, params)).ok).toBe(false);
  });
});

describe('Brevo parsing (spec B §6.3–§6.6)', () => {
  it('maps the §6.6 hard bounce sample: permanent, 550 5.5.0, message-id and tags kept, ts_epoch in ms', () => {
    expect(events(adapter.parse(request(SAMPLE), ctx))).toEqual([
      expect.objectContaining({
        type: 'bounce',
        address: 'not-a-user@example.com',
        reason: 'hard_bounce',
        severity: 'hard',
        smtpCode: '550',
        enhancedStatus: '5.5.0',
        diagnostic: 'RecipientError: 550 5.5.0 Requested action not taken: mailbox unavailable.',
        providerMessageId: '<202010090000.12345678901@smtp-relay.mailin.fr>',
        campaign: 'transac_messages',
        occurredAt: 1604933653000,
      }),
    ]);
  });

  it.each([
    ['request', 'processed', null],
    ['delivered', 'delivered', null],
    ['soft_bounce', 'bounce', 'soft_bounce'],
    ['deferred', 'deferred', null],
    ['blocked', 'dropped', null],
    ['invalid_email', 'bounce', 'hard_bounce'],
    ['spam', 'complaint', 'spam_complaint'],
    ['complaint', 'complaint', 'spam_complaint'],
    ['unsubscribed', 'unsubscribe', 'unsubscribe'],
    ['unsubscribe', 'unsubscribe', 'unsubscribe'],
    ['error', 'dropped', null],
    ['opened', 'open', null],
    ['unique_opened', 'open', null],
    ['proxy_open', 'open', null],
    ['unique_proxy_open', 'open', null],
    ['click', 'click', null],
  ])('maps %s to %s (suppression reason %s)', (event, type, reason) => {
    expect(
      one({ event, reason: event === 'soft_bounce' ? 'mailbox full 452 4.2.2' : undefined }),
    ).toMatchObject({
      type,
      reason,
      scope: '*',
    });
  });

  it('reads a blocked event as Brevo refusing a blocklisted address, without guessing a reason', () => {
    expect(one({ event: 'blocked', reason: 'blocked : due to blacklist user' })).toMatchObject({
      type: 'dropped',
      reason: null,
      fineReason: 'suppressed',
      diagnostic: 'blocked : due to blacklist user',
    });
  });

  it('reads ts_epoch in seconds or milliseconds, else ts_event, else date', () => {
    expect(one({ event: 'error', ts_epoch: 1604933623 })?.occurredAt).toBe(1604933623000);
    expect(one({ event: 'error', ts_epoch: undefined, ts_event: 1604933654 })?.occurredAt).toBe(
      1604933654000,
    );
    expect(
      one({ event: 'error', ts_epoch: undefined, date: '2020-10-09 00:00:00' })?.occurredAt,
    ).toBe(Date.UTC(2020, 9, 9));
  });

  it('maps the marketing shape (camp_id, campaign name, list_id, ts_event) and keeps the click link', () => {
    const marketing = {
      id: 123,
      camp_id: 42,
      'campaign name': 'Spring sale',
      email: 'Reader@Example.com',
      event: 'click',
      URL: 'ignored',
      link: 'https://example.com/sale',
      date_event: '2026-03-01 10:00:00',
      ts_event: 1772359200,
      list_id: [3, 7],
    };
    expect(events(adapter.parse(request(JSON.stringify(marketing)), ctx))[0]).toMatchObject({
      type: 'click',
      address: 'reader@example.com',
      campaign: 'Spring sale',
      occurredAt: 1772359200000,
      details: { campaignId: '42', listIds: [3, 7], url: 'https://example.com/sale' },
    });
  });

  it('gives the same event the same dedup key, and distinct events distinct keys', () => {
    const a = one({ event: 'opened' });
    expect(one({ event: 'opened' })?.dedupKey).toBe(a?.dedupKey);
    expect(one({ event: 'opened', ts_epoch: 1604933654000 })?.dedupKey).not.toBe(a?.dedupKey);
    expect(one({ event: 'click', link: 'https://x.test/' })?.dedupKey).not.toBe(a?.dedupKey);
  });

  it('accepts a batched array and keeps the good events when one is bad', () => {
    const r = adapter.parse(
      request(
        JSON.stringify([
          { event: 'hard_bounce', email: 'a@example.com', ts_epoch: 1604933653000 },
          { event: 'hard_bounce', email: 'not an address' },
          { event: 'hard_bounce' },
          'nonsense',
          { event: 'list_addition', email: 'b@example.com' },
          { event: 'unsubscribed', email: 'c@example.com' },
        ]),
      ),
      ctx,
    );
    expect(r).toMatchObject({
      kind: 'events',
      errors: [
        { index: 1, error: expect.stringMatching(/^invalid email/) },
        { index: 2, error: 'missing email' },
        { index: 3, error: 'event is not an object' },
      ],
    });
    expect(events(r).map((e) => e.address)).toEqual(['a@example.com', 'c@example.com']);
  });

  it.each([
    [
      'an unknown event type',
      '{"event":"brand_new","email":"a@example.com"}',
      'unknown event type brand_new',
    ],
    [
      'a contact event',
      '{"event":"contact_deleted","email":"a@example.com"}',
      'unknown event type contact_deleted',
    ],
    [
      'the inbound-parse payload',
      '{"items":[]}',
      'Brevo inbound parse payload (not delivery events)',
    ],
    ['an empty batch', '[]', 'empty batch'],
  ])('ignores %s', (_what, body, reason) => {
    expect(adapter.parse(request(body), ctx)).toEqual({ kind: 'ignored', reason });
  });

  it('throws ParseError for an empty or non-JSON body', () => {
    expect(() => adapter.parse(request(''), ctx)).toThrow(ParseError);
    expect(() => adapter.parse(request('{oops'), ctx)).toThrow(ParseError);
    expect(() => adapter.parse(request('42'), ctx)).toThrow(ParseError);
  });
});
