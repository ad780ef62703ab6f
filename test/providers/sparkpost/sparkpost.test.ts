import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createSparkpostAdapter } from '../../../src/providers/sparkpost/sparkpost.adapter.js';
import { SPARKPOST_BOUNCE_CLASSES } from '../../../src/providers/sparkpost/sparkpost-bounce-classes.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const SAMPLE = readFileSync(
  new URL('../../fixtures/providers/sparkpost/sample-batch.json', import.meta.url),
  'utf8',
);
const BASIC = 'hookuser:s3cret-password-0123';
const OLD_BASIC = 'hookuser:old-password-0123456';
const TOKEN = 'sparkpost-url-token-0123456789';
const HEADER_TOKEN = 'sparkpost-header-token-012345';
const RECEIVED_AT = Date.UTC(2026, 0, 1);
const ctx = { defaultPhoneRegion: 'US' };

const adapter = (unsubscribeScope: 'global' | 'subaccount' | 'campaign' = 'global') =>
  createSparkpostAdapter({
    credentials: {
      basic: [BASIC, OLD_BASIC],
      urlTokens: [TOKEN],
      headerTokens: [HEADER_TOKEN],
      tokenHeaders: ['x-messagesystems-webhook-token'],
    },
    unsubscribeScope,
  });

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
function request(
  body: string,
  headers: Record<string, string> = {},
  params: Record<string, string> = {},
): WebhookRequest {
  return {
    rawBody: Buffer.from(body),
    headers: { 'content-type': 'application/json', ...headers },
    url: '/webhooks/sparkpost',
    params,
    receivedAt: RECEIVED_AT,
  };
}
function events(result: AdapterResult) {
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  return result.events;
}
const message = (fields: Record<string, unknown>) =>
  JSON.stringify([
    {
      msys: {
        message_event: {
          event_id: `ev-${JSON.stringify(fields).length}-${String(fields.type)}`,
          rcpt_to: 'who@example.com',
          raw_rcpt_to: 'Who@Example.com',
          timestamp: '1464824548',
          transmission_id: '84345317650824116',
          ...fields,
        },
      },
    },
  ]);

describe('SparkPost verification (spec B §5.2: Basic auth, URL token or a static header token)', () => {
  const a = adapter();
  it.each([
    [
      'the sample Basic credentials shape with a configured pair',
      { authorization: basic(BASIC) },
      {},
    ],
    ['a rotated (older) Basic pair', { authorization: basic(OLD_BASIC) }, {}],
    ['the URL token', {}, { token: TOKEN }],
    ['the auth_token / custom header', { 'x-messagesystems-webhook-token': HEADER_TOKEN }, {}],
  ])('accepts %s', (_what, headers, params) => {
    expect(a.verify(request(SAMPLE, headers, params))).toEqual({ ok: true });
  });

  it.each([
    ['no credential at all', {}, {}],
    ['a wrong password', { authorization: basic('hookuser:wrong-password-000000') }, {}],
    ['a wrong user', { authorization: basic('someone:s3cret-password-0123') }, {}],
    ['a wrong URL token', {}, { token: 'sparkpost-url-token-WRONG0000' }],
    ['a wrong header token', { 'x-messagesystems-webhook-token': 'nope-nope-nope-nope' }, {}],
    ['an OAuth2 bearer nobody issued', { authorization: 'Bearer whatever-token-000000' }, {}],
    ['the header token sent as a bearer', { authorization: `Bearer ${HEADER_TOKEN}` }, {}],
  ])('refuses %s', (_what, headers, params) => {
    expect(a.verify(request(SAMPLE, headers, params)).ok).toBe(false);
  });
});

describe('SparkPost batch parsing (spec B §5.3–§5.7)', () => {
  it('maps the §5.7 sample batch: hard bounce, complaint, list unsubscribe; the ping is skipped', () => {
    const list = events(adapter().parse(request(SAMPLE), ctx));
    expect(
      list.map((e) => [e.type, e.address, e.reason, e.severity, e.fineReason, e.scope, e.dedupKey]),
    ).toEqual([
      [
        'bounce',
        'bounce@example.com',
        'hard_bounce',
        'hard',
        'userunknown',
        '*',
        '84345317653491230',
      ],
      [
        'complaint',
        'recipient@example.com',
        'spam_complaint',
        null,
        'feedback',
        '*',
        '92356927693813857',
      ],
      ['unsubscribe', 'recipient@example.com', 'unsubscribe', null, null, '*', '66331590532986193'],
    ]);
    const [bounce] = list;
    expect(bounce).toMatchObject({
      occurredAt: 1_464_824_548_000,
      smtpCode: '550',
      enhancedStatus: '5.1.1',
      providerMessageId: '84345317650824116',
      campaign: 'Example Campaign Name',
      details: { bounceClass: '10', messageId: '0004e3724f57753a3561', subaccountId: '101' },
    });
    expect(bounce?.diagnostic).toContain('User unknown');
  });

  it('maps every bounce class of the §5.5 table: hard suppresses, soft cools down, block and admin do not suppress', () => {
    const a = adapter();
    const got = Object.keys(SPARKPOST_BOUNCE_CLASSES).map((code) => {
      const r = a.parse(
        request(
          message({ type: 'bounce', bounce_class: code, event_id: `c${code}`, raw_reason: '' }),
        ),
        ctx,
      );
      if (r.kind === 'ignored') {
        if (code === '100')
          expect(r.reason).toBe(
            'bounce class 100 (challenge-response) is an automatic reply, not a delivery failure',
          );
        return [code, 'skipped'];
      }
      const [e] = events(r);
      return [code, e?.type, e?.reason, e?.fineReason];
    });
    expect(Object.fromEntries(got.map(([code, ...rest]) => [code, rest.join(' ')]))).toEqual({
      '1': 'bounce soft_bounce undefined',
      '10': 'bounce hard_bounce userunknown',
      '20': 'bounce soft_bounce undefined',
      '21': 'bounce soft_bounce networkerror',
      '22': 'bounce soft_bounce mailboxfull',
      '23': 'bounce soft_bounce emailtoolarge',
      '24': 'bounce soft_bounce expired',
      '25': 'dropped  policyviolation',
      '30': 'bounce hard_bounce userunknown',
      '40': 'bounce soft_bounce undefined',
      '50': 'bounce  blocked',
      '51': 'bounce  blocked',
      '52': 'bounce  spamdetected',
      '53': 'bounce  contenterror',
      '54': 'bounce  norelaying',
      '60': 'skipped',
      '70': 'bounce soft_bounce undefined',
      '80': 'skipped',
      '90': 'unsubscribe unsubscribe ',
      '100': 'skipped',
    });
  });

  it('reads class 25 "suppressed due to customer policy" as already suppressed, and an unknown class as soft', () => {
    const a = adapter();
    const [admin] = events(
      a.parse(
        request(
          message({
            type: 'bounce',
            bounce_class: '25',
            error_code: '554',
            raw_reason: '554 5.7.1 Recipient address was suppressed due to customer policy',
          }),
        ),
        ctx,
      ),
    );
    expect(admin).toMatchObject({
      type: 'dropped',
      reason: null,
      fineReason: 'suppressed',
      smtpCode: '554',
    });
    const [unknown] = events(
      a.parse(request(message({ type: 'out_of_band', bounce_class: '26' })), ctx),
    );
    expect(unknown).toMatchObject({ type: 'bounce', reason: 'soft_bounce', severity: 'soft' });
  });

  it('lets the SMTP text decide an Undetermined or Generic class: a 5.1.1 user unknown is hard', () => {
    const [e] = events(
      adapter().parse(
        request(
          message({
            type: 'bounce',
            bounce_class: '40',
            raw_reason: '550 5.1.1 <who@example.com>: Recipient address rejected: User unknown',
          }),
        ),
        ctx,
      ),
    );
    expect(e).toMatchObject({ reason: 'hard_bounce', severity: 'hard', fineReason: 'userunknown' });
  });

  it('maps the other message, track, gen and unsubscribe event types', () => {
    const a = adapter();
    const one = (cls: string, fields: Record<string, unknown>) =>
      events(
        a.parse(
          request(
            JSON.stringify([
              { msys: { [cls]: { rcpt_to: 'x@example.com', timestamp: '1464824548', ...fields } } },
            ]),
          ),
          ctx,
        ),
      )[0];
    expect(one('message_event', { type: 'injection' })?.type).toBe('processed');
    expect(one('message_event', { type: 'delivery' })?.type).toBe('delivered');
    expect(
      one('message_event', { type: 'delay', bounce_class: '21', raw_reason: '451 4.4.0 DNS' }),
    ).toMatchObject({
      type: 'deferred',
      reason: null,
      smtpCode: '451',
    });
    expect(
      one('message_event', { type: 'policy_rejection', raw_reason: '550 5.7.1 policy' }),
    ).toMatchObject({
      type: 'dropped',
      reason: null,
      fineReason: 'policyviolation',
    });
    expect(one('gen_event', { type: 'generation_failure' })).toMatchObject({
      type: 'dropped',
      reason: null,
    });
    expect(one('gen_event', { type: 'generation_rejection' })).toMatchObject({
      type: 'dropped',
      reason: null,
    });
    expect(one('message_event', { type: 'spam_complaint', fbtype: 'not-spam' })).toMatchObject({
      type: 'complaint',
      reason: null,
    });
    expect(one('unsubscribe_event', { type: 'link_unsubscribe' })).toMatchObject({
      type: 'unsubscribe',
      reason: 'unsubscribe',
      scope: '*',
    });
    for (const type of ['open', 'initial_open', 'amp_open', 'amp_initial_open'])
      expect(one('track_event', { type })?.type, type).toBe('open');
    for (const type of ['click', 'amp_click'])
      expect(one('track_event', { type, target_link_url: 'https://x.test/' })).toMatchObject({
        type: 'click',
        details: { url: 'https://x.test/' },
      });
  });

  it('scopes list and link unsubscribes by subaccount or campaign when configured', () => {
    const body = JSON.stringify([
      {
        msys: {
          unsubscribe_event: {
            type: 'list_unsubscribe',
            event_id: 'u1',
            rcpt_to: 'u@example.com',
            subaccount_id: '101',
            campaign_id: 'spring',
          },
        },
      },
      {
        msys: {
          unsubscribe_event: {
            type: 'link_unsubscribe',
            event_id: 'u2',
            rcpt_to: 'u@example.com',
            subaccount_id: '0',
          },
        },
      },
    ]);
    expect(events(adapter('subaccount').parse(request(body), ctx)).map((e) => e.scope)).toEqual([
      'sparkpost-subaccount:101',
      '*',
    ]);
    expect(events(adapter('campaign').parse(request(body), ctx)).map((e) => e.scope)).toEqual([
      'sparkpost-campaign:spring',
      '*',
    ]);
  });

  it('keeps the good items of a batch with bad ones, and hashes an event without event_id deterministically', () => {
    const body = JSON.stringify([
      {
        msys: {
          message_event: { type: 'delivery', rcpt_to: 'a@example.com', timestamp: '1464824548' },
        },
      },
      { nope: true },
      {
        msys: { message_event: { type: 'bounce', bounce_class: '10', rcpt_to: 'not an address' } },
      },
      { msys: { message_event: { type: 'bounce', bounce_class: '10', timestamp: '1464824548' } } },
      { msys: { message_event: {}, track_event: {} } },
      { msys: { message_event: { type: 'sms_status', rcpt_to: 'a@example.com' } } },
    ]);
    const r = adapter().parse(request(body), ctx);
    expect(r).toMatchObject({
      kind: 'events',
      errors: [
        { index: 1, error: 'item has no msys object' },
        { index: 2, error: expect.stringMatching(/^invalid rcpt_to/) },
        { index: 3, error: 'missing rcpt_to' },
        { index: 4, error: 'item has several event classes' },
      ],
    });
    const [first] = events(r);
    const [again] = events(adapter().parse(request(body), ctx));
    expect(first?.dedupKey).toMatch(/^[0-9a-f]{64}$/);
    expect(again?.dedupKey).toBe(first?.dedupKey);
  });

  it('keeps a big-integer event_id exact (lossless parse)', () => {
    const [e] = events(
      adapter().parse(
        request(
          '[{"msys":{"message_event":{"type":"delivery","rcpt_to":"a@example.com","event_id":84345317653491231}}}]',
        ),
        ctx,
      ),
    );
    expect(e?.dedupKey).toBe('84345317653491231');
  });

  it.each([
    ['the validate ping [{"msys":{}}]', '[{"msys":{}}]', 'ping'],
    ['an empty batch', '[]', 'empty batch'],
    [
      'an unknown event type',
      message({ type: 'brand_new_thing' }),
      'unknown event type brand_new_thing',
    ],
    [
      'an inbound relay event',
      '[{"msys":{"relay_event":{"type":"relay_delivery"}}}]',
      'relay_event is not about a sent message',
    ],
  ])('ignores %s', (_what, body, reason) => {
    expect(adapter().parse(request(body), ctx)).toEqual({ kind: 'ignored', reason });
  });

  it('throws ParseError for an empty or non-JSON body', () => {
    expect(() => adapter().parse(request(''), ctx)).toThrow(ParseError);
    expect(() => adapter().parse(request('not json'), ctx)).toThrow(ParseError);
    expect(() => adapter().parse(request('"a string"'), ctx)).toThrow(ParseError);
  });
});
