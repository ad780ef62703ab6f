import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** Telnyx signs `${telnyx-timestamp}|${rawBody}` with Ed25519 (spec C §10.2). */

/** The portal shows the raw 32-byte key; Node wants it wrapped as SPKI DER. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function telnyxPublicKey(base64: string): KeyObject {
  const raw = Buffer.from(base64.trim(), 'base64');
  if (raw.length !== 32)
    throw new Error('an Ed25519 public key is 32 bytes (base64 of 44 characters)');
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

export type TelnyxCheck = { ok: true } | { ok: false; reason: string };

export function verifyTelnyx(
  rawBody: Buffer,
  headers: Readonly<Record<string, string | undefined>>,
  keys: readonly KeyObject[],
  nowSeconds: number,
  toleranceSeconds: number,
): TelnyxCheck {
  const sig = headers['telnyx-signature-ed25519'];
  const ts = headers['telnyx-timestamp'];
  if (!sig || !ts)
    return { ok: false, reason: 'missing telnyx-signature-ed25519 or telnyx-timestamp' };
  if (!/^\d{1,12}$/.test(ts) || Math.abs(nowSeconds - Number(ts)) > toleranceSeconds)
    return { ok: false, reason: 'telnyx-timestamp is outside the allowed window' };
  const signature = Buffer.from(sig, 'base64');
  if (signature.length !== 64) return { ok: false, reason: 'signature is not 64 bytes' };
  const signed = Buffer.concat([Buffer.from(`${ts}|`), rawBody]);
  let ok = false;
  for (const key of keys) ok = verify(null, signed, key, signature) || ok;
  return ok
    ? { ok: true }
    : { ok: false, reason: 'signature does not verify with any configured public key' };
}
