import { Webhook } from 'standardwebhooks';

/**
 * Headers of a request signed by the official `standardwebhooks` library (the oracle, spec §4.2,
 * §8): `svix-*` as Resend names them, or the unbranded `webhook-*`.
 */
export function standardHeaders(
  secret: string,
  id: string,
  at: Date,
  body: string,
  naming: 'svix' | 'webhook' = 'svix',
): Record<string, string> {
  return {
    'content-type': 'application/json',
    [`${naming}-id`]: id,
    [`${naming}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${naming}-signature`]: new Webhook(secret).sign(id, at, body),
  };
}
