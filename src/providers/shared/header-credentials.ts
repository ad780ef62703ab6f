import type { VerifyResult, WebhookRequest } from '../types.js';
import { verifySharedSecret, type SharedSecrets } from './credentials.js';
import { matchesAny } from './secrets.js';

/**
 * Shared secrets of an unsigned provider that can also send a static token in a header
 * (SparkPost `X-MessageSystems-Webhook-Token` or a custom header, Brevo `Authorization: Bearer`).
 */
export interface HeaderCredentials extends SharedSecrets {
  /** Accepted header tokens (several for rotation); empty: header tokens are not accepted. */
  headerTokens: readonly string[];
  /** Lower-cased header names that carry the token; for `authorization`, the `Bearer` token. */
  tokenHeaders: readonly string[];
}

function presentedTokens(req: WebhookRequest, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const value = req.headers[name]?.trim();
    if (value === undefined || value === '') continue;
    if (name !== 'authorization') out.push(value);
    else {
      const bearer = /^Bearer[ \t]+(\S{1,1024})$/i.exec(value)?.[1];
      if (bearer !== undefined) out.push(bearer);
    }
  }
  return out;
}

/**
 * Basic auth, the `:token` URL parameter or a header token: any one matching a configured value
 * passes. Every presented credential is compared (constant time, every configured value), so
 * timing does not tell which one matched.
 */
export function verifyHeaderCredentials(req: WebhookRequest, c: HeaderCredentials): VerifyResult {
  const tokens = c.headerTokens.length > 0 ? presentedTokens(req, c.tokenHeaders) : [];
  let headerOk = false;
  for (const t of tokens) headerOk = matchesAny(t, c.headerTokens) || headerOk;
  const shared = verifySharedSecret(req, c);
  if (shared.ok || headerOk) return { ok: true };
  if (tokens.length === 0) return shared;
  return { ok: false, reason: 'credential does not match any configured one' };
}
