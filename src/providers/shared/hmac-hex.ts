import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * True when `signature` (64 hex characters) is the HMAC-SHA256 of the raw bytes under any of the
 * secrets (used as UTF-8 text). Every secret is tried, without early exit (rotation), and the
 * digests are compared in constant time on equal-length buffers.
 */
export function hexHmacMatches(
  rawBody: Buffer,
  signature: string,
  secrets: readonly string[],
): boolean {
  if (!HEX_SHA256.test(signature)) return false;
  const got = Buffer.from(signature, 'hex');
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    ok = timingSafeEqual(expected, got) || ok;
  }
  return ok;
}

export function isHexSha256(value: string): boolean {
  return HEX_SHA256.test(value);
}
