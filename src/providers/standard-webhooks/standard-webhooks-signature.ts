import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyResult, WebhookRequest } from '../types.js';

/**
 * Standard Webhooks verification (spec §4.1, the standard-webhooks library's order): headers →
 * timestamp within tolerance → HMAC-SHA256 over `id.timestamp.rawBody` → constant-time compare
 * of every `v1` entry against every key. Svix's `svix-*` headers are the same scheme (§4.1).
 */

/** The message headers, whichever naming the sender uses. */
export interface StandardHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

const MAX_ID_LENGTH = 256;
const MAX_SIGNATURE_HEADER_LENGTH = 4_096;
const MAX_SIGNATURE_ENTRIES = 32;
const HMAC_SHA256_BYTES = 32;
const MS_PER_SECOND = 1_000;

export function standardHeaders(req: WebhookRequest): StandardHeaders | null {
  const h = req.headers;
  const id = h['webhook-id'] ?? h['svix-id'];
  const timestamp = h['webhook-timestamp'] ?? h['svix-timestamp'];
  const signature = h['webhook-signature'] ?? h['svix-signature'];
  if (!id || !timestamp || !signature) return null;
  return { id, timestamp, signature };
}

/** The base64 digests of the `v1` entries; other versions (`v1a` ed25519…) are ignored (§4.1). */
function v1Signatures(header: string): Buffer[] {
  return header
    .split(' ')
    .slice(0, MAX_SIGNATURE_ENTRIES)
    .map((entry) => entry.split(','))
    .filter(([version, sig]) => version === 'v1' && sig !== undefined && sig !== '')
    .map(([, sig]) => Buffer.from(sig ?? '', 'base64'))
    .filter((b) => b.length === HMAC_SHA256_BYTES);
}

export function standardSignature(
  key: Buffer,
  id: string,
  timestamp: string,
  body: Buffer,
): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

export function verifyStandardWebhook(
  req: WebhookRequest,
  keys: readonly Buffer[],
  toleranceSeconds: number,
): VerifyResult {
  const h = standardHeaders(req);
  if (h === null) return { ok: false, reason: 'missing webhook-id/timestamp/signature headers' };
  if (h.id.length > MAX_ID_LENGTH) return { ok: false, reason: 'webhook-id too long' };
  if (h.signature.length > MAX_SIGNATURE_HEADER_LENGTH)
    return { ok: false, reason: 'signature header too long' };
  if (!/^\d{1,12}$/.test(h.timestamp))
    return { ok: false, reason: 'timestamp is not Unix seconds' };
  const age = req.receivedAt / MS_PER_SECOND - Number(h.timestamp);
  if (age > toleranceSeconds) return { ok: false, reason: 'timestamp too old' };
  if (-age > toleranceSeconds) return { ok: false, reason: 'timestamp in the future' };
  const passed = v1Signatures(h.signature);
  if (passed.length === 0) return { ok: false, reason: 'no v1 signature' };
  let ok = false;
  for (const key of keys) {
    const expected = standardSignature(key, h.id, h.timestamp, req.rawBody);
    for (const p of passed) ok = timingSafeEqual(p, expected) || ok;
  }
  return ok
    ? { ok: true }
    : { ok: false, reason: 'signature does not match any configured secret' };
}
