import { ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import { verifyHeaderCredentials, type HeaderCredentials } from '../shared/header-credentials.js';
import { isObject } from '../shared/json-body.js';
import { parseJsonLossless } from '../shared/json-lossless.js';
import type {
  AdapterResult,
  ItemError,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';
import { mapBrevoEvent } from './brevo.events.js';

export interface BrevoAdapterOptions {
  /**
   * Brevo signs nothing (spec B §6.2): Basic auth from the URL's userinfo, a bearer token set on
   * the webhook, or a `:token` in the URL is the credential; several of each for rotation.
   */
  credentials: HeaderCredentials;
}

export interface BrevoAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

type Items = { kind: 'items'; items: unknown[] } | { kind: 'ignored'; reason: string };

function itemsOf(rawBody: Buffer): Items {
  const body = parseJsonLossless(rawBody);
  // §6.1: one object per request, or an array when the webhook is `batched`.
  if (Array.isArray(body)) return { kind: 'items', items: body };
  if (!isObject(body)) throw new ParseError('Brevo body is neither a JSON object nor an array');
  // The inbound-parse webhook posts `{"items": [...]}`: mail received, not delivery events.
  if (Array.isArray(body.items) && body.event === undefined)
    return { kind: 'ignored', reason: 'Brevo inbound parse payload (not delivery events)' };
  return { kind: 'items', items: [body] };
}

function parse(req: WebhookRequest): AdapterResult {
  const read = itemsOf(req.rawBody);
  if (read.kind === 'ignored') return read;
  const events: NormalisedEvent[] = [];
  const errors: ItemError[] = [];
  const skipped = new Set<string>();
  read.items.forEach((raw, index) => {
    const item = mapBrevoEvent(raw, req.receivedAt);
    if (item.kind === 'event') events.push(item.event);
    else if (item.kind === 'error') errors.push({ index, error: item.error });
    else skipped.add(item.reason);
  });
  if (events.length === 0 && errors.length === 0)
    return { kind: 'ignored', reason: skipped.size > 0 ? [...skipped].join('; ') : 'empty batch' };
  return { kind: 'events', events, errors };
}

/** `POST /webhooks/brevo[/:token]`: transactional and marketing email events. */
export function createBrevoAdapter(opts: BrevoAdapterOptions): BrevoAdapter {
  return {
    name: 'brevo',
    verify: (req) => verifyHeaderCredentials(req, opts.credentials),
    parse,
  };
}
