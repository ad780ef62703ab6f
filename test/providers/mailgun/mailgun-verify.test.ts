import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMailgunAdapter } from '../../../src/providers/mailgun/mailgun.adapter.js';
import {
  mailgunSignature,
  MailgunTokenCache,
} from '../../../src/providers/mailgun/mailgun-signature.js';
import type { WebhookRequest } from '../../../src/providers/types.js';
import { mailgunBody, signMailgun } from '../../helpers/mailgun-signer.js';

// Spec §0.2 known-answer vector and §1.6 sample (signed with the same key).
const KAT = {
  key: 'test-signing-key-0123456789abcdef',
  timestamp: '1529006854',
  token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
  signature: '3081ed2b28a0d48cffe493b74671b7ce580d8e8586dfc49d1993c72e12042c7c',
};
const sample = readFileSync(
  new URL('../../fixtures/providers/mailgun/failed-permanent.json', import.meta.url),
  'utf8',
);
const KEY = KAT.key;
const OTHER = 'another-signing-key-abcdef0123456789';
const AT_SECONDS = 1_700_000_000;
const AT = AT_SECONDS * 1000;
const event = { event: 'delivered', id: 'ev-1', timestamp: AT_SECONDS, recipient: 'a@example.com' };

function request(
  body: string | Buffer,
  opts: { receivedAt?: number; account?: string; contentType?: string } = {},
): WebhookRequest {
  return {
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    headers: { 'content-type': opts.contentType ?? 'application/json' },
    url: opts.account ? `/webhooks/mailgun/${opts.account}` : '/webhooks/mailgun',
    params: opts.account ? { account: opts.account } : {},
    receivedAt: opts.receivedAt ?? AT,
  };
}

const adapter = (
  keys: string[] = [KEY],
  extra: Partial<Parameters<typeof createMailgunAdapter>[0]> = {},
) =>
  createMailgunAdapter({
    signingKeys: keys,
    accounts: {},
    maxAgeSeconds: 86_400,
    tokenCacheSize: 1_000,
    ...extra,
  });

describe('Mailgun signature (spec §1.2)', () => {
  it('computes the §0.2 known-answer vector', () => {
    expect(mailgunSignature(KAT.key, KAT.timestamp, KAT.token)).toBe(KAT.signature);
  });

  it('accepts the §1.6 sample inside its window, signed as published', () => {
    expect(adapter().verify(request(sample, { receivedAt: 1_529_006_900_000 }))).toEqual({
      ok: true,
    });
  });

  it('accepts a fresh signature and refuses a wrong key, a tampered token and a tampered timestamp', () => {
    const ts = String(AT_SECONDS);
    expect(adapter().verify(request(mailgunBody(KEY, event, ts)))).toEqual({ ok: true });
    expect(adapter().verify(request(mailgunBody(OTHER, event, ts)))).toMatchObject({ ok: false });
    const sig = signMailgun(KEY, ts);
    const tamperedToken = {
      ...sig,
      token: sig.token.replace(/^./, sig.token[0] === 'a' ? 'b' : 'a'),
    };
    const tamperedTime = { ...sig, timestamp: String(AT_SECONDS - 1) };
    for (const signature of [tamperedToken, tamperedTime])
      expect(
        adapter().verify(request(JSON.stringify({ signature, 'event-data': event }))),
      ).toMatchObject({ ok: false, reason: 'signature does not match any configured key' });
  });

  it('accepts every configured key (rotation) and the parent signature of a sub-account', () => {
    const ts = String(AT_SECONDS);
    expect(adapter([OTHER, KEY]).verify(request(mailgunBody(KEY, event, ts)))).toEqual({
      ok: true,
    });
    const own = signMailgun('subaccount-key-0123456789abcdef', ts);
    const parent = signMailgun(KEY, ts, own.token);
    const body = JSON.stringify({
      signature: { ...own, 'parent-signature': parent.signature },
      'event-data': event,
    });
    expect(adapter().verify(request(body))).toEqual({ ok: true });
  });

  it('refuses a missing signature block, an empty body, a body that is not JSON, and a missing token', () => {
    expect(adapter().verify(request(JSON.stringify({ 'event-data': event })))).toMatchObject({
      ok: false,
      reason: 'missing signature block',
    });
    expect(adapter().verify(request(''))).toMatchObject({ ok: false, reason: 'empty body' });
    expect(adapter().verify(request('not json'))).toMatchObject({ ok: false });
    const sig = signMailgun(KEY, String(AT_SECONDS));
    const noToken = { timestamp: sig.timestamp, signature: sig.signature };
    expect(
      adapter().verify(request(JSON.stringify({ signature: noToken, 'event-data': event }))),
    ).toMatchObject({ ok: false });
  });

  it('refuses stale and future timestamps outside the window', () => {
    const a = adapter([KEY], { maxAgeSeconds: 3_600 });
    expect(a.verify(request(mailgunBody(KEY, event, String(AT_SECONDS - 3_601))))).toMatchObject({
      ok: false,
      reason: 'signature timestamp too old',
    });
    expect(a.verify(request(mailgunBody(KEY, event, String(AT_SECONDS + 301))))).toMatchObject({
      ok: false,
      reason: 'signature timestamp in the future',
    });
    expect(a.verify(request(mailgunBody(KEY, event, String(AT_SECONDS - 3_599))))).toEqual({
      ok: true,
    });
  });

  it('refuses a signature block replayed with other event-data, but lets an identical retry through', () => {
    const a = adapter();
    const sig = signMailgun(KEY, String(AT_SECONDS));
    const original = JSON.stringify({ signature: sig, 'event-data': event });
    expect(a.verify(request(original))).toEqual({ ok: true });
    // A retry of the same request (e.g. after a 503) is the same event: accepted, deduplicated.
    expect(a.verify(request(original))).toEqual({ ok: true });
    const forged = JSON.stringify({
      signature: sig,
      'event-data': { ...event, event: 'complained', recipient: 'victim@example.com' },
    });
    expect(a.verify(request(forged))).toMatchObject({
      ok: false,
      reason: 'token replayed with a different event',
    });
  });

  it('keys replays on the signed timestamp and token: the same token signed at another second is a new request', () => {
    const a = adapter();
    const token = 'f'.repeat(50);
    const first = mailgunBody(KEY, event, String(AT_SECONDS), token);
    const other = { ...event, event: 'complained', recipient: 'other@example.com' };
    expect(a.verify(request(first))).toEqual({ ok: true });
    expect(a.verify(request(mailgunBody(KEY, other, String(AT_SECONDS + 1), token)))).toEqual({
      ok: true,
    });
    // The very same signed pair with other event-data is still a replay.
    expect(a.verify(request(mailgunBody(KEY, other, String(AT_SECONDS), token)))).toMatchObject({
      ok: false,
      reason: 'token replayed with a different event',
    });
  });

  it('chooses the key set by account and refuses an unknown account', () => {
    const a = adapter([], { accounts: { acme: ['acme-key-0123456789abcdef'] } });
    const ts = String(AT_SECONDS);
    expect(
      a.verify(request(mailgunBody('acme-key-0123456789abcdef', event, ts), { account: 'acme' })),
    ).toEqual({ ok: true });
    expect(a.verify(request(mailgunBody(KEY, event, ts), { account: 'acme' }))).toMatchObject({
      ok: false,
    });
    expect(
      a.verify(request(mailgunBody('acme-key-0123456789abcdef', event, ts), { account: 'other' })),
    ).toMatchObject({ ok: false });
    expect(a.verify(request(mailgunBody('acme-key-0123456789abcdef', event, ts)))).toMatchObject({
      ok: false,
    });
  });

  it('verifies legacy form posts (url-encoded and multipart) with the last token/timestamp/signature', () => {
    const sig = signMailgun(KEY, String(AT_SECONDS));
    const form = new URLSearchParams({
      event: 'bounced',
      recipient: 'legacy@example.com',
      code: '550',
      error: '550 5.1.1 no such user',
      ...sig,
    }).toString();
    const urlencoded = { contentType: 'application/x-www-form-urlencoded' };
    expect(adapter().verify(request(form, urlencoded))).toEqual({ ok: true });
    // A user variable named `token` merged first does not displace Mailgun's own (the last one).
    expect(adapter().verify(request(`token=user-value&${form}`, urlencoded))).toEqual({ ok: true });
    const boundary = 'xYzZY';
    const parts = Object.entries({ event: 'delivered', recipient: 'm@example.com', ...sig })
      .map(
        ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
      )
      .join('');
    const multipart = `${parts}--${boundary}\r\nContent-Disposition: form-data; name="attachment-1"; filename="m.eml"\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nbody\r\n--${boundary}--\r\n`;
    expect(
      adapter().verify(
        request(multipart, { contentType: `multipart/form-data; boundary=${boundary}` }),
      ),
    ).toEqual({ ok: true });
    expect(
      adapter().verify(request(form.replace('signature=', 'signature=0'), urlencoded)),
    ).toMatchObject({ ok: false });
  });
});

describe('Mailgun token cache (bounded)', () => {
  it('forgets tokens once their timestamp has left the window, and the oldest when full', () => {
    const cache = new MailgunTokenCache(2, 60_000);
    const t0 = 1_700_000_000;
    expect(cache.admit('a', String(t0), 'event-a', t0 * 1000)).toBe(true);
    expect(cache.admit('a', String(t0), 'event-b', t0 * 1000)).toBe(false);
    expect(cache.admit('b', String(t0), 'event-b', t0 * 1000)).toBe(true);
    expect(cache.admit('c', String(t0), 'event-c', t0 * 1000)).toBe(true);
    expect(cache.size).toBe(2);
    // `a` was evicted as the oldest: a second use is no longer recognised.
    expect(cache.admit('a', String(t0), 'event-z', t0 * 1000)).toBe(true);
    // Past the window (plus the future skew) every entry has expired.
    expect(cache.admit('d', String(t0 + 1_000), 'event-d', (t0 + 1_000) * 1000)).toBe(true);
    expect(cache.size).toBe(1);
  });
});
