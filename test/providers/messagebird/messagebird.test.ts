import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { createBirdAdapter } from '../../../src/providers/messagebird/bird.adapter.js';
import { createMessageBirdAdapter } from '../../../src/providers/messagebird/messagebird.adapter.js';
import { verifyMessageBirdJwt } from '../../../src/providers/messagebird/messagebird-signature.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import { messageBirdDigestSignature, SMS_CTX, smsRequest } from '../../helpers/sms-signers.js';

// The official SDK's own reference vectors (positive and negative), read from the installed package.
const require = createRequire(import.meta.url);
const REFERENCE =
  require('messagebird/lib/testdata/webhook-signature-jwt-reference.json') as Array<{
    name: string;
    secret: string;
    url: string;
    payload?: string;
    timestamp: string;
    token: string;
    valid: boolean;
  }>;
const signatureSdk = require('messagebird/lib/signature.js') as {
  validate(req: unknown, key: string): boolean;
};

const KAT10_KEY = 'PlLrKaqvZNRR5zAjm42ZT6q1SQxgbbGd';
const KAT10_TS = 1547198231;
const KAT10_QUERY =
  'id=eef0ab57a9e049be946f3821568c2b2e&mccmnc=20408&ported=1&recipient=31612345678&reference=FOO&status=delivered&statusDatetime=2019-01-11T09:17:11+00:00';
const KAT10_SIG = 'KVBdcVdz2lYMwcBLZCRITgxUfA/WkwSi+T3Wxl2HL6w=';
const KAT12_KEY = 'bird_signing_key_for_tests';
const KAT12_BODY =
  '{"service":"channels","event":"sms.outbound","payload":{"id":"7f1b3c5e-0d2a-4b6f-8e9c-1a2b3c4d5e6f","status":"delivery_failed"}}';

const legacy = createMessageBirdAdapter({
  signingKeys: [KAT10_KEY],
  publicUrl: 'https://example.com',
  maxAgeSeconds: 100,
});
const bird = createBirdAdapter({
  signingKeys: [KAT12_KEY],
  publicUrl: 'https://example.com',
  maxAgeSeconds: 300,
});
const at = (s: number) => s * 1_000;
const events = (r: AdapterResult) => (r.kind === 'events' ? r.events : []);
const legacyGet = (query: string, headers: Record<string, string>, nowS = KAT10_TS + 5) =>
  smsRequest(`/webhooks/messagebird?${query}`, '', headers, at(nowS));

describe('MessageBird legacy signature (spec C §11.2)', () => {
  const headers = {
    'messagebird-signature': KAT10_SIG,
    'messagebird-request-timestamp': String(KAT10_TS),
  };

  it('verifies KAT #10, and the SDK agrees on it', () => {
    expect(legacy.verify(legacyGet(KAT10_QUERY, headers))).toEqual({ ok: true });
    const query = Object.fromEntries(new URLSearchParams(KAT10_QUERY));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(at(KAT10_TS + 5));
    try {
      expect(signatureSdk.validate({ headers, query, body: '' }, KAT10_KEY)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails when reference changes, on another key, a stale or future timestamp, or no headers', () => {
    expect(legacy.verify(legacyGet(KAT10_QUERY.replace('FOO', 'BAR'), headers)).ok).toBe(false);
    const other = createMessageBirdAdapter({
      signingKeys: ['another_key_0123456789'],
      publicUrl: 'https://example.com',
      maxAgeSeconds: 100,
    });
    expect(other.verify(legacyGet(KAT10_QUERY, headers)).ok).toBe(false);
    expect(legacy.verify(legacyGet(KAT10_QUERY, headers, KAT10_TS + 101)).ok).toBe(false);
    expect(legacy.verify(legacyGet(KAT10_QUERY, headers, KAT10_TS - 101)).ok).toBe(false);
    expect(legacy.verify(legacyGet(KAT10_QUERY, {}))).toEqual({
      ok: false,
      reason: 'missing MessageBird-Signature',
    });
  });

  it('accepts a rotated key', () => {
    const rotating = createMessageBirdAdapter({
      signingKeys: ['old_key_0123456789abcd', KAT10_KEY],
      publicUrl: 'https://example.com',
      maxAgeSeconds: 100,
    });
    expect(rotating.verify(legacyGet(KAT10_QUERY, headers))).toEqual({ ok: true });
  });
});

describe('MessageBird-Signature-JWT (spec C §11.3)', () => {
  it.each(REFERENCE.map((r) => [r.name, r] as const))('SDK reference vector: %s', (_name, r) => {
    const check = verifyMessageBirdJwt(
      {
        rawBody: Buffer.from(r.payload ?? ''),
        headers: { 'messagebird-signature-jwt': r.token },
        url: r.url,
        nowSeconds: Date.parse(r.timestamp) / 1_000,
      },
      [r.secret],
    );
    expect(check.ok).toBe(r.valid);
  });

  it('verifies KAT #11 through the adapter (public URL + path and query)', () => {
    const kat = REFERENCE.find(
      (r) =>
        r.url === 'https://example.com/path?bar=1&foo=2' &&
        r.payload === 'Hello, World!' &&
        r.valid,
    );
    if (!kat) throw new Error('KAT #11 not in the reference file');
    const adapter = createMessageBirdAdapter({
      signingKeys: [kat.secret],
      publicUrl: 'https://example.com',
      maxAgeSeconds: 100,
    });
    const req = smsRequest(
      '/path?bar=1&foo=2',
      kat.payload ?? '',
      { 'messagebird-signature-jwt': kat.token },
      Date.parse(kat.timestamp),
    );
    expect(adapter.verify(req)).toEqual({ ok: true });
  });
});

describe('MessageBird legacy status reports and inbound', () => {
  it('reads the KAT #10 delivered report, keeping the + of statusDatetime', () => {
    expect(events(legacy.parse(legacyGet(KAT10_QUERY, {}), SMS_CTX))).toMatchObject([
      {
        type: 'delivered',
        address: '+31612345678',
        occurredAt: Date.parse('2019-01-11T09:17:11+00:00'),
        dedupKey: 'status|eef0ab57a9e049be946f3821568c2b2e|delivered|2019-01-11T09:17:11+00:00',
        details: { reference: 'FOO' },
      },
    ]);
  });

  it.each([
    ['1', 'invalid_number'],
    ['13', 'carrier_rejection'],
    ['27', 'sms_failure'],
    ['999', 'sms_failure'],
  ])('maps a delivery_failed with statusErrorCode %s to %s', (code, reason) => {
    const q = KAT10_QUERY.replace(
      'status=delivered',
      `status=delivery_failed&statusErrorCode=${code}`,
    );
    expect(events(legacy.parse(legacyGet(q, {}), SMS_CTX))[0]).toMatchObject({
      type: 'sms_failure',
      reason,
      errorCode: code,
    });
  });

  it('turns an inbound STOP into an opt-out, ignores scheduled and other text', () => {
    const q =
      'id=in1&originator=31612345679&recipient=3197010020000&body=STOP&createdDatetime=2019-01-11T09:17:11+00:00';
    expect(events(legacy.parse(legacyGet(q, {}), SMS_CTX))).toMatchObject([
      { type: 'sms_opt_out', address: '+31612345679', dedupKey: 'inbound|in1' },
    ]);
    expect(
      legacy.parse(
        legacyGet(KAT10_QUERY.replace('status=delivered', 'status=scheduled'), {}),
        SMS_CTX,
      ).kind,
    ).toBe('ignored');
    expect(legacy.parse(legacyGet(q.replace('STOP', 'hi'), {}), SMS_CTX).kind).toBe('ignored');
  });
});

describe('Bird platform webhooks (spec C §11.4)', () => {
  const post = (body: string, headers: Record<string, string>, nowS = 1736760161) =>
    smsRequest(
      '/webhooks/bird',
      body,
      { 'content-type': 'application/json', ...headers },
      at(nowS),
    );
  const signed = (body: string, ts = 1736760161, url = 'https://example.com/webhooks/bird') => ({
    'messagebird-signature': messageBirdDigestSignature(KAT12_KEY, `${ts}\n${url}\n`, body),
    'messagebird-request-timestamp': String(ts),
  });

  it('reproduces KAT #12 and verifies it', () => {
    expect(signed(KAT12_BODY)['messagebird-signature']).toBe(
      'hI9C8uMdMMJp9pCjBx7hcDCBiJ49D0CjJIzr88zOCNI=',
    );
    expect(bird.verify(post(KAT12_BODY, signed(KAT12_BODY)))).toEqual({ ok: true });
  });

  it('rejects a tampered body, another URL, a stale timestamp, missing headers', () => {
    expect(bird.verify(post(KAT12_BODY.replace('failed', 'ok'), signed(KAT12_BODY))).ok).toBe(
      false,
    );
    expect(
      bird.verify(post(KAT12_BODY, signed(KAT12_BODY, 1736760161, 'https://example.com/other'))).ok,
    ).toBe(false);
    expect(bird.verify(post(KAT12_BODY, signed(KAT12_BODY), 1736760161 + 301)).ok).toBe(false);
    expect(bird.verify(post(KAT12_BODY, {})).ok).toBe(false);
  });

  it('maps failure.source.code: unknown subscriber is invalid, system failure transient', () => {
    const body = (code: string) =>
      JSON.stringify({
        service: 'channels',
        event: 'sms.outbound',
        payload: {
          id: 'm1',
          status: 'delivery_failed',
          reason: 'details: x',
          failure: { code: 15001, source: { name: 'sms-messagebird', code } },
          receiver: { contacts: [{ identifierValue: '+31612345670' }] },
          updatedAt: '2025-01-13T09:22:41Z',
        },
      });
    expect(events(bird.parse(post(body('1'), {}), SMS_CTX))[0]).toMatchObject({
      address: '+31612345670',
      reason: 'invalid_number',
      errorCode: '1',
    });
    expect(events(bird.parse(post(body('34'), {}), SMS_CTX))[0]).toMatchObject({
      reason: 'sms_failure',
      severity: 'soft',
    });
    expect(() => bird.parse(post(KAT12_BODY, {}), SMS_CTX)).toThrow(/receiver/);
    expect(
      bird.parse(post(body('1').replace('sms.outbound', 'whatsapp.outbound'), {}), SMS_CTX).kind,
    ).toBe('ignored');
  });

  it('turns an inbound STOP into an opt-out', () => {
    const body = JSON.stringify({
      service: 'channels',
      event: 'sms.inbound',
      payload: {
        id: 'in-b1',
        sender: { contact: { identifierValue: '+31612345671' } },
        receiver: { contacts: [{ identifierValue: '+3197010020000' }] },
        body: { type: 'text', text: { text: 'Stop' } },
      },
    });
    expect(events(bird.parse(post(body, {}), SMS_CTX))).toMatchObject([
      { type: 'sms_opt_out', address: '+31612345671' },
    ]);
  });
});
