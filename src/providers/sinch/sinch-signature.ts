import { createHmac, timingSafeEqual } from 'node:crypto';

/** `x-sinch-webhook-signature`: HMAC-SHA256 of `${rawBody}.${nonce}.${timestamp}` (spec C §12.2). */
export function sinchSignature(
  secret: string,
  rawBody: Buffer,
  nonce: string,
  timestamp: string,
): Buffer {
  return createHmac('sha256', secret)
    .update(Buffer.concat([rawBody, Buffer.from(`.${nonce}.${timestamp}`)]))
    .digest();
}

export type SinchCheck = { ok: true } | { ok: false; reason: string };

export function verifySinch(
  rawBody: Buffer,
  headers: Readonly<Record<string, string | undefined>>,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds: number,
): SinchCheck {
  const sig = headers['x-sinch-webhook-signature'];
  const nonce = headers['x-sinch-webhook-signature-nonce'];
  const ts = headers['x-sinch-webhook-signature-timestamp'];
  if (!sig || !nonce || !ts)
    return { ok: false, reason: 'missing x-sinch-webhook-signature headers' };
  const algorithm = headers['x-sinch-webhook-signature-algorithm'];
  // The SDK ignores the algorithm header; HmacSHA256 is the only one Sinch documents.
  if (algorithm !== undefined && algorithm.toLowerCase() !== 'hmacsha256')
    return { ok: false, reason: `signature algorithm ${algorithm} is not supported` };
  if (!/^\d{1,12}$/.test(ts) || Math.abs(nowSeconds - Number(ts)) > toleranceSeconds)
    return {
      ok: false,
      reason: 'x-sinch-webhook-signature-timestamp is outside the allowed window',
    };
  const got = Buffer.from(sig, 'base64');
  let ok = false;
  for (const s of secrets) {
    const expected = sinchSignature(s, rawBody, nonce, ts);
    ok = (got.length === expected.length && timingSafeEqual(got, expected)) || ok;
  }
  return ok ? { ok: true } : { ok: false, reason: 'signature matches no configured secret' };
}
