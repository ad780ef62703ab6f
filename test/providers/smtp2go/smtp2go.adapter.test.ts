import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createSmtp2goAdapter } from '../../../src/providers/smtp2go/smtp2go.adapter.js';
import { parseSmtp2goConfig } from '../../../src/providers/smtp2go/smtp2go.config.js';
import { Reader } from '../../../src/config.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const TOKEN = 'smtp2go-token-0123456789abcdef';
const NEXT = 'smtp2go-next-token-0123456789';
const ctx = { defaultPhoneRegion: 'US' };
const adapter = createSmtp2goAdapter({
  tokens: [TOKEN, NEXT],
  basic: ['smtp2go:basic-password-0123456789'],
});
const request = (
  body: string,
  opts: { token?: string; authorization?: string; contentType?: string } = {},
): WebhookRequest => ({
  rawBody: Buffer.from(body),
  headers: {
    'content-type': opts.contentType ?? 'application/json',
    authorization: opts.authorization,
  },
  url: opts.token ? `/webhooks/smtp2go/${opts.token}` : '/webhooks/smtp2go',
  params: opts.token ? { token: opts.token } : {},
  receivedAt: Date.UTC(2026, 0, 1),
});
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
const eventOf = (r: AdapterResult) => {
  if (r.kind !== 'events') throw new Error(`expected events, got ${r.kind}`);
  return r.events[0];
};
const bounce = {
  event: 'bounce',
  time: '2026-01-01T10:00:00Z',
  sendtime: '2026-01-01T09:59:58Z',
  email_id: '1qXyZ-abc-123',
  rcpt: 'Gone@Example.com',
  recipients: ['Gone@Example.com'],
  sender: 'news@shop.example',
  bounce: 'hard',
  message: '550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown',
  host: 'mx.example.com',
};

describe('SMTP2GO credentials (unsigned: URL token, Bearer or Basic)', () => {
  it('accepts the URL token, a rotated token, a Bearer token and Basic credentials', () => {
    expect(adapter.verify(request('{}', { token: TOKEN }))).toEqual({ ok: true });
    expect(adapter.verify(request('{}', { token: NEXT }))).toEqual({ ok: true });
    expect(adapter.verify(request('{}', { authorization: `Bearer ${TOKEN}` }))).toEqual({
      ok: true,
    });
    expect(
      adapter.verify(request('{}', { authorization: basic('smtp2go:basic-password-0123456789') })),
    ).toEqual({ ok: true });
  });

  it('refuses no credential, a wrong token, wrong Bearer and wrong Basic', () => {
    expect(adapter.verify(request('{}')).ok).toBe(false);
    expect(adapter.verify(request('{}', { token: 'x'.repeat(30) })).ok).toBe(false);
    expect(adapter.verify(request('{}', { authorization: 'Bearer nope' })).ok).toBe(false);
    expect(adapter.verify(request('{}', { authorization: basic('smtp2go:wrong') })).ok).toBe(false);
  });

  it('refuses short secrets and bad allow-lists at start-up, naming the setting', () => {
    expect(() => parseSmtp2goConfig(new Reader({ BOUNCER_SMTP2GO_TOKENS: 'short' }))).toThrow(
      /BOUNCER_SMTP2GO_TOKENS/,
    );
    expect(() =>
      parseSmtp2goConfig(new Reader({ BOUNCER_SMTP2GO_BASIC: 'no-colon-0123456789' })),
    ).toThrow(/BOUNCER_SMTP2GO_BASIC/);
    expect(() => parseSmtp2goConfig(new Reader({ BOUNCER_SMTP2GO_ALLOWED_IPS: 'nope' }))).toThrow(
      /BOUNCER_SMTP2GO_ALLOWED_IPS/,
    );
  });
});

describe('SMTP2GO events', () => {
  it('maps a hard bounce from JSON, classified by the remote reply', () => {
    expect(eventOf(adapter.parse(request(JSON.stringify(bounce)), ctx))).toMatchObject({
      type: 'bounce',
      address: 'gone@example.com',
      reason: 'hard_bounce',
      severity: 'hard',
      fineReason: 'userunknown',
      smtpCode: '550',
      providerMessageId: '1qXyZ-abc-123',
      occurredAt: Date.parse('2026-01-01T10:00:00Z'),
      details: { event: 'bounce', bounce: 'hard', host: 'mx.example.com' },
    });
  });

  it('reads the form-encoded variant the same way', () => {
    const form = new URLSearchParams({ ...bounce, recipients: 'Gone@Example.com' }).toString();
    const json = eventOf(adapter.parse(request(JSON.stringify(bounce)), ctx));
    expect(
      eventOf(
        adapter.parse(request(form, { contentType: 'application/x-www-form-urlencoded' }), ctx),
      ),
    ).toEqual(json);
  });

  it('maps every event of §5.4', () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [
        { event: 'bounce', bounce: 'soft', message: '452 4.2.2 mailbox full' },
        { type: 'bounce', reason: 'soft_bounce', severity: 'soft' },
      ],
      [{ event: 'spam' }, { type: 'complaint', reason: 'spam_complaint' }],
      [{ event: 'unsubscribe' }, { type: 'unsubscribe', reason: 'unsubscribe' }],
      [{ event: 'resubscribe' }, { type: 'resubscribe', reason: null }],
      [{ event: 'reject' }, { type: 'dropped', reason: 'hard_bounce', fineReason: 'suppressed' }],
      [
        { event: 'reject', message: 'recipient unsubscribed' },
        { type: 'dropped', reason: 'unsubscribe' },
      ],
      [{ event: 'delivered' }, { type: 'delivered' }],
      [{ event: 'open' }, { type: 'open' }],
      [{ event: 'click' }, { type: 'click' }],
      [{ event: 'processed' }, { type: 'processed' }],
    ];
    for (const [fields, expected] of cases)
      expect(
        eventOf(
          adapter.parse(
            request(JSON.stringify({ rcpt: 'a@x.example', email_id: 'e', ...fields })),
            ctx,
          ),
        ),
        String(fields.event),
      ).toMatchObject(expected);
  });

  it('ignores unknown events and refuses unusable bodies', () => {
    expect(adapter.parse(request('{"event":"sms_delivered","rcpt":"a@x.example"}'), ctx)).toEqual({
      kind: 'ignored',
      reason: 'SMTP2GO sms_delivered is not used',
    });
    for (const body of [
      '',
      'nope',
      '[]',
      '{"rcpt":"a@x.example"}',
      '{"event":"spam"}',
      '{"event":"spam","rcpt":"bad"}',
    ])
      expect(() => adapter.parse(request(body), ctx), body).toThrow(ParseError);
  });

  it('gives a resent event the same dedup key and a different event another', () => {
    const a = eventOf(adapter.parse(request(JSON.stringify(bounce)), ctx));
    const b = eventOf(adapter.parse(request(JSON.stringify(bounce)), ctx));
    const c = eventOf(
      adapter.parse(request(JSON.stringify({ ...bounce, event: 'delivered' })), ctx),
    );
    expect(a?.dedupKey).toBe(b?.dedupKey);
    expect(c?.dedupKey).not.toBe(a?.dedupKey);
  });
});
