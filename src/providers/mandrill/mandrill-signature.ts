import { createHmac, timingSafeEqual } from 'node:crypto';

/** Mandrill signs its URL-check POST with this literal key (spec §3.1, §0.2). */
export const MANDRILL_TEST_KEY = 'test-webhook';
const SHA1_BYTES = 20;

/**
 * §3.2: base64(HMAC-SHA1(key, url + each POST key and its decoded value, keys sorted)). Mandrill
 * sends each key once; a repeated key counts with its first value, as Mandrill's own recipe reads.
 */
export function mandrillSignedData(url: string, params: URLSearchParams): string {
  let data = url;
  for (const key of [...new Set(params.keys())].sort()) data += key + (params.get(key) ?? '');
  return data;
}

export function mandrillSignature(key: string, url: string, params: URLSearchParams): string {
  return createHmac('sha1', key).update(mandrillSignedData(url, params), 'utf8').digest('base64');
}

/** True when `header` is the signature under any key for any candidate URL (no early exit). */
export function mandrillSignatureMatches(
  header: string,
  urls: readonly string[],
  keys: readonly string[],
  params: URLSearchParams,
): boolean {
  if (!/^[A-Za-z0-9+/]{27}=$/.test(header.trim())) return false;
  const got = Buffer.from(header.trim(), 'base64');
  if (got.length !== SHA1_BYTES) return false;
  let ok = false;
  for (const url of urls) {
    const data = mandrillSignedData(url, params);
    for (const key of keys)
      ok = timingSafeEqual(got, createHmac('sha1', key).update(data, 'utf8').digest()) || ok;
  }
  return ok;
}
