import { createHmac, timingSafeEqual, randomBytes } from 'node:crypto';

// One random key per process: comparing HMACs of both sides gives equal-length buffers, so
// neither the content nor the length of a secret leaks through timing.
const COMPARE_KEY = randomBytes(32);

/** Constant-time equality of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', COMPARE_KEY).update(a).digest();
  const hb = createHmac('sha256', COMPARE_KEY).update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** True when `candidate` equals any configured secret (rotation: several may be valid). */
export function matchesAny(candidate: string | undefined, secrets: readonly string[]): boolean {
  if (candidate === undefined || candidate === '') return false;
  let ok = false;
  // No early exit: every secret is compared.
  for (const s of secrets) ok = safeEqual(candidate, s) || ok;
  return ok;
}

/** The password of an HTTP Basic `Authorization` header, if there is one. */
export function basicPassword(header: string | undefined): string | undefined {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}
