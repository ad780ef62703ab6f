import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createMailjetAdapter } from '../../../src/providers/mailjet/mailjet.adapter.js';
import { MAILJET_ERRORS } from '../../../src/providers/mailjet/mailjet-errors.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const SAMPLE = readFileSync(
  new URL('../../fixtures/providers/mailjet/sample-grouped.json', import.meta.url),
  'utf8',
);
const BASIC = 'mailjet:basic-password-0123456789';
const OLD_BASIC = 'mailjet:older-password-0123456789';
const TOKEN = 'mailjet-url-token-0123456789ab';
const ctx = { defaultPhoneRegion: 'US' };
const adapter = createMailjetAdapter({
  credentials: { basic: [BASIC, OLD_BASIC], urlTokens: [TOKEN] },
});
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
const request = (
  body: string,
  headers: Record<string, string> = {},
  params: Record<string, string> = {},
): WebhookRequest => ({
  rawBody: Buffer.from(body),
  headers: { 'content-type': 'application/json', ...headers },
  url: '/webhooks/mailjet',
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
          time: 1430812195,
          MessageID: '1',
          Message_GUID: 'g-1',
          email: 'who@example.com',
          mj_campaign_id: 0,
          mj_contact_id: 0,
          customcampaign: '',
          ...fields,
        }),
      ),
      ctx,
    ),
  )[0];

describe('Mailjet verification (spec B §7.2: Basic auth in the URL, or a URL token)', () => {
  it.each([
    ['Basic auth', { authorization: basic(BASIC) }, {}],
    ['a rotated Basic pair', { authorization: basic(OLD_BASIC) }, {}],
    ['the URL token (test events come without Authorization, #33)', {}, { token: TOKEN }],
  ])('accepts %s', (_what, headers, params) => {
    expect(adapter.verify(request(SAMPLE, headers, params))).toEqual({ ok: true });
  });
  it.each([
    ['no credential', {}, {}],
    ['a wrong password', { authorization: basic('mailjet:wrong-password-0000000000') }, {}],
    ['a wrong user', { authorization: basic('other:basic-password-0123456789') }, {}],
    ['a wrong URL token', {}, { token: 'mailjet-url-token-WRONG000000' }],
  ])('refuses %s', (_what, headers, params) => {
    expect(adapter.verify(request(SAMPLE, headers, params)).ok).toBe(false);
  });
});

describe('Mailjet parsing (spec B §7.3–§7.5)', () => {
  it('maps the §7.5 grouped sample: a hard bounce and a spam complaint', () => {
    expect(
      events(adapter.parse(request(SAMPLE), ctx)).map((e) => [
        e.type,
        e.address,
        e.reason,
        e.severity,
        e.fineReason,
        e.providerMessageId,
        e.campaign,
        e.occurredAt,
      ]),
    ).toEqual([
      [
        'bounce',
        'bounce@mailjet.com',
        'hard_bounce',
        'hard',
        'userunknown',
        '13792286917004336',
        null,
        1430812195000,
      ],
      [
        'complaint',
        'bounce@mailjet.com',
        'spam_complaint',
        null,
        'feedback',
        '13792286917004336',
        null,
        1430812195000,
      ],
    ]);
  });

  it('keeps a MessageID above 2^53 exact (JSON.parse would round it)', () => {
    const body =
      '{"event":"sent","time":1430812195,"MessageID":19421777835146491,"email":"a@example.com"}';
    expect(JSON.parse(body).MessageID).toBe(19421777835146492);
    const [e] = events(adapter.parse(request(body), ctx));
    expect(e?.providerMessageId).toBe('19421777835146491');
    const [other] = events(adapter.parse(request(body.replace('491', '493')), ctx));
    expect(other?.dedupKey).not.toBe(e?.dedupKey);
  });

  it.each([
    [
      { event: 'bounce', hard_bounce: true, error_related_to: 'recipient', error: 'user unknown' },
      'bounce',
      'hard_bounce',
      'userunknown',
    ],
    [
      { event: 'bounce', hard_bounce: true, error_related_to: 'domain', error: 'invalid domain' },
      'bounce',
      'hard_bounce',
      'hostunknown',
    ],
    [
      {
        event: 'bounce',
        hard_bounce: false,
        error_related_to: 'recipient',
        error: 'quota exceeded',
      },
      'bounce',
      'soft_bounce',
      'mailboxfull',
    ],
    [
      { event: 'bounce', hard_bounce: false, error_related_to: 'domain', error: 'greylisted' },
      'deferred',
      null,
      null,
    ],
    [{ event: 'blocked', error_related_to: 'domain', error: 'Greylisted' }, 'deferred', null, null],
    [
      { event: 'bounce', hard_bounce: true, error_related_to: 'spam', error: 'content blocked' },
      'bounce',
      null,
      'contenterror',
    ],
    [
      {
        event: 'bounce',
        hard_bounce: false,
        error_related_to: 'system',
        error: 'connection issue',
      },
      'bounce',
      null,
      'networkerror',
    ],
    [
      { event: 'blocked', error_related_to: 'mailjet', error: 'preblocked' },
      'dropped',
      'hard_bounce',
      'suppressed',
    ],
    [
      { event: 'blocked', error_related_to: 'recipient', error: 'spam reporter' },
      'dropped',
      'spam_complaint',
      'suppressed',
    ],
    [
      { event: 'blocked', error_related_to: 'recipient', error: 'blacklisted' },
      'dropped',
      null,
      'suppressed',
    ],
    [
      { event: 'blocked', error_related_to: 'mailjet', error: 'duplicate in campaign' },
      'dropped',
      null,
      'rejected',
    ],
    [
      { event: 'blocked', error_related_to: 'spam', error: 'sender blocked' },
      'dropped',
      null,
      'blocked',
    ],
    [{ event: 'spam', source: 'JMRPP' }, 'complaint', 'spam_complaint', 'feedback'],
    [{ event: 'sent', smtp_reply: '250 OK queued' }, 'delivered', null, null],
    [{ event: 'open', ip: '192.0.2.1', agent: 'Mozilla' }, 'open', null, null],
    [{ event: 'click', url: 'https://example.com/' }, 'click', null, null],
  ])('maps %o to %s (%s, %s)', (fields, type, reason, fineReason) => {
    expect(one(fields)).toMatchObject({ type, reason, fineReason });
  });

  it('covers every error_related_to / error row of the §7.3 table', () => {
    expect(Object.keys(MAILJET_ERRORS)).toHaveLength(18);
  });

  it('scopes an unsub to its contact list (mj_list_id), global without one', () => {
    expect(one({ event: 'unsub', mj_list_id: 1234 })).toMatchObject({
      type: 'unsubscribe',
      reason: 'unsubscribe',
      scope: 'mailjet-list:1234',
    });
    expect(one({ event: 'unsub', mj_list_id: 0 })?.scope).toBe('*');
    expect(one({ event: 'unsub' })?.scope).toBe('*');
  });

  it('takes the campaign from customcampaign, else a non-zero mj_campaign_id', () => {
    expect(one({ event: 'sent', customcampaign: 'spring' })?.campaign).toBe('spring');
    expect(one({ event: 'sent', mj_campaign_id: 77 })?.campaign).toBe('77');
  });

  it('keeps the good events of a grouped array when one is bad', () => {
    const r = adapter.parse(
      request(
        JSON.stringify([
          { event: 'bounce', hard_bounce: true, email: 'a@example.com', time: 1 },
          { event: 'bounce', hard_bounce: true, email: 'not an address', time: 1 },
          { event: 'bounce', hard_bounce: true, time: 1 },
          [],
          { event: 'unsub', email: 'b@example.com', time: 1 },
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
    expect(events(r).map((e) => e.address)).toEqual(['a@example.com', 'b@example.com']);
  });

  it.each([
    [
      'an unknown event type',
      '{"event":"brand_new","email":"a@example.com"}',
      'unknown event type brand_new',
    ],
    ['an empty grouped array', '[]', 'empty batch'],
  ])('ignores %s', (_what, body, reason) => {
    expect(adapter.parse(request(body), ctx)).toEqual({ kind: 'ignored', reason });
  });

  it('throws ParseError for an empty or non-JSON body', () => {
    expect(() => adapter.parse(request(''), ctx)).toThrow(ParseError);
    expect(() => adapter.parse(request('nope'), ctx)).toThrow(ParseError);
    expect(() => adapter.parse(request('true'), ctx)).toThrow(ParseError);
  });
});
