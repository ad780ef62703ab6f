import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { createStandardWebhooksAdapter } from '../../../src/providers/standard-webhooks/standard-webhooks.adapter.js';
import type { WebhookRequest } from '../../../src/providers/types.js';
import { standardHeaders } from '../../helpers/standard-webhooks-signer.js';

// Spec §0.2 known-answer vector (identical to the library's own "sign function works" test).
const KAT = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OTHER = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const AT = new Date(Date.UTC(2026, 0, 1));
const BODY = JSON.stringify({ type: 'email.delivered', data: { to: ['a@example.com'] } });

function request(
  body: string,
  headers: Record<string, string>,
  receivedAt = AT.getTime(),
): WebhookRequest {
  return { rawBody: Buffer.from(body), headers, url: '/webhooks/resend', params: {}, receivedAt };
}
const adapter = (secrets = [KAT.secret]) =>
  createStandardWebhooksAdapter({
    name: 'resend',
    format: 'resend',
    secrets,
    toleranceSeconds: 300,
  });

/** What the official library says about the same request. */
function libraryAccepts(secret: string, req: WebhookRequest): boolean {
  const h = req.headers;
  const headers = {
    'webhook-id': h['webhook-id'] ?? h['svix-id'] ?? '',
    'webhook-timestamp': h['webhook-timestamp'] ?? h['svix-timestamp'] ?? '',
    'webhook-signature': h['webhook-signature'] ?? h['svix-signature'] ?? '',
  };
  try {
    // The library reads the clock itself: only meaningful for requests signed "now".
    new Webhook(secret).verify(req.rawBody.toString('utf8'), headers);
    return true;
  } catch {
    return false;
  }
}

describe('Standard Webhooks signature (spec §4.1)', () => {
  it('accepts the §0.2 known-answer vector with webhook-* and svix-* headers', () => {
    for (const n of ['webhook', 'svix'])
      expect(
        adapter().verify(
          request(
            KAT.body,
            {
              [`${n}-id`]: KAT.id,
              [`${n}-timestamp`]: KAT.timestamp,
              [`${n}-signature`]: KAT.signature,
            },
            1_614_265_330_000,
          ),
        ),
      ).toEqual({ ok: true });
  });

  it('agrees with the official library on signed, tampered, wrong-secret, rotated and unknown-version requests', () => {
    const now = new Date();
    const signed = standardHeaders(KAT.secret, 'msg_1', now, BODY);
    const cases: Array<[string, WebhookRequest, boolean]> = [
      ['signed (svix-*)', request(BODY, signed, now.getTime()), true],
      [
        'signed (webhook-*)',
        request(BODY, standardHeaders(KAT.secret, 'msg_2', now, BODY, 'webhook'), now.getTime()),
        true,
      ],
      ['tampered body', request(BODY.replace('a@', 'b@'), signed, now.getTime()), false],
      ['tampered id', request(BODY, { ...signed, 'svix-id': 'msg_other' }, now.getTime()), false],
      [
        'other secret',
        request(BODY, standardHeaders(OTHER, 'msg_3', now, BODY), now.getTime()),
        false,
      ],
      [
        'rotation: an unknown version and a stale entry before the good one',
        request(
          BODY,
          {
            ...signed,
            'svix-signature': `v1a,AAAA v1,${Buffer.alloc(32).toString('base64')} ${signed['svix-signature']}`,
          },
          now.getTime(),
        ),
        true,
      ],
      [
        'only a v2 entry',
        request(
          BODY,
          { ...signed, 'svix-signature': signed['svix-signature']!.replace('v1,', 'v2,') },
          now.getTime(),
        ),
        false,
      ],
    ];
    for (const [name, req, expected] of cases) {
      expect(adapter().verify(req).ok, name).toBe(expected);
      expect(libraryAccepts(KAT.secret, req), `library: ${name}`).toBe(expected);
    }
  });

  it('accepts any configured secret (rotation)', () => {
    const headers = standardHeaders(OTHER, 'msg_r', AT, BODY);
    expect(adapter([KAT.secret, OTHER]).verify(request(BODY, headers))).toEqual({ ok: true });
    expect(adapter([KAT.secret]).verify(request(BODY, headers))).toMatchObject({ ok: false });
  });

  it('refuses missing headers, an empty body, stale and future timestamps (5 minutes, as the library)', () => {
    const headers = standardHeaders(KAT.secret, 'msg_t', AT, BODY);
    const { 'svix-signature': _s, ...noSignature } = headers;
    expect(adapter().verify(request(BODY, noSignature))).toMatchObject({
      ok: false,
      reason: 'missing webhook-id/timestamp/signature headers',
    });
    expect(adapter().verify(request('', headers))).toMatchObject({
      ok: false,
      reason: 'empty body',
    });
    expect(adapter().verify(request(BODY, headers, AT.getTime() + 301_000))).toMatchObject({
      ok: false,
      reason: 'timestamp too old',
    });
    expect(adapter().verify(request(BODY, headers, AT.getTime() - 301_000))).toMatchObject({
      ok: false,
      reason: 'timestamp in the future',
    });
    expect(adapter().verify(request(BODY, headers, AT.getTime() + 299_000))).toEqual({ ok: true });
    expect(adapter().verify(request(BODY, { ...headers, 'svix-timestamp': 'soon' }))).toMatchObject(
      { ok: false },
    );
  });
});

describe('Svix SDK as a second oracle (svix-* headers, spec §4.2)', () => {
  it('accepts what the svix library signs, and the svix library accepts what Bouncer accepts', () => {
    const now = new Date();
    const svix = new SvixWebhook(KAT.secret);
    const headers = {
      'content-type': 'application/json',
      'svix-id': 'msg_svix_1',
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': svix.sign('msg_svix_1', now, BODY),
    };
    expect(adapter().verify(request(BODY, headers, now.getTime()))).toEqual({ ok: true });
    expect(() => svix.verify(BODY, headers)).not.toThrow();
    const tampered = BODY.replace('a@', 'c@');
    expect(adapter().verify(request(tampered, headers, now.getTime()))).toMatchObject({
      ok: false,
    });
    expect(() => svix.verify(tampered, headers)).toThrow();
  });
});
