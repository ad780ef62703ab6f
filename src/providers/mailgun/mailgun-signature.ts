import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyResult } from '../types.js';

/** The `signature` block of a Mailgun webhook (spec §1.2), or the legacy form's top-level fields. */
export interface MailgunSignatureBlock {
  timestamp: string;
  token: string;
  signature: string;
  /** Only on sub-account domains: the same HMAC under the primary account's key. */
  parentSignature?: string | undefined;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const MAX_TOKEN_LENGTH = 256;
const MS_PER_SECOND = 1_000;
/** A timestamp from the future is clock skew at most; beyond this it is refused. */
export const MAILGUN_FUTURE_SKEW_SECONDS = 300;

/** §1.2: lower-case hex HMAC-SHA256 of `timestamp` then `token`, keyed with the key's own bytes. */
export function mailgunSignature(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', key)
    .update(timestamp + token, 'utf8')
    .digest('hex');
}

/** True when `signature` or `parent-signature` is the HMAC under any of `keys` (every key tried). */
export function mailgunSignatureMatches(
  block: MailgunSignatureBlock,
  keys: readonly string[],
): boolean {
  const candidates = [block.signature, block.parentSignature]
    .filter((s): s is string => typeof s === 'string' && HEX_SHA256.test(s))
    .map((s) => Buffer.from(s, 'hex'));
  let ok = false;
  for (const key of keys) {
    const expected = createHmac('sha256', key)
      .update(block.timestamp + block.token, 'utf8')
      .digest();
    for (const c of candidates) ok = timingSafeEqual(c, expected) || ok;
  }
  return ok;
}

/** The timestamp is decimal Unix seconds within the window around `receivedAt`. */
export function checkMailgunTimestamp(
  timestamp: string,
  receivedAt: number,
  maxAgeSeconds: number,
): VerifyResult {
  if (!/^\d{1,12}(\.\d{1,9})?$/.test(timestamp))
    return { ok: false, reason: 'signature timestamp is not Unix seconds' };
  const age = receivedAt / MS_PER_SECOND - Number(timestamp);
  if (age > maxAgeSeconds) return { ok: false, reason: 'signature timestamp too old' };
  if (-age > Math.min(maxAgeSeconds, MAILGUN_FUTURE_SKEW_SECONDS))
    return { ok: false, reason: 'signature timestamp in the future' };
  return { ok: true };
}

export function validToken(token: string): boolean {
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH;
}

/**
 * Tokens already seen, against replays (spec §1.2, §11.1): Mailgun's signature covers only
 * `timestamp + token`, never `event-data`, so a captured signature block could be re-attached to
 * forged events. Each token is remembered with a digest of the event it came with: the same token
 * with the same event is a retry (or a harmless replay, deduplicated by the event's key), the
 * same token with a different event is refused. The entry is the signed pair (timestamp, token):
 * a forger cannot make a new valid pair, so this refuses exactly the replays a token-only key
 * does, while a sender that reuses a token under another timestamp (a fixed token in a test
 * harness) is not mistaken for one. Bounded: entries expire when their timestamp leaves the
 * window, and when full the oldest entry goes. Per process (docs/providers/mailgun.md).
 */
export class MailgunTokenCache {
  private readonly entries = new Map<string, { digest: string; expiresAt: number }>();

  constructor(
    private readonly capacity: number,
    private readonly maxAgeMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Record `token` for `eventBytes`; false when the token was already used for another event. */
  admit(token: string, timestamp: string, eventBytes: string, now: number): boolean {
    this.expire(now);
    const digest = createHash('sha256').update(eventBytes).digest('base64');
    const key = `${timestamp}\n${token}`;
    const seen = this.entries.get(key);
    if (seen) return seen.digest === digest;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const signedAt = Number(timestamp) * MS_PER_SECOND;
    this.entries.set(key, {
      digest,
      expiresAt:
        Math.max(signedAt, now) + this.maxAgeMs + MAILGUN_FUTURE_SKEW_SECONDS * MS_PER_SECOND,
    });
    return true;
  }

  // Entries are inserted roughly in time order: dropping expired ones from the front is
  // amortised O(1) and keeps the map bounded by the window as well as by the capacity.
  private expire(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(key);
    }
  }
}
