import { maskAddress, normaliseEmail } from '../../core/address.js';
import { ParseError } from '../../core/errors.js';
import { makeEvent, type EventType, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { verifySharedSecret } from '../shared/credentials.js';
import { bounceFields, suppressedSendReason } from '../shared/email-bounce.js';
import { compact, str, utcEpochMs } from '../shared/fields.js';
import { isObject } from '../shared/json-body.js';
import { matchesAny } from '../shared/secrets.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';

export interface Smtp2goAdapterOptions {
  tokens: readonly string[];
  basic: readonly string[];
}

export interface Smtp2goAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

type Json = Record<string, unknown>;

/** §5.1 selectable events (a few spellings of the same names are accepted: the docs vary). */
const EVENTS: Readonly<Record<string, EventType>> = {
  processed: 'processed',
  delivered: 'delivered',
  open: 'open',
  opened: 'open',
  click: 'click',
  clicked: 'click',
  bounce: 'bounce',
  bounced: 'bounce',
  spam: 'complaint',
  unsubscribe: 'unsubscribe',
  unsubscribed: 'unsubscribe',
  resubscribe: 'resubscribe',
  resubscribed: 'resubscribe',
  reject: 'dropped',
  rejected: 'dropped',
};

/** §5.1: JSON or form-encoded, chosen per webhook. */
function readBody(req: WebhookRequest): Json {
  const text = req.rawBody.toString('utf8');
  if (text.trim() === '') throw new ParseError('SMTP2GO webhook: empty body');
  if (/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
    const out: Json = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const key = k.replace(/\[\]$/, '');
      if (key === 'recipients')
        out.recipients = [...((out.recipients as string[] | undefined) ?? []), v];
      else out[key] = v;
    }
    return out;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ParseError('SMTP2GO webhook: body is neither JSON nor form-encoded');
  }
  if (!isObject(body)) throw new ParseError('SMTP2GO webhook: body is not a JSON object');
  return body;
}

function typeFields(type: EventType, b: Json): Partial<NormalisedEvent> {
  const text = str(b.message) ?? str(b.context);
  if (type === 'bounce') {
    const kind = str(b.bounce)?.toLowerCase();
    return bounceFields(text, kind === 'hard' ? 'hard' : kind === 'soft' ? 'soft' : null);
  }
  if (type === 'dropped')
    // §5.1: refused because the recipient hard-bounced, complained or unsubscribed before.
    return {
      reason: suppressedSendReason(text),
      severity: 'hard',
      fineReason: 'suppressed',
      diagnostic: text,
    };
  if (type === 'complaint') return { reason: 'spam_complaint' };
  if (type === 'unsubscribe') return { reason: 'unsubscribe' };
  return {};
}

function parse(req: WebhookRequest): AdapterResult {
  const b = readBody(req);
  const name = str(b.event)?.toLowerCase() ?? null;
  if (name === null) throw new ParseError('SMTP2GO webhook: missing event');
  const type = Object.hasOwn(EVENTS, name) ? EVENTS[name] : undefined;
  if (type === undefined)
    return { kind: 'ignored', reason: `SMTP2GO ${name.slice(0, 40)} is not used` };
  const rcpt =
    str(b.rcpt) ??
    (Array.isArray(b.recipients) && b.recipients.length === 1 ? str(b.recipients[0]) : null);
  if (rcpt === null) throw new ParseError(`SMTP2GO ${name}: no rcpt`);
  const address = normaliseEmail(rcpt);
  if (!address.ok) throw new ParseError(`SMTP2GO ${name}: rcpt ${maskAddress(rcpt)} is invalid`);
  const event = makeEvent({
    type,
    channel: 'email',
    address: address.address,
    occurredAt: utcEpochMs(b.time, utcEpochMs(b.sendtime, req.receivedAt)),
    // §5.4: no event id.
    dedupKey: dedupHash(
      'smtp2go',
      name,
      str(b.email_id),
      rcpt.toLowerCase(),
      str(b.time),
      str(b.bounce),
    ),
    providerMessageId: str(b.email_id),
    ...typeFields(type, b),
    details: compact({ event: name, bounce: str(b.bounce), host: str(b.host) }),
  });
  return { kind: 'events', events: [event], errors: [] };
}

/** `POST /webhooks/smtp2go[/:token]`: unsigned; a configured token or Basic pair must match. */
export function createSmtp2goAdapter(opts: Smtp2goAdapterOptions): Smtp2goAdapter {
  return {
    name: 'smtp2go',
    verify(req) {
      const bearer = /^Bearer[ \t]+(\S{1,1024})[ \t]*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (bearer !== undefined)
        return matchesAny(bearer, opts.tokens)
          ? { ok: true }
          : { ok: false, reason: 'Bearer token does not match any configured one' };
      return verifySharedSecret(req, { basic: opts.basic, urlTokens: opts.tokens });
    },
    parse,
  };
}
