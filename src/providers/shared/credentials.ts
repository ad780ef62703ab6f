import type { VerifyResult, WebhookRequest } from '../types.js';
import { matchesAny, safeEqual } from './secrets.js';

/** A guessable token would open the endpoint to anyone: 16 characters is 64+ bits as hex. */
export const MIN_SHARED_SECRET_LENGTH = 16;

/** `user:password` pairs and URL tokens accepted for a provider that signs nothing. */
export interface SharedSecrets {
  /** HTTP Basic credentials as `user:password` (several for rotation). */
  basic: readonly string[];
  /** Secret tokens for the `:token` route parameter (several for rotation). */
  urlTokens: readonly string[];
}

/** The `user:password` of an HTTP Basic `Authorization` header, if there is one. */
export function basicCredentials(header: string | undefined): string | undefined {
  const m = header ? /^Basic[ \t]+([A-Za-z0-9+/=]{1,1024})[ \t]*$/i.exec(header) : null;
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  return decoded.includes(':') ? decoded : undefined;
}

/**
 * Verification for providers that sign nothing (Postmark, SparkPost, Brevo, Mailjet, SMTP2GO,
 * Elastic Email…): the Basic credentials or the URL token must equal a configured one, compared
 * in constant time against every configured value (no early exit).
 */
export function verifySharedSecret(req: WebhookRequest, secrets: SharedSecrets): VerifyResult {
  const token = req.params.token;
  const basic = basicCredentials(req.headers.authorization);
  if (token === undefined && basic === undefined)
    return { ok: false, reason: 'missing URL token and Basic auth' };
  let ok = false;
  if (token !== undefined && token !== '') ok = matchesAny(token, secrets.urlTokens) || ok;
  if (basic !== undefined) {
    for (const pair of secrets.basic) ok = safeEqual(basic, pair) || ok;
  }
  return ok ? { ok: true } : { ok: false, reason: 'credential does not match any configured one' };
}

/** Validate configured shared secrets at start-up; the message names the setting. */
export function checkSharedSecrets(
  setting: string,
  values: readonly string[],
  kind: 'basic' | 'token',
): string | null {
  for (const v of values) {
    const secret = kind === 'basic' ? v.slice(v.indexOf(':') + 1) : v;
    if (kind === 'basic' && !v.includes(':')) return `${setting}: expected user:password`;
    if (secret.length < MIN_SHARED_SECRET_LENGTH)
      return `${setting}: every secret needs at least ${MIN_SHARED_SECRET_LENGTH} characters`;
  }
  return null;
}
