import { createHmac } from 'node:crypto';

/** Standard Webhooks secrets: `whsec_` + base64 of 24 to 64 key bytes. */
export const STANDARD_WEBHOOK_SECRET_PATTERN = /^(whsec_)?[A-Za-z0-9+/]+={0,2}$/;

/** Null when the secret is usable, else what is wrong with it. */
export function checkStandardWebhookSecret(secret: string): string | null {
  const bytes = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  if (!STANDARD_WEBHOOK_SECRET_PATTERN.test(secret) || bytes.length < 24 || bytes.length > 64)
    return 'must be whsec_ followed by 24 to 64 base64-encoded bytes';
  return null;
}

/**
 * Standard Webhooks v1 signature (providers spec §4.1): base64 HMAC-SHA256 of
 * `id.timestamp.body`, keyed with the base64-decoded bytes after `whsec_`.
 */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The three headers a Standard Webhooks receiver verifies. */
export function standardWebhookHeaders(
  secret: string,
  id: string,
  nowMs: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const ts = Math.floor(nowMs / 1_000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signStandardWebhook(secret, id, ts, body),
  };
}
