import { createHash, timingSafeEqual } from 'node:crypto';

const AUTH_FIELD = /"auth"\s*:\s*"([0-9a-f]{32})"/;

/**
 * Spec §4.2: `auth` is the MD5 of the raw body in which the `auth` value is the API key. The key
 * is put back into the raw text (whitespace and escaped slashes untouched); re-serialising the
 * parsed JSON gives other bytes (real bodies escape `/` as `\/`). Every key is tried.
 */
export function unisenderAuthMatches(rawBody: Buffer, apiKeys: readonly string[]): boolean | null {
  const text = rawBody.toString('utf8');
  const m = AUTH_FIELD.exec(text);
  if (!m?.[1]) return null;
  const at = m.index + m[0].length - 33;
  const before = text.slice(0, at);
  const after = text.slice(at + 32);
  const got = Buffer.from(m[1], 'hex');
  let ok = false;
  for (const key of apiKeys) {
    const expected = createHash('md5')
      .update(before + key + after, 'utf8')
      .digest();
    ok = timingSafeEqual(expected, got) || ok;
  }
  return ok;
}

/** A signed body for tests and docs: the body written with the key as `auth`, then its MD5 put in place. */
export function signUnisenderBody(bodyWithKey: string, apiKey: string): string {
  const digest = createHash('md5').update(bodyWithKey, 'utf8').digest('hex');
  return bodyWithKey.replace(`"auth":"${apiKey}"`, `"auth":"${digest}"`);
}
