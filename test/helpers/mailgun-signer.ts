import { createHmac, randomBytes } from 'node:crypto';

/** Mailgun's signature recipe (spec §1.2, §8): hex HMAC-SHA256 of timestamp then token. */
export function signMailgun(
  key: string,
  timestamp: string,
  token = randomBytes(25).toString('hex'),
): { timestamp: string; token: string; signature: string } {
  return {
    timestamp,
    token,
    signature: createHmac('sha256', key)
      .update(timestamp + token)
      .digest('hex'),
  };
}

/** A current-style Mailgun webhook body: `{signature, event-data}`. */
export function mailgunBody(
  key: string,
  eventData: Record<string, unknown>,
  timestamp: string,
  token?: string,
): string {
  return JSON.stringify({ signature: signMailgun(key, timestamp, token), 'event-data': eventData });
}
