import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPostmarkAdapter } from '../../../src/providers/postmark/postmark.adapter.js';
import { POSTMARK_BOUNCE_TYPES } from '../../../src/providers/postmark/postmark-bounce-types.js';
import type { WebhookRequest } from '../../../src/providers/types.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/providers/postmark/${name}`, import.meta.url), 'utf8');
const TOKEN = 'postmark-token-0123456789abcdef';
const BASIC = 'hookuser:s3cret-0123456789abcdef';
const adapter = createPostmarkAdapter({ basic: [BASIC], urlTokens: [TOKEN] });
const ctx = { defaultPhoneRegion: 'US' };

function request(
  body: string,
  opts: { token?: string; authorization?: string } = {},
): WebhookRequest {
  return {
    rawBody: Buffer.from(body),
    headers: {
      'content-type': 'application/json',
      ...(opts.authorization ? { authorization: opts.authorization } : {}),
    },
    url: '/webhooks/postmark',
    params: opts.token === undefined ? {} : { token: opts.token },
    receivedAt: Date.UTC(2020, 0, 1),
  };
}
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
function events(body: string | Record<string, unknown>) {
  const r = adapter.parse(request(typeof body === 'string' ? body : JSON.stringify(body)), ctx);
  if (r.kind !== 'events') throw new Error(JSON.stringify(r));
  return r.events;
}
const hard = JSON.parse(fixture('bounce-hard.json')) as Record<string, unknown>;
const bounceOf = (Type: string, extra: Record<string, unknown> = {}) => ({
  ...hard,
  ID: 42,
  Type,
  TypeCode: POSTMARK_BOUNCE_TYPES[Type]?.code,
  Inactive: false,
  Details: 'smtp;550 5.1.1 no such user',
  ...extra,
});

describe('Postmark credentials (spec §2.2: no signature)', () => {
  it('accepts the configured Basic credentials or URL token, and refuses anything else', () => {
    const body = fixture('delivery.json');
    expect(adapter.verify(request(body, { authorization: basic(BASIC) }))).toEqual({ ok: true });
    expect(adapter.verify(request(body, { token: TOKEN }))).toEqual({ ok: true });
    expect(
      adapter.verify(request(body, { authorization: basic('hookuser:wrong-0123456789abcdef') })),
    ).toMatchObject({ ok: false });
    expect(adapter.verify(request(body, { token: 'wrong-token-0123456789abcdef' }))).toMatchObject({
      ok: false,
    });
    expect(adapter.verify(request(body))).toMatchObject({ ok: false });
  });
});

describe('Postmark records → events (spec §2.3–§2.5)', () => {
  it('keeps the bounce ID above 2^53 exactly and suppresses the §2.6 hard bounce', () => {
    expect(events(fixture('bounce-hard.json'))).toMatchObject([
      {
        type: 'bounce',
        address: 'john@example.com',
        reason: 'hard_bounce',
        severity: 'hard',
        errorCode: '1',
        providerMessageId: '883953f4-6105-42a2-a16a-77a8eac79483',
        campaign: 'Test',
        occurredAt: Date.parse('2019-11-05T16:33:54.907Z'),
        details: {
          bounceId: '4323372036854775807',
          bounceType: 'HardBounce',
          messageStream: 'outbound',
          inactive: true,
        },
      },
    ]);
  });

  it('two bounces whose IDs differ only beyond 2^53 get different keys', () => {
    const a = fixture('bounce-hard.json');
    const b = a.replace('4323372036854775807', '4323372036854775806');
    expect(events(a)[0]!.dedupKey).not.toBe(events(b)[0]!.dedupKey);
    expect(events(a)[0]!.dedupKey).toBe(events(a)[0]!.dedupKey);
  });

  it('reads the SpamComplaint sample as a complaint by its Type, although its TypeCode is 512', () => {
    expect(events(fixture('spam-complaint.json'))).toMatchObject([
      { type: 'complaint', reason: 'spam_complaint' },
    ]);
  });

  it('maps every Type of the table', () => {
    const expected: Record<string, [string, string | null] | 'ignored'> = {
      HardBounce: ['bounce', 'hard_bounce'],
      Transient: ['deferred', null],
      Unsubscribe: ['unsubscribe', 'unsubscribe'],
      Subscribe: 'ignored',
      AutoResponder: 'ignored',
      AddressChange: 'ignored',
      DnsError: ['deferred', null],
      SpamNotification: ['bounce', null],
      OpenRelayTest: 'ignored',
      Unknown: ['bounce', 'hard_bounce'],
      SoftBounce: ['bounce', 'soft_bounce'],
      VirusNotification: ['bounce', null],
      ChallengeVerification: 'ignored',
      BadEmailAddress: ['dropped', 'hard_bounce'],
      SpamComplaint: ['complaint', 'spam_complaint'],
      ManuallyDeactivated: ['dropped', 'manual'],
      Unconfirmed: ['dropped', null],
      Blocked: ['bounce', null],
      SMTPApiError: ['dropped', null],
      InboundError: 'ignored',
      DMARCPolicy: ['bounce', null],
      TemplateRenderingFailed: ['dropped', null],
    };
    expect(Object.keys(expected).sort()).toEqual(Object.keys(POSTMARK_BOUNCE_TYPES).sort());
    for (const [type, want] of Object.entries(expected)) {
      const r = adapter.parse(request(JSON.stringify(bounceOf(type))), ctx);
      if (want === 'ignored') expect(r, type).toMatchObject({ kind: 'ignored' });
      else
        expect(r, type).toMatchObject({
          kind: 'events',
          events: [{ type: want[0], reason: want[1] }],
        });
    }
    // By TypeCode alone when the name is missing.
    expect(events(bounceOf('SoftBounce', { Type: undefined, TypeCode: 4096 }))).toMatchObject([
      { reason: 'soft_bounce' },
    ]);
  });

  it('treats Inactive: true as Postmark deactivating the address, and scopes bounce-channel unsubscribes to the stream', () => {
    expect(events(bounceOf('Blocked', { Inactive: true }))).toMatchObject([
      { reason: 'hard_bounce' },
    ]);
    expect(events(bounceOf('Unsubscribe', { MessageStream: 'broadcast' }))).toMatchObject([
      { type: 'unsubscribe', scope: 'postmark-stream:broadcast' },
    ]);
  });

  it('mirrors SubscriptionChange: hard bounce, complaint, recipient unsubscribe per stream, manual suppression, reactivation', () => {
    const sc = JSON.parse(fixture('subscription-change.json')) as Record<string, unknown>;
    expect(events(sc)).toMatchObject([
      { type: 'bounce', reason: 'hard_bounce', address: 'bounced-address@wildbit.com' },
    ]);
    expect(events({ ...sc, SuppressionReason: 'SpamComplaint' })).toMatchObject([
      { type: 'complaint', reason: 'spam_complaint' },
    ]);
    expect(
      events({ ...sc, SuppressionReason: 'ManualSuppression', MessageStream: 'broadcast' }),
    ).toMatchObject([
      { type: 'unsubscribe', reason: 'unsubscribe', scope: 'postmark-stream:broadcast' },
    ]);
    expect(
      events({ ...sc, SuppressionReason: 'ManualSuppression', Origin: 'Customer' }),
    ).toMatchObject([{ type: 'unsubscribe', reason: 'manual', scope: 'postmark-stream:outbound' }]);
    expect(
      events({ ...sc, SuppressSending: false, SuppressionReason: null, MessageID: null }),
    ).toMatchObject([
      { type: 'reactivated', scope: '*' },
      { type: 'resubscribe', scope: 'postmark-stream:outbound' },
    ]);
  });

  it('records deliveries, opens and clicks, and ignores unknown record types and inbound mail with their names', () => {
    expect(events(fixture('delivery.json'))).toMatchObject([
      { type: 'delivered', address: 'john@example.com' },
    ]);
    const base = { MessageID: 'm', Recipient: 'r@example.com', ReceivedAt: '2020-01-01T00:00:00Z' };
    expect(events({ ...base, RecordType: 'Open', FirstOpen: true })).toMatchObject([
      { type: 'open' },
    ]);
    expect(
      events({ ...base, RecordType: 'Click', OriginalLink: 'https://example.com' }),
    ).toMatchObject([{ type: 'click', details: { url: 'https://example.com' } }]);
    expect(adapter.parse(request(JSON.stringify({ ...base, RecordType: 'Mystery' })), ctx)).toEqual(
      {
        kind: 'ignored',
        reason: 'unknown Postmark RecordType Mystery',
      },
    );
    expect(
      adapter.parse(request(JSON.stringify({ FromFull: {}, Subject: 'x' })), ctx),
    ).toMatchObject({ kind: 'ignored' });
  });

  it('throws a parse error for a record without a recipient or a body that is not JSON', () => {
    expect(() => adapter.parse(request(JSON.stringify({ RecordType: 'Delivery' })), ctx)).toThrow(
      /Recipient/,
    );
    expect(() => adapter.parse(request('nope'), ctx)).toThrow();
  });
});
