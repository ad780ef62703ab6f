import type { NormalisedEvent } from '../core/events.js';

/**
 * What an adapter sees of a webhook request: the raw bytes and the parts of the request that
 * matter, never a Fastify request (HOUSE_STYLE dependency rule 2). The same shape is stored with
 * each delivery, so the worker (and a replay) can parse it again later.
 */
export interface WebhookRequest {
  rawBody: Buffer;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Path and query exactly as received, e.g. `/webhooks/twilio/status?tenant=acme`. */
  url: string;
  /** Route parameters (e.g. the URL token). */
  params: Readonly<Record<string, string>>;
  /** Epoch milliseconds when Bouncer received it. */
  receivedAt: number;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Per-item failure inside a batch: the rest of the batch is kept. */
export interface ItemError {
  index: number;
  error: string;
}

export type AdapterResult =
  | { kind: 'events'; events: NormalisedEvent[]; errors: ItemError[] }
  | { kind: 'ignored'; reason: string }
  /** A protocol step rather than an event (SNS subscription confirmation). */
  | { kind: 'handshake'; action: HandshakeAction };

export type HandshakeAction =
  | { type: 'confirm-subscription'; subscribeUrl: string; topicArn: string }
  | { type: 'log'; message: string; topicArn?: string };

/** Settings every adapter's parse may need. */
export interface ParseContext {
  /** ISO region used to read national phone numbers (`BOUNCER_DEFAULT_PHONE_REGION`). */
  defaultPhoneRegion: string;
}

/**
 * One provider. Pure: `verify` checks the request really comes from the provider (raw bytes,
 * constant-time comparison, every configured secret), `parse` turns verified bytes into events.
 * `parse` throws `ParseError` for a payload it cannot understand; a delivery like that is
 * stored as dead, never retried in a loop.
 */
export interface ProviderAdapter {
  /** Stored as the event's provider, e.g. `sendgrid`. */
  readonly name: string;
  verify(req: WebhookRequest): VerifyResult | Promise<VerifyResult>;
  parse(req: WebhookRequest, ctx: ParseContext): AdapterResult;
}
