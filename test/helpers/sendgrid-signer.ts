import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { WebhookRequest } from '../../src/providers/types.js';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** A SendGrid-style key pair: `verificationKey` is what the SendGrid console shows (base64 DER SPKI). */
export interface SendgridKeys {
  privateKey: KeyObject;
  verificationKey: string;
  pem: string;
}

export function makeSendgridKeys(): SendgridKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    verificationKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The wire format of spec A §1.1: elements separated by `},\r\n{`, trailing CRLF. */
export function sendgridBody(events: readonly unknown[]): string {
  return JSON.stringify(events).split('},{').join('},\r\n{') + '\r\n';
}

/** Base64 DER ECDSA P-256/SHA-256 signature over `timestamp ‖ body`, as SendGrid signs (§1.2). */
export function signSendgrid(keys: SendgridKeys, timestamp: string, body: string | Buffer): string {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return sign(
    'sha256',
    Buffer.concat([Buffer.from(timestamp, 'utf8'), raw]),
    keys.privateKey,
  ).toString('base64');
}

/** A webhook request carrying `body`, signed with `keys` at `timestamp` (Unix seconds). */
export function signedSendgridRequest(
  keys: SendgridKeys,
  body: string,
  opts: { timestamp?: string; receivedAt?: number } = {},
): WebhookRequest {
  const receivedAt = opts.receivedAt ?? 1_700_000_010_000;
  const timestamp = opts.timestamp ?? String(Math.floor(receivedAt / 1000));
  return sendgridRequest(
    body,
    {
      [SENDGRID_SIGNATURE_HEADER]: signSendgrid(keys, timestamp, body),
      [SENDGRID_TIMESTAMP_HEADER]: timestamp,
    },
    receivedAt,
  );
}

export function sendgridRequest(
  body: string | Buffer,
  headers: Record<string, string | undefined>,
  receivedAt = 1_700_000_010_000,
): WebhookRequest {
  return {
    rawBody: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    headers: { 'content-type': 'application/json', ...headers },
    url: '/webhooks/sendgrid',
    params: {},
    receivedAt,
  };
}
