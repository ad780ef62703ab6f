import { AppError, ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import type {
  AdapterResult,
  ItemError,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';
import { mapMandrillEvent } from './mandrill.events.js';
import { MANDRILL_TEST_KEY, mandrillSignatureMatches } from './mandrill-signature.js';

export interface MandrillAdapterOptions {
  webhookKeys: readonly string[];
  /** URLs as configured in Mandrill; empty: `publicUrl` + the path and query received. */
  webhookUrls: readonly string[];
  /** BOUNCER_PUBLIC_URL without a trailing slash, or null. */
  publicUrl: string | null;
  acceptTestKey: boolean;
}

export const MANDRILL_SIGNATURE_HEADER = 'x-mandrill-signature';
const EVENTS_FIELD = 'mandrill_events';
/** §3.1: a batch holds up to 1000 events. */
const MAX_BATCH_EVENTS = 1_000;

function formOf(req: WebhookRequest): URLSearchParams {
  return new URLSearchParams(req.rawBody.toString('utf8'));
}

function eventsArray(form: URLSearchParams): unknown[] {
  const json = form.get(EVENTS_FIELD);
  if (json === null) throw new ParseError(`no ${EVENTS_FIELD} form field`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new ParseError(`${EVENTS_FIELD} is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ParseError(`${EVENTS_FIELD} is not a JSON array`);
  if (parsed.length > MAX_BATCH_EVENTS)
    throw new ParseError(`${EVENTS_FIELD} holds more than ${MAX_BATCH_EVENTS} events`);
  return parsed;
}

export function createMandrillAdapter(opts: MandrillAdapterOptions): ProviderAdapter {
  if (opts.webhookKeys.length === 0)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_MANDRILL_WEBHOOK_KEYS: at least one key is required',
    );
  const urlsFor = (req: WebhookRequest): string[] =>
    opts.webhookUrls.length > 0 ? [...opts.webhookUrls] : [`${opts.publicUrl ?? ''}${req.url}`];

  return {
    name: 'mandrill',

    verify(req: WebhookRequest): VerifyResult {
      const signature = req.headers[MANDRILL_SIGNATURE_HEADER];
      if (!signature) return { ok: false, reason: 'missing X-Mandrill-Signature header' };
      if (req.rawBody.length === 0) return { ok: false, reason: 'empty body' };
      const form = formOf(req);
      const urls = urlsFor(req);
      if (mandrillSignatureMatches(signature, urls, opts.webhookKeys, form)) return { ok: true };
      // §3.1: the URL check posts an empty batch signed with the literal key `test-webhook`;
      // that key verifies nothing else.
      const emptyBatch = form.get(EVENTS_FIELD)?.trim() === '[]' && [...form.keys()].length === 1;
      if (
        opts.acceptTestKey &&
        emptyBatch &&
        mandrillSignatureMatches(signature, urls, [MANDRILL_TEST_KEY], form)
      )
        return { ok: true };
      return { ok: false, reason: 'signature does not match any configured key and URL' };
    },

    parse(req: WebhookRequest): AdapterResult {
      const items = eventsArray(formOf(req));
      const events: NormalisedEvent[] = [];
      const errors: ItemError[] = [];
      const skipped = new Set<string>();
      items.forEach((raw, index) => {
        const item = mapMandrillEvent(raw, req.receivedAt);
        if (item.kind === 'event') events.push(item.event);
        else if (item.kind === 'error') errors.push({ index, error: item.error });
        else skipped.add(item.reason);
      });
      if (events.length === 0 && errors.length === 0)
        return {
          kind: 'ignored',
          reason: items.length === 0 ? 'empty batch (Mandrill URL check)' : [...skipped].join('; '),
        };
      return { kind: 'events', events, errors };
    },
  };
}
