import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, ParseError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import type { DeliveryWriter } from '../../storage/queue/delivery-writer.js';
import { newId } from '../../storage/ids.js';
import { isRetryableDbError } from '../../storage/errors.js';
import type { NewDeliveryRow } from '../../storage/schema.js';
import {
  ignoredOutcome,
  parseRequest,
  type AdapterResult,
  type HandshakeAction,
  type ParseContext,
  type ParseOffload,
  type ProviderEndpoint,
  type WebhookOutcome,
  type WebhookRequest,
} from '../../providers/types.js';

/** kv keys holding an Idempotency-Key's body hash: `idem:<endpoint>:<sha256 of the key>`. */
export const IDEMPOTENCY_PREFIX = 'idem:';

/** What happened to one webhook request once it was verified and stored. */
export type IngestOutcome =
  | { kind: 'stored'; deliveryId: string; result: AdapterResult }
  | { kind: 'unparseable'; deliveryId: string; error: string };

/** Performs protocol steps such as confirming an SNS subscription. */
export type HandshakeHandler = (
  action: HandshakeAction,
  endpoint: ProviderEndpoint,
) => Promise<string>;

/**
 * Headers worth keeping with a raw delivery (what the adapters read), never cookies or auth.
 * Standard Webhooks' message id is the events' dedup key when the worker parses the delivery.
 */
const KEPT_HEADERS =
  /^(content-type|user-agent|x-[a-z0-9-]+|idempotency-key|(webhook|svix)-(id|timestamp))$/;
const DROPPED_HEADERS = new Set(['x-api-key', 'x-forwarded-for']);
// Static credentials some unsigned providers send in an x- header (SparkPost's
// X-MessageSystems-Webhook-Token, custom token headers): never stored.
const SECRET_HEADER = /token|secret|password|passwd|api-?key|auth/;

function keptHeaders(
  headers: WebhookRequest['headers'],
  secret: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (
      v !== undefined &&
      KEPT_HEADERS.test(k) &&
      !DROPPED_HEADERS.has(k) &&
      !SECRET_HEADER.test(k) &&
      !secret.includes(k)
    )
      out[k] = v;
  return out;
}

export interface IngestDeps {
  writer: DeliveryWriter;
  clock: Clock;
  logger: Logger;
  parseContext: ParseContext;
  /** Large bodies parsed off the event loop (bounce mail); absent: inline. */
  offload?: ParseOffload;
  /** Where Idempotency-Keys are claimed (absent: no check). */
  kv?: { claim(key: string, value: string, now: number): Promise<string> };
  handshake: HandshakeHandler;
  onRejected?: (endpoint: ProviderEndpoint, reason: string) => void;
  /** Every request's outcome, for metrics. */
  onOutcome?: (endpoint: ProviderEndpoint, outcome: WebhookOutcome) => void;
}

/**
 * The webhook path: verify the raw bytes, parse them (pure, cheap) to answer precisely, commit
 * the raw delivery durably (group commit), then answer. The worker applies the events later
 * from the stored bytes, so nothing acknowledged depends on this process staying alive.
 */
export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /**
   * An Idempotency-Key names one request: the same key again with the same body is a retry
   * (stored, then deduplicated as before), with another body a client error (409) — never an
   * event silently dropped as a duplicate of a different one. Keys are kept as long as deliveries.
   */
  private async checkIdempotency(endpoint: ProviderEndpoint, req: WebhookRequest): Promise<void> {
    const key = req.headers['idempotency-key'];
    if (!key || !this.deps.kv) return;
    const body = createHash('sha256').update(req.rawBody).digest('hex');
    const name = `${IDEMPOTENCY_PREFIX}${endpoint.id}:${createHash('sha256').update(key).digest('hex')}`;
    const stored = await this.deps.kv.claim(name, body, this.deps.clock.now());
    if (stored !== body)
      throw new AppError(
        'BOUNCER_ERR_CONFLICT',
        'This Idempotency-Key was already used with a different body',
      );
  }

  async receive(endpoint: ProviderEndpoint, req: WebhookRequest): Promise<IngestOutcome> {
    const verdict = await endpoint.adapter.verify(req);
    if (!verdict.ok) {
      this.deps.logger.warn({ endpoint: endpoint.id, reason: verdict.reason }, 'webhook rejected');
      this.deps.onRejected?.(endpoint, verdict.reason);
      this.deps.onOutcome?.(endpoint, 'rejected');
      throw new AppError(
        verdict.retryLater ? 'BOUNCER_ERR_UNAVAILABLE' : 'BOUNCER_ERR_UNAUTHORIZED',
      );
    }
    await this.checkIdempotency(endpoint, req);
    const id = newId(req.receivedAt);
    let status: 'pending' | 'ignored' | 'done' | 'dead';
    let outcome: IngestOutcome;
    let note: string | null = null;
    try {
      const result = await parseRequest(this.deps.offload, endpoint, req, this.deps.parseContext);
      outcome = { kind: 'stored', deliveryId: id, result };
      if (result.kind === 'events' && result.events.length > 0) status = 'pending';
      else if (result.kind !== 'handshake') {
        // Also a batch whose every item was refused: the item errors are its outcome.
        status = 'ignored';
        note = ignoredOutcome(result);
      } else {
        note = await this.deps.handshake(result.action, endpoint);
        status = 'done';
      }
    } catch (err) {
      // A deliberate answer (a handshake that cannot reach the provider: 503) stays one.
      if (err instanceof AppError && !(err instanceof ParseError)) {
        this.deps.onOutcome?.(endpoint, 'failed');
        throw err;
      }
      // Authentic but malformed: keep it as a dead delivery with the parse error. An adapter
      // that throws anything else on verified bytes is treated alike: a 5xx would only make
      // the provider send the same bytes again, forever; dead, they wait for a fixed parser.
      const message =
        err instanceof ParseError
          ? err.message
          : `the payload could not be read (${String((err as Error)?.message ?? err).slice(0, 200)})`;
      if (!(err instanceof ParseError))
        this.deps.logger.error({ err, endpoint: endpoint.id }, 'adapter failed on a verified body');
      outcome = { kind: 'unparseable', deliveryId: id, error: message };
      status = 'dead';
      note = message;
    }
    const row: NewDeliveryRow = {
      id,
      provider: endpoint.adapter.name,
      endpoint: endpoint.id,
      received_at: req.receivedAt,
      url: req.url,
      params: JSON.stringify(req.params),
      headers: JSON.stringify(keptHeaders(req.headers, endpoint.secretHeaders)),
      body: req.rawBody,
      status,
      attempts: 0,
      run_at: req.receivedAt,
      last_error: status === 'dead' ? note : null,
      outcome: status === 'pending' ? null : status === 'dead' ? 'parse error' : note,
      processed_at: status === 'pending' ? null : this.deps.clock.now(),
    };
    try {
      await this.deps.writer.write(row);
    } catch (err) {
      this.deps.logger.error({ err, endpoint: endpoint.id }, 'could not store delivery');
      this.deps.onOutcome?.(endpoint, 'failed');
      throw new AppError(
        isRetryableDbError(err) ? 'BOUNCER_ERR_UNAVAILABLE' : 'BOUNCER_ERR_INTERNAL',
        undefined,
        { cause: err },
      );
    }
    this.deps.onOutcome?.(
      endpoint,
      status === 'pending' ? 'accepted' : status === 'dead' ? 'failed' : 'ignored',
    );
    return outcome;
  }
}

/** The stored delivery as the adapter first saw it, for the worker and replays. */
export function storedRequest(row: {
  body: Buffer | Uint8Array;
  headers: string;
  url: string;
  params: string;
  received_at: number;
}): WebhookRequest {
  return {
    rawBody: Buffer.isBuffer(row.body) ? row.body : Buffer.from(row.body),
    headers: JSON.parse(row.headers) as Record<string, string>,
    url: row.url,
    params: JSON.parse(row.params) as Record<string, string>,
    receivedAt: Number(row.received_at),
  };
}
