import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-signed JWTs (Vonage Messages, MessageBird) checked without a JWT library: few lines, constant time. */

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
  if (typeof received !== 'string') return false;
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(received.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}
