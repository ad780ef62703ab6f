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

export type VerifyResult =
  | { ok: true }
  | {
      ok: false;
      reason: string;
      /**
       * Answer 503 instead of the uniform 401: the provider re-sends the request signed when told
       * to retry (Vonage's rare unsigned Messages callbacks, spec C §8.4).
       */
      retryLater?: true;
    };

/** Per-item failure inside a batch: the rest of the batch is kept. */
export interface ItemError {
  index: number;
  error: string;
}

/** Longest item-error text kept with a delivery's outcome. */
const ITEM_ERRORS_MAX_CHARS = 500;

/** `1 item(s) rejected: #0 invalid email: …`, kept with the delivery so a refused item stays visible. */
export function describeItemErrors(errors: readonly ItemError[]): string {
  const list = errors
    .map((e) => `#${e.index} ${e.error}`)
    .join('; ')
    .slice(0, ITEM_ERRORS_MAX_CHARS);
  return `${errors.length} item(s) rejected: ${list}`;
}

/** One item of a provider's batch: an event, a skip (a type Bouncer does not use) or an error. */
export type BatchItem =
  | { kind: 'event'; event: NormalisedEvent }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; error: string };

export type AdapterResult =
  | { kind: 'events'; events: NormalisedEvent[]; errors: ItemError[] }
  | { kind: 'ignored'; reason: string }
  /** A protocol step rather than an event (SNS subscription confirmation). */
  | { kind: 'handshake'; action: HandshakeAction };

/**
 * The stored outcome of a delivery that yields no events: the adapter's reason, or the refused
 * items when every item of a batch was bad (SendGrid `invalid@in valid` alone), never nothing.
 */
export function ignoredOutcome(result: AdapterResult): string {
  if (result.kind === 'ignored') return result.reason;
  if (result.kind === 'events' && result.errors.length > 0)
    return `0 event(s); ${describeItemErrors(result.errors)}`;
  return result.kind === 'events' ? 'no events' : result.kind;
}

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
/**
 * `exact-200`: 200 for every verified request, unparseable ones included (SparkPost and Mailjet
 * count only a 200 as received; Mailtrap retries any other status, 204 and 202 too; Elastic
 * Email's GET notifications must answer 200).
 */
export const REPLY_POLICIES = [
  'standard',
  'twiml',
  'generic',
  'drip-signed',
  'exact-200',
  'unsubscribe',
] as const;
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
  /**
   * HEAD and GET on the same path answer 200 with an empty body, reading and storing nothing:
   * for providers that check a URL before they post to it (Mandrill, spec B §3.1).
   */
  urlCheck?: boolean;
  /**
   * Lower-cased request headers that carry a credential (an API-destination token), never
   * stored with the delivery even when their name would otherwise be kept (`x-…`).
   */
  secretHeaders?: readonly string[];
}

/** How a webhook request ended, as metrics count it. */
export const WEBHOOK_OUTCOMES = ['accepted', 'ignored', 'rejected', 'failed'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

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
