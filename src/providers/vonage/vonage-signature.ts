import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { sameDigest, sha256Hex, verifyHmacJwt, type JwtCheck } from '../shared/hmac-jwt.js';

/**
 * Vonage's two signing schemes (spec C §8.2, §8.4): the SMS API's `sig` parameter over the sorted
 * decoded parameters, and the Messages API's HS256 JWT whose `payload_hash` covers the body.
 */

export const VONAGE_SIG_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSigMethod = (typeof VONAGE_SIG_METHODS)[number];

/** §8.2: every parameter but `sig`, keys sorted, `&` and `=` inside values replaced by `_`. */
export function vonageSignedString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sig')
    .sort()
    .map((k) => `&${k}=${(params[k] ?? '').replace(/[&=]/g, '_')}`)
    .join('');
}

/** Lower-case hex; Vonage sends upper case, so compare case-folded. */
export function vonageSig(
  method: VonageSigMethod,
  secret: string,
  params: Readonly<Record<string, string>>,
): string {
  const s = vonageSignedString(params);
  return method === 'md5hash'
    ? createHash('md5')
        .update(s + secret)
        .digest('hex')
    : createHmac(method, secret).update(s).digest('hex');
}

function equalHex(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(received.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when `sig` matches any configured secret (no early exit). */
export function verifyVonageSig(
  params: Readonly<Record<string, string>>,
  secrets: readonly string[],
  method: VonageSigMethod,
): boolean {
  const received = params.sig ?? '';
  let ok = false;
  for (const secret of secrets) ok = equalHex(vonageSig(method, secret, params), received) || ok;
  return ok;
}

/**
 * §8.4: HS256 with the signature secret ("SHA-256 is always used"), `iat` within the window and
 * `payload_hash` equal to the body's SHA-256: without that check a captured token would carry
 * any body.
 */
export function verifyVonageJwt(
  authorization: string,
  rawBody: Buffer,
  secrets: readonly string[],
  nowSeconds: number,
  maxAgeSeconds: number,
): JwtCheck {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!m?.[1]) return { ok: false, reason: 'Authorization is not a Bearer token' };
  const check = verifyHmacJwt(m[1], secrets, { HS256: 'sha256' });
  if (!check.ok) return check;
  const iat = check.claims.iat;
  if (typeof iat !== 'number' || Math.abs(nowSeconds - iat) > maxAgeSeconds)
    return { ok: false, reason: 'JWT iat is missing or outside the allowed window' };
  if (!sameDigest(sha256Hex(rawBody), check.claims.payload_hash))
    return { ok: false, reason: 'JWT payload_hash does not match the body' };
  return check;
}
