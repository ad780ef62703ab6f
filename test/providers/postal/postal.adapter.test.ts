import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createPostalAdapter } from '../../../src/providers/postal/postal.adapter.js';
import { parsePostalConfig, parsePostalKey } from '../../../src/providers/postal/postal.config.js';
import { Reader } from '../../../src/config.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const SAMPLE = readFileSync(
  new URL('../../fixtures/providers/postal/message-delivery-failed.json', import.meta.url),
);
const ctx = { defaultPhoneRegion: 'US' };
const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const server = pair();
const next = pair();
const stranger = pair();
// The DKIM record form Postal publishes (`p=` base64 DER SPKI), as an operator would paste it.
const dkimP = server.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

function headers(body: Buffer, key = server.privateKey, which: '256' | '1' | 'both' = 'both') {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (which !== '1') h['x-postal-signature-256'] = sign('sha256', body, key).toString('base64');
  if (which !== '256') h['x-postal-signature'] = sign('sha1', body, key).toString('base64');
  return h;
}
const request = (body: Buffer | string, h: Record<string, string>): WebhookRequest => ({
  rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
  headers: h,
  url: '/webhooks/postal',
  params: {},
  receivedAt: Date.UTC(2026, 0, 1),
});
const adapter = createPostalAdapter({
  publicKeys: [parsePostalKey(`v=DKIM1; t=s; h=sha256; p=${dkimP};`), next.publicKey],
  allowSha1: true,
});
const eventsOf = (r: AdapterResult) => {
  if (r.kind !== 'events') throw new Error(`expected events, got ${r.kind}`);
  return r.events;
};
const envelope = (event: string, payload: Record<string, unknown>, uuid = 'u-1') =>
  JSON.stringify({ event, timestamp: 1714000000.123, uuid, payload });
const message = (to = 'Someone@Example.com', extra: Record<string, unknown> = {}) => ({
  id: 7,
  token: 't',
  direction: 'outgoing',
  message_id: 'mid@postal',
  to,
  tag: null,
  ...extra,
});

describe('Postal verification (RSA over the raw body, keys from configuration)', () => {
  it('verifies SHA-256 and SHA-1 signatures made with node:crypto (KAT #14 round trip)', () => {
    expect(adapter.verify(request(SAMPLE, headers(SAMPLE)))).toEqual({ ok: true });
    expect(adapter.verify(request(SAMPLE, headers(SAMPLE, server.privateKey, '1')))).toEqual({
      ok: true,
    });
  });

  it('accepts the rotated second key, a PEM key, and refuses an unknown key', () => {
    expect(adapter.verify(request(SAMPLE, headers(SAMPLE, next.privateKey)))).toEqual({ ok: true });
    const pem = createPostalAdapter({
      publicKeys: [
        parsePostalKey(
          server.publicKey.export({ format: 'pem', type: 'spki' }).toString().replace(/\n/g, '\\n'),
        ),
      ],
      allowSha1: false,
    });
    expect(pem.verify(request(SAMPLE, headers(SAMPLE)))).toEqual({ ok: true });
    expect(adapter.verify(request(SAMPLE, headers(SAMPLE, stranger.privateKey))).ok).toBe(false);
  });

  it('refuses a one-byte change, a missing signature, an empty body and junk signatures', () => {
    const h = headers(SAMPLE);
    const tampered = Buffer.from(SAMPLE.toString('utf8').replace('12345', '12346'));
    expect(adapter.verify(request(tampered, h)).ok).toBe(false);
    expect(adapter.verify(request(SAMPLE, { 'content-type': 'application/json' }))).toEqual({
      ok: false,
      reason: 'missing X-Postal-Signature-256 and X-Postal-Signature',
    });
    expect(adapter.verify(request('', h))).toEqual({ ok: false, reason: 'empty body' });
    expect(adapter.verify(request(SAMPLE, { 'x-postal-signature-256': 'AAAA' })).ok).toBe(false);
    expect(adapter.verify(request(SAMPLE, { 'x-postal-signature-256': '%%%' })).ok).toBe(false);
  });

  it('never falls back to SHA-1 when the SHA-256 header fails, and refuses SHA-1 when disabled', () => {
    const h = headers(SAMPLE);
    h['x-postal-signature-256'] = sign('sha256', Buffer.from('other'), server.privateKey).toString(
      'base64',
    );
    expect(adapter.verify(request(SAMPLE, h)).ok).toBe(false);
    const strict = createPostalAdapter({ publicKeys: [server.publicKey], allowSha1: false });
    expect(strict.verify(request(SAMPLE, headers(SAMPLE, server.privateKey, '1'))).ok).toBe(false);
    expect(strict.verify(request(SAMPLE, headers(SAMPLE, server.privateKey, '256'))).ok).toBe(true);
  });

  it('refuses a configured key that is not RSA, or not a key, at start-up, naming the setting', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    for (const value of [ec, 'not-a-key'])
      expect(() => parsePostalConfig(new Reader({ BOUNCER_POSTAL_PUBLIC_KEYS: value }))).toThrow(
        /BOUNCER_POSTAL_PUBLIC_KEYS/,
      );
    expect(parsePostalConfig(new Reader({ BOUNCER_POSTAL_PUBLIC_KEYS: dkimP })).allowSha1).toBe(
      true,
    );
  });
});

describe('Postal events', () => {
  it('maps the documented MessageDeliveryFailed sample to a hard bounce keyed on uuid', () => {
    expect(eventsOf(adapter.parse(request(SAMPLE, {}), ctx))).toMatchObject([
      {
        type: 'bounce',
        address: 'test@example.com',
        reason: 'hard_bounce',
        severity: 'hard',
        fineReason: 'userunknown',
        smtpCode: '550',
        enhancedStatus: '5.1.1',
        providerMessageId: '5817a64332f44_4ec93ff59e79d154565eb@app34.mail',
        campaign: 'welcome',
        dedupKey: '820b47a4-4dfd-42e4-ae6a-1e5bed5a33fd',
        occurredAt: 1477945177130,
        details: { event: 'MessageDeliveryFailed', status: 'HardFail', postalMessageId: '12345' },
      },
    ]);
  });

  it('maps every message event', () => {
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      [
        'MessageSent',
        { status: 'Sent', output: '250 OK', message: message() },
        { type: 'delivered', reason: null },
      ],
      [
        'MessageDelayed',
        { status: 'SoftFail', output: '451 try later', message: message() },
        { type: 'deferred', reason: null, diagnostic: '451 try later' },
      ],
      [
        'MessageHeld',
        {
          status: 'Held',
          details: 'Recipient someone@example.com is on the suppression list',
          message: message(),
        },
        { type: 'dropped', reason: 'hard_bounce', fineReason: 'suppressed' },
      ],
      [
        'MessageHeld',
        { status: 'Held', details: 'Held because the send limit was exceeded', message: message() },
        { type: 'dropped', reason: null },
      ],
      [
        'MessageBounced',
        { original_message: message(), bounce: { id: 9, message_id: 'dsn@x' } },
        { type: 'bounce', reason: 'hard_bounce', severity: 'hard' },
      ],
      [
        'MessageLinkClicked',
        { url: 'https://example.com', message: message() },
        { type: 'click', details: { url: 'https://example.com' } },
      ],
      ['MessageLoaded', { ip_address: '1.2.3.4', message: message() }, { type: 'open' }],
      [
        'MessageDeliveryFailed',
        { status: 'HardFail', output: '550 5.7.1 Message rejected as spam', message: message() },
        { type: 'bounce', reason: null },
      ],
    ];
    for (const [event, payload, expected] of cases) {
      const [e] = eventsOf(adapter.parse(request(envelope(event, payload), {}), ctx));
      expect(e, event).toMatchObject({
        address: 'someone@example.com',
        dedupKey: 'u-1',
        ...expected,
      });
    }
  });

  it('ignores server notices, unknown events and incoming messages with 2xx', () => {
    for (const event of [
      'DomainDNSError',
      'SendLimitApproaching',
      'SendLimitExceeded',
      'Brand New',
    ]) {
      expect(adapter.parse(request(envelope(event, {}), {}), ctx)).toEqual({
        kind: 'ignored',
        reason: `Postal ${event} is not about a recipient`,
      });
    }
    const incoming = envelope('MessageSent', {
      message: message('a@b.c', { direction: 'incoming' }),
    });
    expect(adapter.parse(request(incoming, {}), ctx).kind).toBe('ignored');
  });

  it('throws ParseError for envelopes it cannot use', () => {
    for (const body of [
      '[]',
      '{"uuid":"x"}',
      '{"event":"MessageSent","payload":{}}',
      envelope('MessageSent', {}),
      envelope('MessageSent', { message: message('bad') }),
    ])
      expect(() => adapter.parse(request(body, {}), ctx), body).toThrow(ParseError);
  });
});

describe('Postal payloads decide over the event name', () => {
  it('reads a bounce payload (original_message + bounce) sent under another event name', () => {
    const body = envelope('MessageDelayed', {
      original_message: message('bounce@example.com'),
      bounce: { id: 2, direction: 'incoming', message_id: 'E1@x', to: 'rp@postal' },
      details: 'details',
      output: 'server output',
    });
    expect(eventsOf(adapter.parse(request(body, {}), ctx))).toMatchObject([
      {
        type: 'bounce',
        address: 'bounce@example.com',
        reason: 'hard_bounce',
        details: { event: 'MessageDelayed' },
      },
    ]);
  });

  it('maps by payload status: Sent, SoftFail, HardFail, Held', () => {
    const cases: Array<[string, string]> = [
      ['Sent', 'delivered'],
      ['SoftFail', 'deferred'],
      ['HardFail', 'bounce'],
      ['Held', 'dropped'],
    ];
    for (const [status, type] of cases) {
      const body = envelope('SomethingElse', {
        status,
        output: '550 5.1.1 unknown',
        message: message(),
      });
      expect(eventsOf(adapter.parse(request(body, {}), ctx))[0]?.type, status).toBe(type);
    }
  });
});

describe('Postal envelopes whose payload says nothing', () => {
  it('are ignored when the event name is unknown too', () => {
    expect(adapter.parse(request(envelope('Unknown', { message: message() }), {}), ctx).kind).toBe(
      'ignored',
    );
  });
});
