import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { stringify } from 'node:querystring';
import { sameDigest, sha256Hex, verifyHmacJwt } from '../shared/hmac-jwt.js';

/**
 * MessageBird's legacy `MessageBird-Signature`, its `MessageBird-Signature-JWT`, and the Bird
 * platform's `messagebird-signature` (spec C §11.2–§11.4).
 */

export type Check = { ok: true } | { ok: false; reason: string };

function matchesAny(received: string, expected: readonly Buffer[]): boolean {
  const got = Buffer.from(received, 'base64');
  let ok = false;
  for (const e of expected) ok = (got.length === e.length && timingSafeEqual(got, e)) || ok;
  return ok;
}

/**
 * §11.2: the decoded query sorted by key and re-encoded with `querystring.stringify`, after the
 * SDK's restoration of `+` in `statusDatetime` (a decoder reads the literal `+` as a space).
 */
export function messageBirdSortedQuery(query: URLSearchParams): string {
  const q: Record<string, string> = Object.fromEntries(query);
  if (q.statusDatetime) q.statusDatetime = q.statusDatetime.split(' ').join('+');
  return stringify(
    Object.fromEntries(
      Object.keys(q)
        .sort()
        .map((k) => [k, q[k] ?? '']),
    ),
  );
}

/** HMAC-SHA256 over `prefix` followed by the raw SHA-256 digest of the body. */
function digestSignature(key: string, prefix: string, rawBody: Buffer): Buffer {
  const bodyHash = createHash('sha256').update(rawBody).digest();
  return createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(prefix), bodyHash]))
    .digest();
}

function timestampOf(
  headers: Readonly<Record<string, string | undefined>>,
  nowS: number,
  maxAgeS: number,
): Check & { ts?: string } {
  const ts = headers['messagebird-request-timestamp'];
  if (!ts || !/^\d{1,12}$/.test(ts))
    return { ok: false, reason: 'missing MessageBird-Request-Timestamp' };
  if (Math.abs(nowS - Number(ts)) > maxAgeS)
    return { ok: false, reason: 'MessageBird-Request-Timestamp is outside the allowed window' };
  return { ok: true, ts };
}

export interface SignedRequest {
  rawBody: Buffer;
  headers: Readonly<Record<string, string | undefined>>;
  /** Full public URL (scheme, host, path and query in the order sent). */
  url: string;
  nowSeconds: number;
}

/** §11.2 legacy: `ts\nsortedQuery\n` + sha256(body); SDK window 100 s. */
export function verifyLegacy(req: SignedRequest, keys: readonly string[], maxAgeS: number): Check {
  const sig = req.headers['messagebird-signature'];
  if (!sig) return { ok: false, reason: 'missing MessageBird-Signature' };
  const t = timestampOf(req.headers, req.nowSeconds, maxAgeS);
  if (!t.ok || t.ts === undefined) return t.ok ? { ok: false, reason: 'no timestamp' } : t;
  const query = messageBirdSortedQuery(new URL(req.url).searchParams);
  const expected = keys.map((k) => digestSignature(k, `${t.ts}\n${query}\n`, req.rawBody));
  return matchesAny(sig, expected)
    ? { ok: true }
    : { ok: false, reason: 'MessageBird-Signature matches no signing key' };
}

/** §11.4 Bird: `ts\nrequestedUrl\n` + sha256(body). */
export function verifyBird(req: SignedRequest, keys: readonly string[], maxAgeS: number): Check {
  const sig = req.headers['messagebird-signature'];
  if (!sig) return { ok: false, reason: 'missing messagebird-signature' };
  const t = timestampOf(req.headers, req.nowSeconds, maxAgeS);
  if (!t.ok || t.ts === undefined) return t.ok ? { ok: false, reason: 'no timestamp' } : t;
  const expected = keys.map((k) => digestSignature(k, `${t.ts}\n${req.url}\n`, req.rawBody));
  return matchesAny(sig, expected)
    ? { ok: true }
    : { ok: false, reason: 'messagebird-signature matches no signing key' };
}

/** Leeway on nbf/exp, as the SDK's `clockTolerance`. */
const JWT_CLOCK_TOLERANCE_SECONDS = 5;

/**
 * §11.3: HS256/384/512 keyed with the signing key's text, `iss` MessageBird, `nbf`/`exp`,
 * `jti`, `url_hash` of the full URL and `payload_hash` of a non-empty body (absent otherwise).
 */
export function verifyMessageBirdJwt(req: SignedRequest, keys: readonly string[]): Check {
  const token = req.headers['messagebird-signature-jwt'];
  if (!token) return { ok: false, reason: 'missing MessageBird-Signature-JWT' };
  const check = verifyHmacJwt(token.trim(), keys, {
    HS256: 'sha256',
    HS384: 'sha384',
    HS512: 'sha512',
  });
  if (!check.ok) return check;
  const c = check.claims;
  const now = req.nowSeconds;
  if (c.iss !== 'MessageBird') return { ok: false, reason: 'JWT iss is not MessageBird' };
  if (
    typeof c.nbf !== 'number' ||
    typeof c.exp !== 'number' ||
    now + JWT_CLOCK_TOLERANCE_SECONDS < c.nbf ||
    now - JWT_CLOCK_TOLERANCE_SECONDS >= c.exp
  )
    return { ok: false, reason: 'JWT is not valid at this time (nbf/exp)' };
  if (typeof c.jti !== 'string' || c.jti === '') return { ok: false, reason: 'JWT has no jti' };
  if (!sameDigest(sha256Hex(req.url), c.url_hash))
    return { ok: false, reason: 'JWT url_hash does not match the URL' };
  // The SDK's rule: a payload_hash must match; without one the body must be empty.
  const payloadOk =
    c.payload_hash !== undefined
      ? sameDigest(sha256Hex(req.rawBody), c.payload_hash)
      : req.rawBody.length === 0;
  if (!payloadOk) return { ok: false, reason: 'JWT payload_hash does not match the body' };
  return { ok: true };
}
