import { createPublicKey, type KeyObject } from 'node:crypto';
import { fail, type Reader } from '../../config.js';

export interface PostalConfig {
  /** RSA public keys of the Postal servers (`BOUNCER_POSTAL_PUBLIC_KEYS`), never fetched. */
  publicKeys: KeyObject[];
  /** Accept SHA-1-only signatures (Postal < 3.2) (`BOUNCER_POSTAL_ALLOW_SHA1`, default true). */
  allowSha1: boolean;
}

/**
 * One key as Postal publishes it: the base64 DER SubjectPublicKeyInfo of its Return-Path DKIM
 * record (`p=…`, or the whole `v=DKIM1; …; p=…` record), or a PEM block (`\n` may be written
 * as the two characters backslash-n in an environment variable).
 */
export function parsePostalKey(text: string): KeyObject {
  const value = text.trim().replace(/\\n/g, '\n');
  if (value.includes('-----BEGIN')) return createPublicKey(value);
  const p = /(?:^|;)\s*p=([A-Za-z0-9+/=\s]+)/.exec(value)?.[1] ?? value;
  return createPublicKey({
    key: Buffer.from(p.replace(/\s+/g, ''), 'base64'),
    format: 'der',
    type: 'spki',
  });
}

export function parsePostalConfig(r: Reader): PostalConfig {
  const publicKeys = r.list('BOUNCER_POSTAL_PUBLIC_KEYS').map((entry, i) => {
    let key: KeyObject;
    try {
      key = parsePostalKey(entry);
    } catch (err) {
      return fail(
        'BOUNCER_POSTAL_PUBLIC_KEYS',
        `key ${i + 1} is not a public key: ${(err as Error).message}`,
      );
    }
    if (key.asymmetricKeyType !== 'rsa')
      fail('BOUNCER_POSTAL_PUBLIC_KEYS', `key ${i + 1} is not an RSA key (Postal signs with RSA)`);
    return key;
  });
  return { publicKeys, allowSha1: r.bool('BOUNCER_POSTAL_ALLOW_SHA1', true) };
}
