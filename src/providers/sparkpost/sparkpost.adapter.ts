import { ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import { verifyHeaderCredentials, type HeaderCredentials } from '../shared/header-credentials.js';
import { parseJsonLossless } from '../shared/json-lossless.js';
import type {
  AdapterResult,
  ItemError,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';
import type { SparkpostUnsubscribeScope } from './sparkpost.config.js';
import { mapSparkpostItem } from './sparkpost.events.js';

export interface SparkpostAdapterOptions {
  /**
   * SparkPost signs nothing (spec B §5.2): the webhook's `basic` auth_type, a `:token` in the
   * URL, or a static header token (the deprecated `auth_token` header or a `custom_headers`
   * entry) is the credential. Each list may hold several values (rotation).
   */
  credentials: HeaderCredentials;
  unsubscribeScope: SparkpostUnsubscribeScope;
}

/** Credential checks are synchronous; the narrower type saves callers an await. */
export interface SparkpostAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

function itemsOf(rawBody: Buffer): unknown[] {
  // Lossless: event ids are strings, but a big integer where a string belongs must stay exact.
  const body = parseJsonLossless(rawBody);
  // §5.1: a JSON array; one bare element is accepted as a batch of one.
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) return [body];
  throw new ParseError('SparkPost body is neither a JSON array nor an object');
}

function parseBatch(
  req: WebhookRequest,
  unsubscribeScope: SparkpostUnsubscribeScope,
): AdapterResult {
  const events: NormalisedEvent[] = [];
  const errors: ItemError[] = [];
  const skipped = new Set<string>();
  const ctx = { receivedAt: req.receivedAt, unsubscribeScope };
  itemsOf(req.rawBody).forEach((raw, index) => {
    const item = mapSparkpostItem(raw, ctx);
    if (item.kind === 'event') events.push(item.event);
    else if (item.kind === 'error') errors.push({ index, error: item.error });
    else skipped.add(item.reason);
  });
  if (events.length === 0 && errors.length === 0)
    return { kind: 'ignored', reason: skipped.size > 0 ? [...skipped].join('; ') : 'empty batch' };
  return { kind: 'events', events, errors };
}

/** `POST /webhooks/sparkpost[/:token]`: batches of message, track, gen and unsubscribe events. */
export function createSparkpostAdapter(opts: SparkpostAdapterOptions): SparkpostAdapter {
  return {
    name: 'sparkpost',
    verify: (req) => verifyHeaderCredentials(req, opts.credentials),
    parse: (req) => parseBatch(req, opts.unsubscribeScope),
  };
}
