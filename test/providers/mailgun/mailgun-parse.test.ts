import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMailgunAdapter } from '../../../src/providers/mailgun/mailgun.adapter.js';
import type { WebhookRequest } from '../../../src/providers/types.js';

const sample = JSON.parse(
  readFileSync(
    new URL('../../fixtures/providers/mailgun/failed-permanent.json', import.meta.url),
    'utf8',
  ),
) as { signature: unknown; 'event-data': Record<string, unknown> };
const ctx = { defaultPhoneRegion: 'US' };
const adapter = createMailgunAdapter({
  signingKeys: ['k'.repeat(32)],
  accounts: {},
  maxAgeSeconds: 86_400,
  tokenCacheSize: 1_000,
});
const base = sample['event-data'];

function parse(
  eventData: Record<string, unknown> | undefined,
  contentType = 'application/json',
  raw?: string,
) {
  const body = raw ?? JSON.stringify({ signature: sample.signature, 'event-data': eventData });
  const req: WebhookRequest = {
    rawBody: Buffer.from(body),
    headers: { 'content-type': contentType },
    url: '/webhooks/mailgun',
    params: {},
    receivedAt: 1_529_006_900_000,
  };
  return adapter.parse(req, ctx);
}
function only(eventData: Record<string, unknown>) {
  const r = parse(eventData);
  if (r.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(r)}`);
  expect(r.events).toHaveLength(1);
  return r.events[0]!;
}

describe('Mailgun event-data → events (spec §1.3–§1.5)', () => {
  it('turns the §1.6 permanent failure into a hard bounce with its SMTP details', () => {
    expect(only(base)).toMatchObject({
      type: 'bounce',
      address: 'alice@example.com',
      reason: 'hard_bounce',
      severity: 'hard',
      fineReason: 'userunknown',
      smtpCode: '550',
      enhancedStatus: '5.1.1',
      providerMessageId: '20180614192734.1.2A6098970A380E12@mg.example.org',
      campaign: 'password-reset',
      occurredAt: 1_529_006_854_330,
      details: { eventId: 'pl271FzxTTmGRW8Uj3dUWw', severity: 'permanent', reason: 'bounce' },
    });
  });

  it('keys events on id and the second they happened, so a retry dedups and a reused id a day later does not', () => {
    const a = only(base);
    expect(only({ ...base }).dedupKey).toBe(a.dedupKey);
    expect(only({ ...base, timestamp: 1_529_093_254.1 }).dedupKey).not.toBe(a.dedupKey);
  });

  it("reads suppress-* reasons as drops that re-assert Mailgun's own lists", () => {
    for (const [reason, expected] of [
      ['suppress-bounce', 'hard_bounce'],
      ['suppress-complaint', 'spam_complaint'],
      ['suppress-unsubscribe', 'unsubscribe'],
    ] as const)
      expect(
        only({
          ...base,
          reason,
          'delivery-status': { code: 605, message: 'Not delivering to previously bounced address' },
        }),
      ).toMatchObject({
        type: 'dropped',
        reason: expected,
        fineReason: 'suppressed',
      });
  });

  it('reads reason "old" as an exhausted soft bounce whatever the severity, and other temporary failures as deferrals', () => {
    for (const severity of ['permanent', 'temporary'])
      expect(only({ ...base, severity, reason: 'old' })).toMatchObject({
        type: 'bounce',
        reason: 'soft_bounce',
        severity: 'soft',
        fineReason: 'expired',
      });
    expect(
      only({
        ...base,
        severity: 'temporary',
        reason: 'greylisted',
        'delivery-status': {
          code: 451,
          message: '4.7.1 greylisted, try again',
          'retry-seconds': 600,
        },
      }),
    ).toMatchObject({
      type: 'deferred',
      reason: null,
      severity: 'soft',
      smtpCode: '451',
      details: { retrySeconds: 600 },
    });
  });

  it('reads a failure without severity by its delivery-status code', () => {
    expect(only({ ...base, severity: undefined })).toMatchObject({
      type: 'bounce',
      reason: 'hard_bounce',
    });
    expect(
      only({
        ...base,
        severity: undefined,
        reason: 'generic',
        'delivery-status': { code: 421, message: '4.4.2 timeout' },
      }),
    ).toMatchObject({ type: 'deferred', reason: null });
  });

  it('keeps a sender-side permanent failure (a block) without suppressing the recipient', () => {
    expect(
      only({
        ...base,
        reason: 'generic',
        'delivery-status': {
          code: 554,
          'enhanced-code': '5.7.1',
          message: '5.7.1 Service unavailable; client host blocked using Spamhaus',
        },
      }),
    ).toMatchObject({ type: 'bounce', reason: null });
  });

  it('maps complained, unsubscribed (a list unsubscribe scoped to the list), delivered, opened, clicked, accepted and rejected', () => {
    const ev = (event: string, extra: Record<string, unknown> = {}) =>
      only({ ...base, event, severity: undefined, reason: undefined, ...extra });
    expect(ev('complained')).toMatchObject({ type: 'complaint', reason: 'spam_complaint' });
    expect(ev('unsubscribed')).toMatchObject({
      type: 'unsubscribe',
      reason: 'unsubscribe',
      scope: '*',
    });
    expect(
      ev('unsubscribed', { 'mailing-list': { address: 'News@Lists.example.org' } }),
    ).toMatchObject({
      scope: 'mailgun-list:news@lists.example.org',
    });
    expect(ev('delivered')).toMatchObject({ type: 'delivered', reason: null });
    expect(ev('opened')).toMatchObject({ type: 'open' });
    expect(ev('clicked', { url: 'https://example.com/x' })).toMatchObject({
      type: 'click',
      details: { url: 'https://example.com/x' },
    });
    expect(ev('accepted')).toMatchObject({ type: 'processed' });
    expect(
      ev('rejected', { reject: { reason: 'Sandbox subdomains are for test purposes only.' } }),
    ).toMatchObject({
      type: 'dropped',
      reason: null,
      diagnostic: 'Sandbox subdomains are for test purposes only.',
    });
  });

  it('takes the recipient of a message-level rejected event from its single To header, and refuses an ambiguous one', () => {
    const { recipient: _omitted, ...withoutRecipient } = base;
    const rejected = (to: string) => ({
      ...withoutRecipient,
      event: 'rejected',
      severity: undefined,
      reason: undefined,
      reject: { reason: 'Domain not verified', description: '' },
      message: { headers: { to, 'message-id': 'r-1@mg.example.org' } },
    });
    expect(only(rejected('Carol Tester <Carol@Example.net>'))).toMatchObject({
      type: 'dropped',
      address: 'carol@example.net',
      reason: null,
    });
    expect(() => parse(rejected('a@example.net, b@example.net'))).toThrow(/missing recipient/);
    // Only rejected events fall back: a delivery without a recipient stays an error.
    expect(() =>
      parse({ ...rejected('carol@example.net'), event: 'delivered', reject: undefined }),
    ).toThrow(/missing recipient/);
  });

  it('ignores unknown and list events with their type named, and a test post without event-data', () => {
    expect(parse({ ...base, event: 'list_member_uploaded' })).toEqual({
      kind: 'ignored',
      reason: 'unknown or unused Mailgun event list_member_uploaded',
    });
    expect(parse(undefined)).toMatchObject({ kind: 'ignored' });
  });

  it('throws a parse error for an event without a usable recipient (stored as dead, answered 2xx)', () => {
    expect(() => parse({ ...base, recipient: 'not an address' })).toThrow(/invalid recipient/);
  });

  it('keys a legacy post on its token and its fields: a retry dedups, another event under a reused token does not', () => {
    const key = (fields: Record<string, string>) => {
      const r = parse(
        undefined,
        'application/x-www-form-urlencoded',
        new URLSearchParams({
          timestamp: '1461261330',
          token: 'r'.repeat(50),
          signature: '0'.repeat(64),
          ...fields,
        }).toString(),
      );
      if (r.kind !== 'events') throw new Error(JSON.stringify(r));
      return r.events[0]!.dedupKey;
    };
    const delivered = { event: 'delivered', recipient: 'dana@example.com' };
    expect(key(delivered)).toBe(key(delivered));
    expect(key({ event: 'opened', recipient: 'dana@example.com' })).not.toBe(key(delivered));
    expect(key({ ...delivered, recipient: 'erin@example.com' })).not.toBe(key(delivered));
  });

  it('reads legacy forms: bounced is a hard bounce, dropped 605/607 re-assert suppressions, dropped old is exhausted', () => {
    const form = (fields: Record<string, string>) => {
      const r = parse(
        undefined,
        'application/x-www-form-urlencoded',
        new URLSearchParams({
          timestamp: '1461261330',
          token: 't'.repeat(50),
          signature: '0'.repeat(64),
          ...fields,
        }).toString(),
      );
      if (r.kind !== 'events') throw new Error(JSON.stringify(r));
      return r.events[0]!;
    };
    expect(
      form({
        event: 'bounced',
        recipient: 'noreply@example.com',
        code: '550',
        error: '550 5.1.1 The email account that you tried to reach does not exist.',
      }),
    ).toMatchObject({
      type: 'bounce',
      reason: 'hard_bounce',
      fineReason: 'userunknown',
      occurredAt: 1_461_261_330_000,
    });
    expect(
      form({
        event: 'bounced',
        recipient: 'noreply@example.com',
        code: '5.1.1',
        error: 'smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found',
      }),
    ).toMatchObject({ reason: 'hard_bounce', enhancedStatus: '5.1.1' });
    expect(
      form({
        event: 'dropped',
        recipient: 'b@example.com',
        code: '605',
        reason: 'hardfail',
        description: 'Not delivering to previously bounced address',
      }),
    ).toMatchObject({ type: 'dropped', reason: 'hard_bounce' });
    expect(
      form({ event: 'dropped', recipient: 'c@example.com', code: '607', reason: 'hardfail' }),
    ).toMatchObject({ type: 'dropped', reason: 'spam_complaint' });
    expect(
      form({
        event: 'dropped',
        recipient: 'd@example.com',
        code: '499',
        reason: 'old',
        description: 'Unable to connect to MX servers',
      }),
    ).toMatchObject({ type: 'bounce', reason: 'soft_bounce', fineReason: 'expired' });
    expect(
      form({ event: 'delivered', recipient: 'e@example.com', 'Message-Id': '<x@example.com>' }),
    ).toMatchObject({ type: 'delivered', providerMessageId: 'x@example.com' });
    expect(form({ event: 'complained', recipient: 'f@example.com' })).toMatchObject({
      type: 'complaint',
    });
  });
});
