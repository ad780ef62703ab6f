import { ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import { verifySharedSecret, type SharedSecrets } from '../shared/credentials.js';
import { parseJsonLossless } from '../shared/json-lossless.js';
import type {
  AdapterResult,
  ItemError,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';
import { mapMailjetEvent } from './mailjet.events.js';

export interface MailjetAdapterOptions {
  /** Basic auth pairs and URL tokens (spec B §7.2), several of each for rotation. */
  credentials: SharedSecrets;
}

export interface MailjetAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

function itemsOf(rawBody: Buffer): unknown[] {
  // §0 rule 6: MessageID (~1.9e16) does not survive a plain JSON.parse.
  const body = parseJsonLossless(rawBody);
  // §7.1: Version 1 posts one object, Version 2 ("grouped") an array; accept both.
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) return [body];
  throw new ParseError('Mailjet body is neither a JSON object nor an array');
}

function parse(req: WebhookRequest): AdapterResult {
  const events: NormalisedEvent[] = [];
  const errors: ItemError[] = [];
  const skipped = new Set<string>();
  itemsOf(req.rawBody).forEach((raw, index) => {
    const item = mapMailjetEvent(raw, req.receivedAt);
    if (item.kind === 'event') events.push(item.event);
    else if (item.kind === 'error') errors.push({ index, error: item.error });
    else skipped.add(item.reason);
  });
  if (events.length === 0 && errors.length === 0)
    return { kind: 'ignored', reason: skipped.size > 0 ? [...skipped].join('; ') : 'empty batch' };
  return { kind: 'events', events, errors };
}

/** `POST /webhooks/mailjet[/:token]`: Event API callbacks, one object or a grouped array. */
export function createMailjetAdapter(opts: MailjetAdapterOptions): MailjetAdapter {
  return {
    name: 'mailjet',
    verify: (req) => verifySharedSecret(req, opts.credentials),
    parse,
  };
}
