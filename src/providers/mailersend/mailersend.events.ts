import { normaliseEmail, maskAddress } from '../../core/address.js';
import { ParseError } from '../../core/errors.js';
import { makeEvent, type EventType } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { bounceFields } from '../shared/email-bounce.js';
import { compact, str, utcEpochMs } from '../shared/fields.js';
import { isObject } from '../shared/json-body.js';
import type { AdapterResult, WebhookRequest } from '../types.js';

type Json = Record<string, unknown>;

/** `type` values about one recipient (spec §1.3, §1.5) and what each becomes. */
const ACTIVITY: Readonly<Record<string, EventType>> = {
  'activity.sent': 'processed',
  'activity.delivered': 'delivered',
  'activity.soft_bounced': 'bounce',
  'activity.hard_bounced': 'bounce',
  'activity.deferred': 'deferred',
  'activity.spam_complaint': 'complaint',
  'activity.unsubscribed': 'unsubscribe',
  'activity.opened': 'open',
  'activity.opened_unique': 'open',
  'activity.clicked': 'click',
  'activity.clicked_unique': 'click',
};

/**
 * §1.4: two payload generations. Fat: `data.email` is an object holding `recipient.email` and
 * `message.id`. Slim: `data.recipient` (or `data.email` as a string) and `data.message_id`.
 * Detected by shape, never by a version number (their numbering is a CONFLICT).
 */
function recipientOf(d: Json): string | null {
  if (isObject(d.email)) {
    const r = d.email.recipient;
    return isObject(r) ? str(r.email) : null;
  }
  return str(d.recipient) ?? str(d.email);
}

function messageIdOf(d: Json): string | null {
  if (isObject(d.email) && isObject(d.email.message)) return str(d.email.message.id);
  return str(d.message_id);
}

/** Bounce text: slim `meta.bounce_reason` (+ `bounce_code`), fat `morph.reason`/`readable_reason`. */
function bounceTextOf(d: Json): { text: string | null; code: string | null } {
  // `meta` may be null, {} or a PHP empty array `[]`.
  const meta = isObject(d.meta) ? d.meta : {};
  const morph = isObject(d.morph) ? d.morph : {};
  const code = str(meta.bounce_code);
  return {
    text: str(meta.bounce_reason) ?? str(morph.reason) ?? str(morph.readable_reason),
    code: code !== null && /^[245]\d\d$/.test(code) ? code : null,
  };
}

function detailsOf(body: Json, d: Json, req: WebhookRequest): Json {
  const meta = isObject(d.meta) ? d.meta : {};
  const tags = isObject(d.email) ? d.email.tags : d.tags;
  return compact({
    eventType: str(body.type),
    emailStatus: isObject(d.email) ? str(d.email.status) : str(d.type),
    emailId: isObject(d.email) ? str(d.email.id) : str(d.email_id),
    domainId: str(body.domain_id) ?? str(d.domain_id),
    webhookId: str(body.webhook_id),
    unsubscribeReason: str(meta.unsubscribe_reason),
    tags: Array.isArray(tags) ? tags.filter((t) => typeof t === 'string').slice(0, 20) : null,
    account: req.params.account,
  });
}

/** One verified MailerSend webhook body → its event (one per request, §1.1). */
export function mapMailersendEvent(body: unknown, req: WebhookRequest): AdapterResult {
  if (!isObject(body)) throw new ParseError('MailerSend webhook: body is not a JSON object');
  // The fat shape also names the event in `data.type` (`hard_bounced`): used when `type` is absent.
  const fatType = isObject(body.data) && !isObject(body.data.meta) ? str(body.data.type) : null;
  const type = str(body.type) ?? (fatType !== null ? `activity.${fatType}` : null);
  if (type === null) throw new ParseError('MailerSend webhook: missing type');
  // §1.2: the test ping proves nothing (its key is public) and never changes the list.
  if (type === 'webhook.test')
    return { kind: 'ignored', reason: 'MailerSend test ping (never changes the list)' };
  const eventType = Object.hasOwn(ACTIVITY, type) ? ACTIVITY[type] : undefined;
  if (eventType === undefined) return { kind: 'ignored', reason: `MailerSend ${type} is not used` };
  const d = isObject(body.data) ? body.data : null;
  if (d === null) throw new ParseError(`MailerSend ${type}: missing data`);
  const recipient = recipientOf(d);
  if (recipient === null) throw new ParseError(`MailerSend ${type}: no recipient`);
  const address = normaliseEmail(recipient);
  if (!address.ok)
    throw new ParseError(`MailerSend ${type}: recipient ${maskAddress(recipient)} is invalid`);
  const base = {
    channel: 'email' as const,
    address: address.address,
    occurredAt: utcEpochMs(d.created_at, utcEpochMs(body.created_at, req.receivedAt)),
    // §15.2: `data.id` is the activity id; without one, the bytes themselves are the event.
    dedupKey: str(d.id) ?? dedupHash('mailersend', req.rawBody.toString('utf8')),
    providerMessageId: messageIdOf(d),
    details: detailsOf(body, d, req),
  };
  if (eventType === 'bounce') {
    const { text, code } = bounceTextOf(d);
    const hard = type === 'activity.hard_bounced';
    return events([
      makeEvent({
        ...base,
        type: 'bounce',
        ...bounceFields(text, hard ? 'hard' : 'soft', { smtpCode: code }),
      }),
    ]);
  }
  if (eventType === 'deferred') {
    const { text } = bounceTextOf(d);
    return events([makeEvent({ ...base, type: 'deferred', diagnostic: text })]);
  }
  const reason =
    eventType === 'complaint'
      ? 'spam_complaint'
      : eventType === 'unsubscribe'
        ? 'unsubscribe'
        : null;
  return events([makeEvent({ ...base, type: eventType, reason })]);
}

function events(list: ReturnType<typeof makeEvent>[]): AdapterResult {
  return { kind: 'events', events: list, errors: [] };
}
