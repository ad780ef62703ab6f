import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MailerSendUtils } from 'mailersend/lib/services/mailersend.utils.js';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import {
  createMailersendAdapter,
  MAILERSEND_TEST_PING_KEY,
} from '../../../src/providers/mailersend/mailersend.adapter.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/providers/mailersend/${name}`, import.meta.url));
// KAT #1 (official mailersend-nodejs test): key, the 736-byte body with `\/`, and its signature.
const KAT_KEY = 'yXdTVu1YewsKiuN2bcILlFHsljmR9kaU';
const KAT_SIGNATURE = '445e75aab3d8ea9169d134189a2814f06858977bd9cdc69324264e39f47bda2e';
const KAT_BODY = fixture('activity-sent.raw');
const PING = fixture('webhook-test.raw');
const NEXT_KEY = 'ms-next-secret-0123456789abcdef';
const ctx = { defaultPhoneRegion: 'US' };

const sign = (body: Buffer | string, key: string): string =>
  createHmac('sha256', key).update(body).digest('hex');

function request(
  body: Buffer | string,
  signature: string | undefined,
  params: Record<string, string> = {},
): WebhookRequest {
  return {
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    headers: { 'content-type': 'application/json', signature },
    url: params.account ? `/webhooks/mailersend/${params.account}` : '/webhooks/mailersend',
    params,
    receivedAt: Date.UTC(2026, 0, 1),
  };
}

const adapter = createMailersendAdapter({
  secrets: [KAT_KEY, NEXT_KEY],
  accounts: { acme: ['acme-secret-0123456789'], beta: ['beta-secret-0123456789'] },
  acceptTestPing: false,
});

function eventsOf(result: AdapterResult) {
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  return result.events;
}

describe('MailerSend verification (Signature: hex HMAC-SHA256 of the raw body)', () => {
  it('accepts the official SDK test vector (KAT #1, escaped slashes kept)', () => {
    expect(KAT_BODY.length).toBe(736);
    expect(adapter.verify(request(KAT_BODY, KAT_SIGNATURE))).toEqual({ ok: true });
  });

  it('rejects the same event re-serialised: the HMAC is over the raw bytes (KAT #1b)', () => {
    const reserialised = JSON.stringify(JSON.parse(KAT_BODY.toString('utf8')));
    expect(sign(reserialised, KAT_KEY)).toBe(
      '21793c50fd1e592b8ae65679b96eadb962af5cddee22eb911d9d219b8ba58813',
    );
    expect(adapter.verify(request(reserialised, KAT_SIGNATURE)).ok).toBe(false);
  });

  it('agrees with the official SDK (MailerSendUtils.verifyWebHook) on valid, tampered and wrong-key requests', () => {
    const tampered = Buffer.from(KAT_BODY.toString('utf8').replace('test@test.com', 'x@test.com'));
    const cases: Array<[Buffer, string]> = [
      [KAT_BODY, KAT_SIGNATURE],
      [KAT_BODY, sign(KAT_BODY, 'another-key')],
      [tampered, KAT_SIGNATURE],
      [tampered, sign(tampered, KAT_KEY)],
    ];
    for (const [body, signature] of cases) {
      const sdk = MailerSendUtils.verifyWebHook(body, signature, KAT_KEY);
      const ours = createMailersendAdapter({
        secrets: [KAT_KEY],
        accounts: {},
        acceptTestPing: false,
      });
      expect(ours.verify(request(body, signature)).ok).toBe(sdk);
    }
  });

  it('accepts a rotated secret and rejects a wrong one, a tampered body, no header, an empty body', () => {
    const body = fixture('hard-bounced-slim.json');
    expect(adapter.verify(request(body, sign(body, NEXT_KEY)))).toEqual({ ok: true });
    expect(adapter.verify(request(body, sign(body, 'wrong-secret')))).toMatchObject({ ok: false });
    expect(
      adapter.verify(request(Buffer.concat([body, Buffer.from(' ')]), sign(body, NEXT_KEY))).ok,
    ).toBe(false);
    expect(adapter.verify(request(body, undefined))).toEqual({
      ok: false,
      reason: 'missing Signature header',
    });
    expect(adapter.verify(request(body, 'abc'))).toMatchObject({ ok: false });
    expect(adapter.verify(request('', sign('', KAT_KEY)))).toEqual({
      ok: false,
      reason: 'empty body',
    });
  });

  it("checks an account's URL against that account's secrets only", () => {
    const body = fixture('hard-bounced-slim.json');
    const acme = sign(body, 'acme-secret-0123456789');
    expect(adapter.verify(request(body, acme, { account: 'acme' }))).toEqual({ ok: true });
    expect(adapter.verify(request(body, acme, { account: 'beta' })).ok).toBe(false);
    expect(adapter.verify(request(body, acme, { account: 'nobody' }))).toEqual({
      ok: false,
      reason: 'unknown account',
    });
    expect(adapter.verify(request(body, acme)).ok).toBe(false);
    expect(adapter.verify(request(body, sign(body, KAT_KEY), { account: 'acme' })).ok).toBe(false);
  });
});

describe('MailerSend test ping (signed with a publicly known key)', () => {
  const pingSignature = '7fb29be5b1cdb588ee67fa43a0a9d1b394cbb9603a0ac0b87924649d715194c2';

  it('computes KAT #2 with the public test key', () => {
    expect(sign(PING, MAILERSEND_TEST_PING_KEY)).toBe(pingSignature);
  });

  it('is refused unless BOUNCER_MAILERSEND_ACCEPT_TEST_PING is on', () => {
    expect(adapter.verify(request(PING, pingSignature)).ok).toBe(false);
  });

  it('when enabled, passes only as a ping, and a ping never yields an event', () => {
    const lenient = createMailersendAdapter({
      secrets: [KAT_KEY],
      accounts: {},
      acceptTestPing: true,
    });
    expect(lenient.verify(request(PING, pingSignature))).toEqual({ ok: true });
    expect(lenient.parse(request(PING, pingSignature), ctx)).toEqual({
      kind: 'ignored',
      reason: 'MailerSend test ping (never changes the list)',
    });
    // A real event signed with the public key is a forgery, setting or not.
    const forged = fixture('hard-bounced-slim.json');
    expect(lenient.verify(request(forged, sign(forged, MAILERSEND_TEST_PING_KEY))).ok).toBe(false);
  });
});

describe('MailerSend events', () => {
  const parse = (name: string) => eventsOf(adapter.parse(request(fixture(name), ''), ctx));

  it('maps the fat hard bounce: recipient from data.email.recipient, text from morph.reason', () => {
    expect(parse('hard-bounced-fat.json')).toMatchObject([
      {
        type: 'bounce',
        address: 'test@example.com',
        reason: 'hard_bounce',
        severity: 'hard',
        fineReason: 'hostunknown',
        diagnostic: 'Host or domain name not found',
        providerMessageId: '62fb66bef54a112e920b5493',
        dedupKey: '62f114f8165fe0d8db0288e5',
        occurredAt: Date.parse('2024-01-01T12:00:00Z'),
        details: {
          eventType: 'activity.hard_bounced',
          emailStatus: 'rejected',
          tags: ['test-tag'],
        },
      },
    ]);
  });

  it('maps the slim hard bounce: data.recipient, meta.bounce_reason and bounce_code', () => {
    expect(parse('hard-bounced-slim.json')).toMatchObject([
      {
        type: 'bounce',
        address: 'test@example.com',
        reason: 'hard_bounce',
        severity: 'hard',
        smtpCode: '550',
        providerMessageId: '67f91abd69f79df391e9d78d',
        details: { emailId: '67f91abe2202f3705540234a', emailStatus: 'rejected' },
      },
    ]);
  });

  it('maps the slim unsubscribe (data.type is the email status, not the event)', () => {
    expect(parse('unsubscribed-slim.json')).toMatchObject([
      {
        type: 'unsubscribe',
        reason: 'unsubscribe',
        scope: '*',
        details: { unsubscribeReason: 'NO_LONGER_WANT', emailStatus: 'delivered' },
      },
    ]);
  });

  it('maps every activity type, with a soft bounce soft and `meta: []` tolerated', () => {
    const expected: Record<string, [string, string | null]> = {
      'activity.sent': ['processed', null],
      'activity.delivered': ['delivered', null],
      'activity.soft_bounced': ['bounce', 'soft_bounce'],
      'activity.deferred': ['deferred', null],
      'activity.spam_complaint': ['complaint', 'spam_complaint'],
      'activity.unsubscribed': ['unsubscribe', 'unsubscribe'],
      'activity.opened': ['open', null],
      'activity.opened_unique': ['open', null],
      'activity.clicked': ['click', null],
      'activity.clicked_unique': ['click', null],
    };
    for (const [type, [eventType, reason]] of Object.entries(expected)) {
      const body = JSON.stringify({
        type,
        created_at: '2026-01-01T12:00:00.000000Z',
        data: {
          id: `id-${type}`,
          recipient: 'Someone@Example.com',
          meta: [],
          created_at: '2026-01-01 12:00:05',
        },
      });
      const [event] = eventsOf(adapter.parse(request(body, ''), ctx));
      expect({ type: event?.type, reason: event?.reason }, type).toEqual({
        type: eventType,
        reason,
      });
      expect(event?.address).toBe('someone@example.com');
      // "YYYY-MM-DD HH:MM:SS" is UTC.
      expect(event?.occurredAt).toBe(Date.parse('2026-01-01T12:00:05Z'));
    }
  });

  it('ignores non-recipient and unknown types with the type named, and the sent KAT body is processed', () => {
    for (const type of [
      'sender_identity.verified',
      'maintenance.start',
      'recipient.on_hold_added',
      'activity.survey_opened',
      'brand.new',
    ]) {
      expect(adapter.parse(request(JSON.stringify({ type, data: {} }), ''), ctx)).toEqual({
        kind: 'ignored',
        reason: `MailerSend ${type} is not used`,
      });
    }
    expect(eventsOf(adapter.parse(request(KAT_BODY, ''), ctx))).toMatchObject([
      { type: 'processed', address: 'test@test.com', dedupKey: '631a6250bd4f6bd6844a2307' },
    ]);
  });

  it('throws ParseError for bodies it cannot use', () => {
    for (const body of [
      'not json',
      '[]',
      '{"data":{}}',
      '{"type":"activity.delivered"}',
      '{"type":"activity.delivered","data":{"recipient":"nope"}}',
    ]) {
      expect(() => adapter.parse(request(body, ''), ctx), body).toThrow(ParseError);
    }
  });
});

describe('MailerSend fat payload without a top-level type', () => {
  it('takes the event from data.type', () => {
    const body = JSON.stringify({
      data: {
        id: 'x1',
        type: 'hard_bounced',
        email: { recipient: { email: 'a@example.com' } },
        morph: { object: 'recipient_bounce', reason: 'Host or domain name not found' },
      },
    });
    expect(eventsOf(adapter.parse(request(body, ''), ctx))).toMatchObject([
      { type: 'bounce', reason: 'hard_bounce', address: 'a@example.com' },
    ]);
  });
});
