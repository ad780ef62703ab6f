import { createHash, createHmac, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { WebhookRequest } from '../../src/providers/types.js';

/**
 * Signed requests for the SMS providers, built with the recipes of spec C §0.2 (the tests check
 * them against the providers' own SDK verifiers where one exists).
 */

export const SMS_CTX = { defaultPhoneRegion: 'US' };

export function smsFixture(provider: string, name: string): string {
  return readFileSync(
    new URL(`../fixtures/providers/${provider}/${name}`, import.meta.url),
    'utf8',
  );
}

export function smsRequest(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  receivedAt: number,
): WebhookRequest {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return {
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    headers: lower,
    url,
    params: {},
    receivedAt,
  };
}

export const form = (params: Record<string, string>): string =>
  new URLSearchParams(params).toString();

export function hmacJwt(
  secret: string,
  claims: Record<string, unknown>,
  alg: 'HS256' | 'HS384' | 'HS512' = 'HS256',
): string {
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  const input = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

export const sha256Hex = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex');

// Vonage (§8.2, §8.4)
export const VONAGE_SECRET = 'vonage_signature_secret_for_tests_0123456789';

export function vonageSigned(
  params: Record<string, string>,
  timestampSeconds: number,
  method: 'md5hash' | 'md5' | 'sha1' | 'sha256' | 'sha512' = 'sha256',
  secret = VONAGE_SECRET,
): Record<string, string> {
  const p = { ...params, timestamp: String(timestampSeconds), nonce: 'nonce-1' };
  const s = Object.keys(p)
    .sort()
    .map((k) => `&${k}=${(p as Record<string, string>)[k]!.replace(/[&=]/g, '_')}`)
    .join('');
  const sig =
    method === 'md5hash'
      ? createHash('md5')
          .update(s + secret)
          .digest('hex')
      : createHmac(method, secret).update(s).digest('hex');
  return { ...p, sig: sig.toUpperCase() };
}

export function vonageJwt(body: string, iatSeconds: number, secret = VONAGE_SECRET): string {
  return hmacJwt(secret, {
    iat: iatSeconds,
    jti: `jti-${iatSeconds}-${sha256Hex(body).slice(0, 8)}`,
    iss: 'Vonage',
    payload_hash: sha256Hex(body),
    api_key: 'abcd1234',
    application_id: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  });
}

// Telnyx (§10.2): KAT #9's key, 32 bytes of 0x07 as the seed.
const TELNYX_SEED = Buffer.alloc(32, 7);
export const TELNYX_PRIVATE_KEY = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), TELNYX_SEED]),
  format: 'der',
  type: 'pkcs8',
});
export const TELNYX_PUBLIC_KEY_B64 = createPublicKey(TELNYX_PRIVATE_KEY)
  .export({ format: 'der', type: 'spki' })
  .subarray(12)
  .toString('base64');

export function telnyxHeaders(
  body: string,
  timestampSeconds: number,
  key = TELNYX_PRIVATE_KEY,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'telnyx-timestamp': String(timestampSeconds),
    'telnyx-signature-ed25519': sign(
      null,
      Buffer.from(`${timestampSeconds}|${body}`),
      key,
    ).toString('base64'),
  };
}

// Plivo (§9.2): V3 signed with the spec's recipe; the tests check it against the SDK.
export const PLIVO_TOKEN = 'MAXXXXXXXXXXXXXXXXXX_plivo_auth_token';

export function plivoV3Headers(
  signedString: string,
  nonce = '05429567804466091622',
  token = PLIVO_TOKEN,
): Record<string, string> {
  return {
    'x-plivo-signature-v3-nonce': nonce,
    'x-plivo-signature-v3': createHmac('sha256', token)
      .update(`${signedString}.${nonce}`)
      .digest('base64'),
  };
}

// MessageBird legacy and Bird (§11.2, §11.4).
export function messageBirdDigestSignature(key: string, prefix: string, body: string): string {
  const bodyHash = createHash('sha256').update(body).digest();
  return createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(prefix), bodyHash]))
    .digest('base64');
}

// Sinch (§12.2).
export function sinchHeaders(
  body: string,
  timestampSeconds: number,
  secret: string,
  nonce = 'nonce-0001',
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-sinch-webhook-signature-nonce': nonce,
    'x-sinch-webhook-signature-timestamp': String(timestampSeconds),
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
    'x-sinch-webhook-signature': createHmac('sha256', secret)
      .update(`${body}.${nonce}.${timestampSeconds}`)
      .digest('base64'),
  };
}
