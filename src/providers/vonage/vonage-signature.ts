import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

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

export type JwtCheck =
  { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

const JWT = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

function jsonPart(part: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** An HMAC JWT's header and claims, if its signature matches one of the secrets. */
export function verifyHmacJwt(
  token: string,
  secrets: readonly string[],
  algorithms: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>>,
): JwtCheck {
  const m = JWT.exec(token);
  if (!m) return { ok: false, reason: 'not a JWT' };
  const [, h = '', p = '', s = ''] = m;
  const header = jsonPart(h);
  const claims = jsonPart(p);
  if (!header || !claims) return { ok: false, reason: 'JWT header or claims are not JSON' };
  const hash = typeof header.alg === 'string' ? algorithms[header.alg] : undefined;
  if (!hash) return { ok: false, reason: `JWT algorithm ${String(header.alg)} is not accepted` };
  const got = Buffer.from(s, 'base64url');
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac(hash, secret).update(`${h}.${p}`).digest();
    ok = (got.length === expected.length && timingSafeEqual(got, expected)) || ok;
  }
  return ok ? { ok: true, claims } : { ok: false, reason: 'JWT signature matches no secret' };
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Constant-time equality of two hex digests (case-folded). */
export function sameDigest(expected: string, received: unknown): boolean {
  return typeof received === 'string' && equalHex(expected, received);
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
