import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMandrillAdapter } from '../../../src/providers/mandrill/mandrill.adapter.js';
import { mandrillSignature } from '../../../src/providers/mandrill/mandrill-signature.js';
import type { WebhookRequest } from '../../../src/providers/types.js';
import { signMandrill } from '../../helpers/mandrill-signer.js';

const KAT_BODY = readFileSync(
  new URL('../../fixtures/providers/mandrill/kat-request-body.txt', import.meta.url),
  'utf8',
).trim();
const OFFICIAL = JSON.parse(
  readFileSync(
    new URL('../../fixtures/providers/mandrill/official-events.json', import.meta.url),
    'utf8',
  ),
) as Array<Record<string, unknown>>;
const KEY = 'WEBHOOK_KEY_abc123';
const ctx = { defaultPhoneRegion: 'US' };

function request(
  body: string,
  headers: Record<string, string>,
  url = '/webhooks/mandrill?source=mc',
): WebhookRequest {
  return { rawBody: Buffer.from(body), headers, url, params: {}, receivedAt: 1_420_303_500_000 };
}
const adapter = (extra: Partial<Parameters<typeof createMandrillAdapter>[0]> = {}) =>
  createMandrillAdapter({
    webhookKeys: [KEY],
    webhookUrls: [],
    publicUrl: 'https://example.com',
    acceptTestKey: true,
    ...extra,
  });

describe('Mandrill signature (spec §3.2)', () => {
  it('computes both §0.2 known-answer vectors', () => {
    expect(
      mandrillSignature(
        'test-webhook',
        'https://example.com/webhooks/mandrill',
        new URLSearchParams({ mandrill_events: '[]' }),
      ),
    ).toBe('RkoiKvvb1/ST8DFDdTB9MQGqorM=');
    expect(
      mandrillSignature(
        KEY,
        'https://example.com/webhooks/mandrill?source=mc',
        new URLSearchParams(KAT_BODY),
      ),
    ).toBe('fS5uT6rQlORC2xkMY+mAB5qDu1M=');
  });

  it('verifies the §3.7 raw request with BOUNCER_PUBLIC_URL + the path and query received, or the configured URL', () => {
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-mandrill-signature': 'fS5uT6rQlORC2xkMY+mAB5qDu1M=',
    };
    expect(adapter().verify(request(KAT_BODY, headers))).toEqual({ ok: true });
    // Behind a proxy that rewrites the path, the URL as entered in Mandrill is configured instead.
    const configured = adapter({
      webhookUrls: ['https://example.com/webhooks/mandrill?source=mc'],
      publicUrl: null,
    });
    expect(configured.verify(request(KAT_BODY, headers, '/internal/mandrill'))).toEqual({
      ok: true,
    });
    expect(adapter().verify(request(KAT_BODY, headers, '/webhooks/mandrill'))).toMatchObject({
      ok: false,
    });
  });

  it('refuses a missing header, a wrong key, a tampered body and an empty body; accepts any configured key', () => {
    const url = 'https://example.com/webhooks/mandrill?source=mc';
    const good = signMandrill(KEY, url, OFFICIAL);
    expect(adapter().verify(request(good.body, good.headers))).toEqual({ ok: true });
    expect(
      adapter({ webhookKeys: ['other-key', KEY] }).verify(request(good.body, good.headers)),
    ).toEqual({ ok: true });
    const { 'x-mandrill-signature': _s, ...unsigned } = good.headers;
    expect(adapter().verify(request(good.body, unsigned))).toMatchObject({
      ok: false,
      reason: 'missing X-Mandrill-Signature header',
    });
    const wrong = signMandrill('other-key', url, OFFICIAL);
    expect(adapter().verify(request(wrong.body, wrong.headers))).toMatchObject({ ok: false });
    expect(
      adapter().verify(request(good.body.replace('hard_bounce', 'soft_bounce'), good.headers)),
    ).toMatchObject({ ok: false });
    expect(adapter().verify(request('', good.headers))).toMatchObject({
      ok: false,
      reason: 'empty body',
    });
  });

  it('accepts the URL-check POST signed with test-webhook, but that key signs nothing else', () => {
    const url = 'https://example.com/webhooks/mandrill';
    const check = signMandrill('test-webhook', url, []);
    expect(adapter().verify(request(check.body, check.headers, '/webhooks/mandrill'))).toEqual({
      ok: true,
    });
    expect(
      adapter({ acceptTestKey: false }).verify(
        request(check.body, check.headers, '/webhooks/mandrill'),
      ),
    ).toMatchObject({ ok: false });
    const forged = signMandrill('test-webhook', url, OFFICIAL);
    expect(
      adapter().verify(request(forged.body, forged.headers, '/webhooks/mandrill')),
    ).toMatchObject({ ok: false });
    expect(adapter().parse(request(check.body, check.headers), ctx)).toEqual({
      kind: 'ignored',
      reason: 'empty batch (Mandrill URL check)',
    });
  });
});

describe('Mandrill events (spec §3.3–§3.5)', () => {
  const parse = (events: unknown[]) =>
    adapter().parse(
      request(new URLSearchParams({ mandrill_events: JSON.stringify(events) }).toString(), {}),
      ctx,
    );

  it('maps the official example batch', () => {
    const r = parse(OFFICIAL);
    if (r.kind !== 'events') throw new Error(JSON.stringify(r));
    expect(r.events.map((e) => [e.type, e.reason, e.severity, e.fineReason])).toEqual([
      ['bounce', 'hard_bounce', 'hard', 'userunknown'],
      ['bounce', 'soft_bounce', 'soft', 'mailboxfull'],
      ['deferred', null, 'soft', null],
      ['complaint', 'spam_complaint', null, 'feedback'],
      ['unsubscribe', 'unsubscribe', null, null],
      ['dropped', null, null, null],
      ['bounce', 'hard_bounce', null, 'suppressed'],
    ]);
    expect(r.events[0]).toMatchObject({
      address: 'example.webhook@mandrillapp.com',
      occurredAt: 1_420_303_407_000,
      providerMessageId: 'fa239ebedd0a4831a3eefa59e880d8b2',
      smtpCode: '550',
      enhancedStatus: '5.1.1',
      errorCode: '10',
    });
    expect(r.events[2]!.diagnostic).toBe('451 4.3.5 Temporarily unavailable, try again later.');
    expect(new Set(r.events.map((e) => e.dedupKey)).size).toBe(r.events.length);
  });

  it('keeps the good items of a batch when one is bad, and ignores unknown items by name', () => {
    const [hard] = OFFICIAL;
    const r = parse([
      hard,
      { event: 'hard_bounce', msg: { email: 'not an address' }, ts: 1 },
      'junk',
      { event: 'mystery', msg: { email: 'x@example.com' } },
    ]);
    expect(r).toMatchObject({
      kind: 'events',
      events: [{ type: 'bounce' }],
      errors: [{ index: 1 }, { index: 2 }],
    });
    expect(
      parse([
        { event: 'mystery', msg: { email: 'x@example.com' } },
        { type: 'whitelist', action: 'add', reject: { email: 'x@example.com' } },
      ]),
    ).toEqual({
      kind: 'ignored',
      reason: 'unknown Mandrill event mystery; Mandrill allowlist change',
    });
  });

  it('mirrors denylist sync events: add by reason, remove lifts, soft-bounce entries are not counted twice', () => {
    const sync = (action: string, reason: string) => ({
      type: 'blacklist',
      action,
      reject: { reason, email: 'sync@example.com' },
      ts: 1_420_303_407,
    });
    const types = (r: ReturnType<typeof parse>) =>
      r.kind === 'events' ? r.events.map((e) => [e.type, e.reason]) : r.kind;
    expect(types(parse([sync('add', 'spam')]))).toEqual([['complaint', 'spam_complaint']]);
    expect(types(parse([sync('add', 'unsub')]))).toEqual([['unsubscribe', 'unsubscribe']]);
    expect(types(parse([sync('add', 'custom')]))).toEqual([['dropped', 'manual']]);
    expect(types(parse([sync('remove', 'hard-bounce')]))).toEqual([['reactivated', null]]);
    expect(types(parse([sync('add', 'soft-bounce')]))).toBe('ignored');
  });

  it('records sends, deliveries, opens and clicks for the history', () => {
    const base = { _id: 'm1', ts: 1_420_303_407, msg: { email: 'h@example.com' } };
    const r = parse([
      { ...base, event: 'send' },
      { ...base, event: 'delivered' },
      { ...base, event: 'open', ip: '1.2.3.4' },
      { ...base, event: 'click', url: 'https://example.com' },
    ]);
    expect(r.kind === 'events' && r.events.map((e) => e.type)).toEqual([
      'processed',
      'delivered',
      'open',
      'click',
    ]);
  });

  it('stores a body without mandrill_events, or with a non-array, as unparseable', () => {
    expect(() => adapter().parse(request('foo=bar', {}), ctx)).toThrow(/mandrill_events/);
    expect(() => adapter().parse(request('mandrill_events=%7B%7D', {}), ctx)).toThrow(/array/);
  });
});
