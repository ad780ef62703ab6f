import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { AppError, ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import { parseJsonText } from '../shared/json-body.js';
import { mapSendgridEvent } from './sendgrid.events.js';
import type { ItemError, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';

/** Header names as Node hands them over (lower-cased); spec A §1.1. */
export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

// A DER ECDSA P-256 signature is at most 72 bytes (96 base64 characters); anything much longer
// is not a signature and is not worth decoding.
const MAX_SIGNATURE_HEADER_LENGTH = 256;
const MS_PER_SECOND = 1_000;

export interface SendgridAdapterOptions {
  /**
   * Verification keys (`BOUNCER_SENDGRID_PUBLIC_KEY`, comma-separated): base64 DER
   * SubjectPublicKeyInfo exactly as the SendGrid console shows it, or PEM. Each is tried, so a
   * rotated key and several webhooks (one key each) work side by side.
   */
  publicKeys: readonly string[];
  /**
   * Reject requests whose signed timestamp is further than this from `receivedAt`, in either
   * direction (`BOUNCER_SENDGRID_MAX_AGE_SECONDS`). Default: no window, because SendGrid retries
   * for 24 h and does not document re-signing retries (§1.3); dedup on `sg_event_id` is the
   * replay defence.
   */
  maxTimestampAgeSeconds?: number | undefined;
}

/** A SendGrid key (bare base64 DER SPKI or PEM) as a P-256 public key; misconfiguration fails at startup. */
export function parseSendgridPublicKey(key: string): KeyObject {
  const s = key.trim();
  let parsed: KeyObject;
  try {
    parsed = s.startsWith('-----BEGIN')
      ? createPublicKey(s)
      : createPublicKey({ key: Buffer.from(s, 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_SENDGRID_PUBLIC_KEY: not a base64 DER or PEM public key',
      { cause },
    );
  }
  if (
    parsed.asymmetricKeyType !== 'ec' ||
    parsed.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    throw new AppError('BOUNCER_ERR_CONFIG', 'BOUNCER_SENDGRID_PUBLIC_KEY: not an ECDSA P-256 key');
  }
  return parsed;
}

function verifyWithKey(key: KeyObject, signed: Buffer, signature: Buffer): boolean {
  try {
    return cryptoVerify('sha256', signed, { key, dsaEncoding: 'der' }, signature);
  } catch {
    // Malformed DER: invalid, never a throw (the official SDK throws here, §1.2).
    return false;
  }
}

const OPEN_BRACKET = 0x5b;

function firstNonSpace(body: Buffer): number | undefined {
  for (const b of body) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  return undefined;
}

function checkTimestamp(
  timestamp: string,
  receivedAt: number,
  maxAgeSeconds: number | undefined,
): VerifyResult {
  // Exactly the 10 digits SendGrid sends (§1.2): the signed string is timestamp‖body with no
  // separator, so a looser format would let digits move between the two.
  if (!/^\d{10}$/.test(timestamp))
    return { ok: false, reason: 'timestamp header is not 10-digit Unix seconds' };
  if (maxAgeSeconds === undefined) return { ok: true };
  const ageSeconds = receivedAt / MS_PER_SECOND - Number(timestamp);
  if (ageSeconds > maxAgeSeconds) return { ok: false, reason: 'timestamp too old' };
  if (-ageSeconds > maxAgeSeconds) return { ok: false, reason: 'timestamp in the future' };
  return { ok: true };
}

function parseEvents(req: WebhookRequest): {
  events: NormalisedEvent[];
  errors: ItemError[];
  skipped: string[];
} {
  const body = parseJsonText(req.rawBody.toString('utf8'), 'SendGrid body');
  if (!Array.isArray(body)) throw new ParseError('SendGrid body is not a JSON array');
  const events: NormalisedEvent[] = [];
  const errors: ItemError[] = [];
  const skipped: string[] = [];
  body.forEach((raw: unknown, index) => {
    const item = mapSendgridEvent(raw);
    if (item.kind === 'event') events.push(item.event);
    else if (item.kind === 'error') errors.push({ index, error: item.error });
    else skipped.push(item.reason);
  });
  return { events, errors, skipped };
}

/** SendGrid verification needs no I/O, so `verify` is synchronous. */
export interface SendgridAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

export function createSendgridAdapter(opts: SendgridAdapterOptions): SendgridAdapter {
  if (opts.publicKeys.length === 0)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_SENDGRID_PUBLIC_KEY: at least one key is required',
    );
  const maxAge = opts.maxTimestampAgeSeconds;
  if (maxAge !== undefined && !(Number.isFinite(maxAge) && maxAge > 0)) {
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_SENDGRID_MAX_AGE_SECONDS: must be a positive number of seconds',
    );
  }
  const keys = opts.publicKeys.map(parseSendgridPublicKey);

  return {
    name: 'sendgrid',

    // standard-webhooks order: headers → timestamp → signature over the raw bytes, every key.
    verify(req: WebhookRequest): VerifyResult {
      const signature = req.headers[SENDGRID_SIGNATURE_HEADER]?.trim();
      const timestamp = req.headers[SENDGRID_TIMESTAMP_HEADER]?.trim();
      if (!signature) return { ok: false, reason: 'missing signature header' };
      if (!timestamp) return { ok: false, reason: 'missing timestamp header' };
      if (signature.length > MAX_SIGNATURE_HEADER_LENGTH)
        return { ok: false, reason: 'signature header too long' };
      const time = checkTimestamp(timestamp, req.receivedAt, maxAge);
      if (!time.ok) return time;
      if (req.rawBody.length === 0) return { ok: false, reason: 'empty body' };
      // SendGrid always posts a JSON array; anything else is refused before it is stored.
      if (firstNonSpace(req.rawBody) !== OPEN_BRACKET)
        return { ok: false, reason: 'body is not a JSON array' };
      const signatureBytes = Buffer.from(signature, 'base64');
      // §1.2: the signed bytes are the timestamp header exactly as received, then the raw body.
      const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), req.rawBody]);
      for (const key of keys) if (verifyWithKey(key, signed, signatureBytes)) return { ok: true };
      return { ok: false, reason: 'signature does not match any configured key' };
    },

    parse(req: WebhookRequest) {
      const { events, errors, skipped } = parseEvents(req);
      if (events.length === 0 && errors.length === 0) {
        return {
          kind: 'ignored',
          reason: skipped.length > 0 ? [...new Set(skipped)].join('; ') : 'empty batch',
        };
      }
      return { kind: 'events', events, errors };
    },
  };
}
