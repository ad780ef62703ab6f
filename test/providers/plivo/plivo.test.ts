import { createHmac } from 'node:crypto';
import plivo from 'plivo';
import { describe, expect, it } from 'vitest';
import { createPlivoAdapter } from '../../../src/providers/plivo/plivo.adapter.js';
import { plivoV3Base, verifyPlivo } from '../../../src/providers/plivo/plivo-signature.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import {
  PLIVO_TOKEN,
  plivoV3Headers,
  SMS_CTX,
  smsFixture,
  smsRequest,
} from '../../helpers/sms-signers.js';

const NOW = Date.UTC(2026, 0, 5, 12);
const NONCE = '05429567804466091622';
const BODY = smsFixture('plivo', 'status-undelivered-200.form');
const PARAMS = Object.fromEntries(new URLSearchParams(BODY));
const multi = (o: Record<string, string>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [v]]));
const adapter = createPlivoAdapter({
  authTokens: [PLIVO_TOKEN],
  publicUrl: 'https://example.com',
  allowV2: true,
});
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const KAT8 = 'K6lzIqTZFQzA8t2THuzRjo8wtfUic84NMbgVt+0m8Gg=';
const events = (r: AdapterResult) => (r.kind === 'events' ? r.events : []);
const post = (body: string, headers: Record<string, string>, url = '/plivo/status?tenant=acme') =>
  smsRequest(url, body, { ...FORM, ...headers }, NOW);

describe('Plivo signatures (spec C §9.2)', () => {
  it('reproduces KAT #8 (POST) and KAT #8b (GET), and the SDK accepts both', () => {
    const s8 = plivoV3Base('POST', 'https://example.com/plivo/status?tenant=acme', multi(PARAMS));
    expect(s8).toBe(
      'https://example.com/plivo/status?tenant=acme.ErrorCode200From14155550100MessageUUIDdb3ce55a-7f1d-11e1-8ea7-1231380bc196StatusundeliveredTo14155550123TypesmsUnits1',
    );
    expect(plivoV3Headers(s8)['x-plivo-signature-v3']).toBe(KAT8);
    expect(
      plivo.validateV3Signature(
        'POST',
        'https://example.com/plivo/status?tenant=acme',
        NONCE,
        PLIVO_TOKEN,
        KAT8,
        PARAMS,
      ),
    ).toBe(true);
    const s8b = plivoV3Base('GET', 'https://example.com/plivo/status?b=2&a=1', {});
    expect(s8b).toBe('https://example.com/plivo/status?a=1&b=2');
    const sig8b = plivoV3Headers(s8b)['x-plivo-signature-v3']!;
    expect(sig8b).toBe('jmJn/plnbwCBff6oiN7oKyczih8yLCx+RyceQZAxKnM=');
    expect(
      plivo.validateV3Signature(
        'GET',
        'https://example.com/plivo/status?b=2&a=1',
        NONCE,
        PLIVO_TOKEN,
        sig8b,
        {},
      ),
    ).toBe(true);
  });

  it('agrees with the SDK on path-less, port and repeated-key URLs', () => {
    for (const url of [
      'https://example.com',
      'https://example.com:8443/x/?a=1&a=0',
      'https://example.com/p?z=1',
    ]) {
      for (const method of ['GET', 'POST'] as const) {
        const sig = plivoV3Headers(
          plivoV3Base(method, url, method === 'POST' ? multi(PARAMS) : {}),
        )['x-plivo-signature-v3']!;
        expect(
          plivo.validateV3Signature(
            method,
            url,
            NONCE,
            PLIVO_TOKEN,
            sig,
            method === 'POST' ? PARAMS : {},
          ),
        ).toBe(true);
      }
    }
  });

  it('reproduces the V2 vectors KAT #7 and #7b, which the SDK accepts', () => {
    const v2 = (url: string, nonce: string, sig: string) =>
      verifyPlivo(
        {
          method: 'POST',
          url,
          params: {},
          headers: { 'x-plivo-signature-v2-nonce': nonce, 'x-plivo-signature-v2': sig },
          tokens: ['my_auth_token'],
        },
        true,
      );
    expect(v2('https://answer.url', '12345', 'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=')).toBe(
      'v2',
    );
    expect(
      v2(
        'https://answer.url:8000',
        '24725744043720739450',
        'LDphWoWimP4QM5AoWI1uwP6WmlWtt5ITPZjXIWYvCNU=',
      ),
    ).toBe('v2');
    expect(
      plivo.validateSignature(
        'https://answer.url',
        '12345',
        'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=',
        'my_auth_token',
      ),
    ).toBe(true);
  });
});

describe('Plivo adapter', () => {
  it('accepts the §9.7 sample with its KAT #8 signature, also with a second signature in the header', () => {
    expect(
      adapter.verify(
        post(BODY, { 'x-plivo-signature-v3-nonce': NONCE, 'x-plivo-signature-v3': KAT8 }),
      ),
    ).toEqual({ ok: true });
    expect(
      adapter.verify(
        post(BODY, { 'x-plivo-signature-v3-nonce': NONCE, 'x-plivo-signature-v3': `AAAA,${KAT8}` }),
      ),
    ).toEqual({ ok: true });
    expect(
      adapter.verify(
        post(BODY, { 'x-plivo-signature-v3-nonce': NONCE, 'x-plivo-signature-ma-v3': KAT8 }),
      ),
    ).toEqual({ ok: true });
  });

  it('rejects missing headers, a tampered body, another URL, another token and an empty body', () => {
    const h = { 'x-plivo-signature-v3-nonce': NONCE, 'x-plivo-signature-v3': KAT8 };
    expect(adapter.verify(post(BODY, {}))).toEqual({
      ok: false,
      reason: 'missing X-Plivo-Signature-V3 (or -V2) headers',
    });
    expect(adapter.verify(post(BODY.replace('ErrorCode=200', 'ErrorCode=50'), h)).ok).toBe(false);
    expect(adapter.verify(post(BODY, h, '/plivo/status?tenant=other')).ok).toBe(false);
    const other = createPlivoAdapter({
      authTokens: ['another_token_0123456789'],
      publicUrl: 'https://example.com',
      allowV2: true,
    });
    expect(other.verify(post(BODY, h)).ok).toBe(false);
    expect(adapter.verify(post('', h)).ok).toBe(false);
  });

  it('accepts rotated tokens, and V2 only while allowed', () => {
    const rotating = createPlivoAdapter({
      authTokens: ['old_token_0123456789abc', PLIVO_TOKEN],
      publicUrl: 'https://example.com',
      allowV2: false,
    });
    expect(
      rotating.verify(
        post(BODY, { 'x-plivo-signature-v3-nonce': NONCE, 'x-plivo-signature-v3': KAT8 }),
      ),
    ).toEqual({ ok: true });
    const v2sig = (nonce: string) => ({
      'x-plivo-signature-v2-nonce': nonce,
      'x-plivo-signature-v2': createHmac('sha256', PLIVO_TOKEN)
        .update(`https://example.com/plivo/status${nonce}`)
        .digest('base64'),
    });
    expect(adapter.verify(post(BODY, v2sig('777')))).toEqual({ ok: true });
    expect(rotating.verify(post(BODY, v2sig('777'))).ok).toBe(false);
  });

  it('turns ErrorCode 200 (STOP) into an SMS opt-out for +14155550123', () => {
    expect(events(adapter.parse(post(BODY, {}), SMS_CTX))).toMatchObject([
      {
        type: 'sms_failure',
        address: '+14155550123',
        reason: 'sms_opt_out',
        severity: 'hard',
        errorCode: '200',
        providerMessageId: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
        details: { status: 'undelivered', sender: '14155550100' },
      },
    ]);
  });

  it.each([
    ['50', 'invalid_number'],
    ['70', 'invalid_number'],
    ['100', 'carrier_rejection'],
    ['20', 'sms_failure'],
    ['90', 'sms_failure'],
    ['30', null],
    ['4242', 'sms_failure'],
  ])('maps ErrorCode %s to %s', (code, reason) => {
    expect(
      events(
        adapter.parse(post(BODY.replace('ErrorCode=200', `ErrorCode=${code}`), {}), SMS_CTX),
      )[0],
    ).toMatchObject({ reason, errorCode: code });
  });

  it('reads a GET callback, ignores queued/sent and WhatsApp, and reads inbound STOP and START', () => {
    const get = smsRequest(
      `/webhooks/plivo?${BODY.replace('undelivered', 'delivered')}`,
      '',
      {},
      NOW,
    );
    expect(events(adapter.parse(get, SMS_CTX))[0]).toMatchObject({
      type: 'delivered',
      reason: null,
    });
    expect(adapter.parse(post(BODY.replace('undelivered', 'sent'), {}), SMS_CTX).kind).toBe(
      'ignored',
    );
    expect(adapter.parse(post(BODY.replace('Type=sms', 'Type=whatsapp'), {}), SMS_CTX).kind).toBe(
      'ignored',
    );
    const inbound = 'From=14155550199&To=14155550100&Type=sms&Text=Stop&MessageUUID=in-1';
    expect(events(adapter.parse(post(inbound, {}), SMS_CTX))).toMatchObject([
      { type: 'sms_opt_out', address: '+14155550199', dedupKey: 'inbound|in-1' },
    ]);
    expect(
      events(adapter.parse(post(inbound.replace('Stop', 'START'), {}), SMS_CTX))[0],
    ).toMatchObject({ type: 'sms_opt_in' });
    expect(adapter.parse(post(inbound.replace('Stop', 'hello'), {}), SMS_CTX).kind).toBe('ignored');
  });
});
