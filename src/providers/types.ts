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

/**
 * How the HTTP edge answers a provider (status codes, content type). Named here, implemented in
 * `http/webhook-replies.ts`: a provider says which answer its sender expects, http/ owns HTTP.
 */
export const REPLY_POLICIES = ['standard', 'twiml', 'generic', 'drip-signed'] as const;
export type ReplyPolicyName = (typeof REPLY_POLICIES)[number];

/**
 * One webhook URL: which adapter verifies and parses it, how it authenticates, its body limit
 * and how it answers. The worker finds the adapter again by `id`, stored with each delivery, so
 * an id never changes once released.
 */
export interface ProviderEndpoint {
  id: string;
  /** Fastify route path, e.g. `/webhooks/inboxroad/:token`. */
  path: string;
  /** POST unless the provider only sends GET (query parameters, empty body). */
  method?: 'POST' | 'GET';
  adapter: ProviderAdapter;
  /** `adapter`: the adapter's verify; `api-key`: a write-scoped API key at the HTTP edge. */
  auth: 'adapter' | 'api-key';
  /** `single`/`batch`: the configured limits (BOUNCER_BODY_LIMIT_*); a number is bytes. */
  bodyLimit: 'single' | 'batch' | number;
  reply: ReplyPolicyName;
  /**
   * Source networks (CIDR or single addresses) allowed to call this URL, checked at the HTTP edge
   * before the body is read; empty or absent: any source (the credential alone decides).
   */
  allowedIps?: readonly string[];
}

/**
 * Runs an adapter's `parse` of a large body off the event loop (a worker-thread pool built by
 * the composition root), so one expensive input cannot stall every other request. Resolves to
 * what `parse` returns and rejects with a `ParseError` exactly where `parse` throws one.
 */
export interface ParseOffload {
  /** True when this endpoint's request is parsed off the event loop. */
  accepts(endpoint: ProviderEndpoint, req: WebhookRequest): boolean;
  parse(endpoint: ProviderEndpoint, req: WebhookRequest, ctx: ParseContext): Promise<AdapterResult>;
}

/** The adapter's parse, off the event loop when the offload takes this request. */
export async function parseRequest(
  offload: ParseOffload | undefined,
  endpoint: ProviderEndpoint,
  req: WebhookRequest,
  ctx: ParseContext,
): Promise<AdapterResult> {
  if (offload?.accepts(endpoint, req)) return offload.parse(endpoint, req, ctx);
  return endpoint.adapter.parse(req, ctx);
}
