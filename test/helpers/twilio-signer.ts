import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import type { WebhookRequest } from '../../src/providers/types.js';

/** The token the spec's §2.12 samples were signed with. */
export const TWILIO_TEST_TOKEN = 'test_auth_token_0123456789abcdef';
export const TWILIO_TEST_PUBLIC_URL = 'https://hooks.example.com';
export const TWILIO_TEST_RECEIVED_AT = Date.UTC(2024, 2, 12, 15, 31, 0);

export type FormParams = Record<string, string | string[]>;

export interface SignOptions {
  /** Path and query as Bouncer receives them, e.g. `/webhooks/twilio/status?tenant=acme`. */
  path: string;
  token?: string;
  publicUrl?: string;
  receivedAt?: number;
}

/** `application/x-www-form-urlencoded` bytes, repeated keys written once per value. */
export function formBody(params: FormParams): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) form.append(key, v);
  }
  return form.toString();
}

export function webhookRequest(
  path: string,
  rawBody: string,
  headers: Record<string, string | undefined>,
  receivedAt = TWILIO_TEST_RECEIVED_AT,
): WebhookRequest {
  return {
    rawBody: Buffer.from(rawBody, 'utf8'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    url: path,
    params: {},
    receivedAt,
  };
}

/** A form-encoded webhook request signed by the official SDK, as Twilio would send it. */
export function signedTwilioRequest(params: FormParams, opts: SignOptions): WebhookRequest {
  const url = (opts.publicUrl ?? TWILIO_TEST_PUBLIC_URL) + opts.path;
  const signature = twilio.getExpectedTwilioSignature(opts.token ?? TWILIO_TEST_TOKEN, url, params);
  return webhookRequest(
    opts.path,
    formBody(params),
    { 'x-twilio-signature': signature },
    opts.receivedAt,
  );
}

/** A JSON-body request: `bodySHA256` appended to the query, URL signed with no params (spec §2.3). */
export function signedTwilioJsonRequest(body: string, opts: SignOptions): WebhookRequest {
  const separator = opts.path.includes('?') ? '&' : '?';
  const path = `${opts.path}${separator}bodySHA256=${twilio.getExpectedBodyHash(body)}`;
  const url = (opts.publicUrl ?? TWILIO_TEST_PUBLIC_URL) + path;
  const signature = twilio.getExpectedTwilioSignature(opts.token ?? TWILIO_TEST_TOKEN, url, {});
  return {
    ...webhookRequest(path, body, { 'x-twilio-signature': signature }, opts.receivedAt),
    headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
  };
}

/** Status-callback fields as Twilio sends them for an SMS (spec §2.7, §2.12). */
export function statusParams(overrides: FormParams = {}): FormParams {
  return {
    AccountSid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ApiVersion: '2010-04-01',
    From: '+15017250604',
    MessageSid: 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    MessageStatus: 'undelivered',
    MessagingServiceSid: 'MGcccccccccccccccccccccccccccccccc',
    SmsSid: 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    SmsStatus: 'undelivered',
    To: '+15558675310',
    ...overrides,
  };
}

/** Inbound-message fields (spec §2.9), without `OptOutType` (Advanced Opt-Out off). */
export function inboundParams(overrides: FormParams = {}): FormParams {
  return {
    AccountSid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ApiVersion: '2010-04-01',
    Body: 'Hello',
    From: '+15558675310',
    MessageSid: 'SMdddddddddddddddddddddddddddddddd',
    MessagingServiceSid: 'MGcccccccccccccccccccccccccccccccc',
    NumMedia: '0',
    NumSegments: '1',
    SmsMessageSid: 'SMdddddddddddddddddddddddddddddddd',
    SmsSid: 'SMdddddddddddddddddddddddddddddddd',
    SmsStatus: 'received',
    To: '+15017250604',
    ...overrides,
  };
}

export interface TwilioSpecSample {
  publicUrl: string;
  path: string;
  signature: string;
  body: string;
}

/** The spec §2.12 samples (`status`, `inboundStop`, `json`), signed with `TWILIO_TEST_TOKEN`. */
export const TWILIO_SPEC_SAMPLES = JSON.parse(
  readFileSync(new URL('../fixtures/providers/twilio/spec-samples.json', import.meta.url), 'utf8'),
) as Record<'status' | 'inboundStop' | 'json', TwilioSpecSample>;

/** A spec sample as Bouncer receives it: the published bytes and signature, untouched. */
export function twilioSpecSample(name: 'status' | 'inboundStop' | 'json'): WebhookRequest {
  const { path, body, signature } = TWILIO_SPEC_SAMPLES[name];
  const contentType = name === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  return {
    ...webhookRequest(path, body, { 'x-twilio-signature': signature }),
    headers: { 'content-type': contentType, 'x-twilio-signature': signature },
  };
}
