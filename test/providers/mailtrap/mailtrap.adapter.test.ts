import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createMailtrapAdapter } from '../../../src/providers/mailtrap/mailtrap.adapter.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/providers/mailtrap/${name}`, import.meta.url));
// KAT #3: self-made in the spec and accepted by the official `mailtrap@4.10.0`
// verifyWebhookSignature (the SDK is not a devDependency: its peer range conflicts, see docs).
const KAT_SECRET = '5f0c9a3e7b21d4c68e9f0a1b2c3d4e5f';
const KAT_SIGNATURE = '473223e515fd7123b5a8336b354237ac75ca2e446c67f60b7f7205ddbe5e0c10';
const KAT_BODY = fixture('bounce-policy.raw');
const NEXT = 'mt-next-secret-0123456789abcdef';
const ctx = { defaultPhoneRegion: 'US' };
const sign = (b: Buffer | string, k: string) => createHmac('sha256', k).update(b).digest('hex');
const request = (
  body: Buffer | string,
  signature?: string,
  contentType = 'application/json',
  params: Record<string, string> = {},
): WebhookRequest => ({
  rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
  headers: { 'content-type': contentType, 'mailtrap-signature': signature },
  url: '/webhooks/mailtrap',
  params,
  receivedAt: Date.UTC(2026, 0, 1),
});
const adapter = createMailtrapAdapter({
  secrets: [KAT_SECRET, NEXT],
  accounts: { bulk: ['mt-bulk-secret-0123456789'] },
});
const eventsOf = (r: AdapterResult) => {
  if (r.kind !== 'events') throw new Error(`expected events, got ${r.kind}`);
  return r;
};

describe('Mailtrap verification (Mailtrap-Signature: hex HMAC-SHA256 of the raw body)', () => {
  it('accepts KAT #3 (secret used as text, not hex-decoded)', () => {
    expect(KAT_BODY.length).toBe(364);
    expect(adapter.verify(request(KAT_BODY, KAT_SIGNATURE))).toEqual({ ok: true });
  });

  it('verifies a JSON Lines body as raw bytes too', () => {
    const body = fixture('mixed-events.jsonl');
    expect(adapter.verify(request(body, sign(body, NEXT), 'application/jsonl'))).toEqual({
      ok: true,
    });
  });

  it('refuses a wrong secret, a tampered body, a missing or malformed header, an empty body', () => {
    expect(adapter.verify(request(KAT_BODY, sign(KAT_BODY, 'wrong'))).ok).toBe(false);
    const tampered = Buffer.from(KAT_BODY.toString().replace('spam', 'none'));
    expect(adapter.verify(request(tampered, KAT_SIGNATURE)).ok).toBe(false);
    expect(adapter.verify(request(KAT_BODY))).toEqual({
      ok: false,
      reason: 'missing Mailtrap-Signature header',
    });
    expect(adapter.verify(request(KAT_BODY, KAT_SIGNATURE.slice(1))).ok).toBe(false);
    expect(adapter.verify(request('', sign('', KAT_SECRET)))).toEqual({
      ok: false,
      reason: 'empty body',
    });
  });

  it("checks an account's URL with that account's secret only", () => {
    const s = sign(KAT_BODY, 'mt-bulk-secret-0123456789');
    expect(adapter.verify(request(KAT_BODY, s, 'application/json', { account: 'bulk' }))).toEqual({
      ok: true,
    });
    expect(
      adapter.verify(request(KAT_BODY, KAT_SIGNATURE, 'application/json', { account: 'bulk' })).ok,
    ).toBe(false);
    expect(adapter.verify(request(KAT_BODY, s)).ok).toBe(false);
  });
});

describe('Mailtrap events', () => {
  it('keeps the official policy bounce (555, category spam) as a bounce that suppresses nobody', () => {
    expect(eventsOf(adapter.parse(request(KAT_BODY), ctx)).events).toMatchObject([
      {
        type: 'bounce',
        address: 'receiver@example.com',
        reason: null,
        smtpCode: '555',
        dedupKey: 'bede7236-2284-43d6-a953-1fdcafd0fdbc',
        occurredAt: 1728669700000,
        details: { bounceCategory: 'spam', sendingStream: 'transactional' },
      },
    ]);
  });

  it('reads JSON Lines, with or without its content type', () => {
    for (const type of ['application/jsonl', 'application/json']) {
      expect(
        eventsOf(adapter.parse(request(fixture('mixed-events.jsonl'), undefined, type), ctx))
          .events,
      ).toMatchObject([
        { type: 'delivered', address: 'user1@example.com', dedupKey: 'evt-1' },
        { type: 'open', dedupKey: 'evt-2' },
      ]);
    }
  });

  it('maps every event type, `soft bounce` with its space included', () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ event: 'delivery' }, { type: 'delivered', reason: null }],
      [{ event: 'open' }, { type: 'open' }],
      [
        { event: 'click', url: 'https://x.example' },
        { type: 'click', details: { url: 'https://x.example' } },
      ],
      [{ event: 'unsubscribe' }, { type: 'unsubscribe', reason: 'unsubscribe' }],
      [{ event: 'spam' }, { type: 'complaint', reason: 'spam_complaint' }],
      [
        {
          event: 'soft bounce',
          response: '452 4.2.2 mailbox full',
          response_code: 452,
          bounce_category: 'transientfail',
        },
        { type: 'deferred', reason: null, smtpCode: '452', diagnostic: '452 4.2.2 mailbox full' },
      ],
      [
        {
          event: 'bounce',
          response: '550 5.1.1 user unknown',
          response_code: 550,
          bounce_category: 'generalfail',
        },
        { type: 'bounce', reason: 'hard_bounce', severity: 'hard', fineReason: 'userunknown' },
      ],
      [
        { event: 'bounce', response: 'blocked', bounce_category: 'block' },
        { type: 'bounce', reason: null },
      ],
      [
        { event: 'reject', reason: 'Recipient in suppression list. Reason: unsubscription' },
        { type: 'dropped', reason: 'unsubscribe', fineReason: 'suppressed' },
      ],
      [
        { event: 'reject', reason: 'Recipient in suppression list. Reason: hard bounce' },
        { type: 'dropped', reason: 'hard_bounce' },
      ],
      [
        { event: 'reject', reason: 'Message contains a virus' },
        { type: 'dropped', reason: null },
      ],
      [
        { event: 'suspension', reason: 'Your account has reached its daily sending limit.' },
        { type: 'dropped', reason: null, fineReason: 'suspend' },
      ],
    ];
    const body = JSON.stringify({
      events: cases.map(([e], i) => ({
        email: `r${i}@example.com`,
        event_id: `e${i}`,
        timestamp: 1728669700,
        ...e,
      })),
    });
    const { events } = eventsOf(adapter.parse(request(body), ctx));
    cases.forEach(([, expected], i) =>
      expect(events[i], String(i)).toMatchObject({ address: `r${i}@example.com`, ...expected }),
    );
  });

  it('keeps the good events of a batch with a bad one, and ignores audit-log and unknown events', () => {
    const body = [
      '{"event":"delivery","email":"a@example.com","event_id":"1"}',
      'not json',
      '{"event":"delivery","email":"nope","event_id":"2"}',
      '{"event":"activity_log.created","actor":{}}',
    ].join('\n');
    const r = eventsOf(adapter.parse(request(body, undefined, 'application/jsonl'), ctx));
    expect(r.events).toHaveLength(1);
    expect(r.errors.map((e) => e.index)).toEqual([1, 2]);
    expect(adapter.parse(request('{"events":[{"event":"activity_log.created"}]}'), ctx)).toEqual({
      kind: 'ignored',
      reason: 'Mailtrap activity_log.created is not used',
    });
  });

  it('refuses bodies that are not Mailtrap batches, and more than 500 events', () => {
    for (const body of ['', 'nope', '{"foo":1}'])
      expect(() => adapter.parse(request(body), ctx), body).toThrow(ParseError);
    const many = JSON.stringify({
      events: Array.from({ length: 501 }, (_, i) => ({
        event: 'open',
        email: 'a@b.example',
        event_id: String(i),
      })),
    });
    expect(() => adapter.parse(request(many), ctx)).toThrow(/501 events/);
  });
});
