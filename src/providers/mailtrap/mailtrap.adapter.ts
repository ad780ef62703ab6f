import { ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import { secretsForRequest, type AccountSecrets } from '../shared/account-secrets.js';
import { hexHmacMatches, isHexSha256 } from '../shared/hmac-hex.js';
import { isObject } from '../shared/json-body.js';
import type {
  AdapterResult,
  ItemError,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';
import { mapMailtrapEvent } from './mailtrap.events.js';

export interface MailtrapAdapterOptions {
  secrets: readonly string[];
  accounts: AccountSecrets;
}

export interface MailtrapAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

/** Mailtrap sends at most 500 events a request (§3.1); more is not Mailtrap. */
export const MAILTRAP_MAX_EVENTS = 500;

type Item = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * §3.1: `{"events":[…]}` (JSON) or one event object per line (JSON Lines,
 * `application/jsonl`). A bad line is an item error; the other lines are kept.
 */
function readItems(rawBody: Buffer, contentType: string): Item[] {
  const text = rawBody.toString('utf8');
  if (text.trim() === '') throw new ParseError('Mailtrap webhook: empty body');
  const lines = /jsonl|ndjson|json-lines/i.test(contentType);
  if (!lines) {
    try {
      const body: unknown = JSON.parse(text);
      if (isObject(body) && Array.isArray(body.events))
        return body.events.map((value) => ({ ok: true, value }));
      // A one-line JSON Lines body sent without its content type.
      if (isObject(body) && typeof body.event === 'string') return [{ ok: true, value: body }];
      throw new ParseError('Mailtrap webhook: JSON body without an events list');
    } catch (err) {
      if (err instanceof ParseError) throw err;
      if (!text.trim().includes('\n')) throw new ParseError('Mailtrap webhook: body is not JSON');
    }
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): Item => {
      try {
        return { ok: true, value: JSON.parse(line) };
      } catch {
        return { ok: false, error: 'line is not JSON' };
      }
    });
}

/** `POST /webhooks/mailtrap[/:account]`: `Mailtrap-Signature` = hex HMAC-SHA256 of the raw body (§3.2). */
export function createMailtrapAdapter(opts: MailtrapAdapterOptions): MailtrapAdapter {
  return {
    name: 'mailtrap',

    verify(req) {
      const secrets = secretsForRequest(req.params, opts.secrets, opts.accounts);
      if (!secrets.ok) return secrets;
      const signature = req.headers['mailtrap-signature']?.trim() ?? '';
      if (signature === '') return { ok: false, reason: 'missing Mailtrap-Signature header' };
      if (!isHexSha256(signature))
        return { ok: false, reason: 'Mailtrap-Signature is not 64 hex digits' };
      if (req.rawBody.length === 0) return { ok: false, reason: 'empty body' };
      return hexHmacMatches(req.rawBody, signature, secrets.secrets)
        ? { ok: true }
        : { ok: false, reason: 'Mailtrap-Signature does not match any configured secret' };
    },

    parse(req): AdapterResult {
      const items = readItems(req.rawBody, req.headers['content-type'] ?? '');
      if (items.length > MAILTRAP_MAX_EVENTS)
        throw new ParseError(
          `Mailtrap webhook: ${items.length} events (at most ${MAILTRAP_MAX_EVENTS})`,
        );
      const events: NormalisedEvent[] = [];
      const errors: ItemError[] = [];
      const skipped = new Set<string>();
      items.forEach((item, index) => {
        if (!item.ok) return void errors.push({ index, error: item.error });
        const r = mapMailtrapEvent(item.value, req);
        if (r.kind === 'event') events.push(r.event);
        else if (r.kind === 'skip') skipped.add(r.reason);
        else errors.push({ index, error: r.error });
      });
      if (events.length === 0 && errors.length === 0)
        return { kind: 'ignored', reason: [...skipped].join('; ') || 'no events' };
      return { kind: 'events', events, errors };
    },
  };
}
