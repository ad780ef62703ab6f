import { maskAddress, normaliseEmail } from '../../core/address.js';
import { ParseError } from '../../core/errors.js';
import { makeEvent, type EventType, type NormalisedEvent } from '../../core/events.js';
import { bounceFields, suppressedSendReason } from '../shared/email-bounce.js';
import { compact, str, utcEpochMs } from '../shared/fields.js';
import { isObject } from '../shared/json-body.js';
import type { AdapterResult } from '../types.js';

type Json = Record<string, unknown>;

/** §2.3: events about one outgoing message and the `payload` field holding that message. */
const MESSAGE_EVENTS: Readonly<Record<string, { type: EventType; message: string }>> = {
  MessageSent: { type: 'delivered', message: 'message' },
  MessageDelayed: { type: 'deferred', message: 'message' },
  MessageDeliveryFailed: { type: 'bounce', message: 'message' },
  MessageHeld: { type: 'dropped', message: 'message' },
  MessageBounced: { type: 'bounce', message: 'original_message' },
  MessageLinkClicked: { type: 'click', message: 'message' },
  MessageLoaded: { type: 'open', message: 'message' },
};

function heldFields(details: string | null): Partial<NormalisedEvent> {
  // §2.3: Postal holds mail to an address on its suppression list (added after hard fails).
  if (details !== null && /suppression list/i.test(details))
    return {
      reason: suppressedSendReason(details),
      severity: 'hard',
      fineReason: 'suppressed',
      diagnostic: details,
    };
  return { reason: null, diagnostic: details };
}

function typeFields(event: string, p: Json): Partial<NormalisedEvent> {
  const output = str(p.output);
  const details = str(p.details);
  switch (event) {
    case 'MessageDeliveryFailed':
      // HardFail: Postal will not retry (§2.3); the SMTP reply in `output` decides the reason.
      return bounceFields(output ?? details, 'hard');
    case 'MessageBounced':
      // An asynchronous DSN after acceptance, without code or text: hard by policy (§2.3).
      return bounceFields(null, 'hard');
    case 'MessageDelayed':
      return { diagnostic: output ?? details };
    case 'MessageHeld':
      return heldFields(details);
    default:
      return {};
  }
}

const STATUS_EVENTS: Readonly<Record<string, string>> = {
  Sent: 'MessageSent',
  SoftFail: 'MessageDelayed',
  HardFail: 'MessageDeliveryFailed',
  Held: 'MessageHeld',
};

/**
 * The payload decides what happened, the envelope's name only where the payload is silent: a
 * status object carries `status` (§2.3), a bounce `original_message` + `bounce`, a click `url`.
 * (Payloads have been seen under another event name, e.g. a bounce named MessageDelayed.)
 */
function eventOf(name: string, p: Json | null): string {
  if (p === null) return name;
  const status = str(p.status);
  if (status !== null && Object.hasOwn(STATUS_EVENTS, status)) return STATUS_EVENTS[status] ?? name;
  if (isObject(p.bounce) && isObject(p.original_message)) return 'MessageBounced';
  if (str(p.url) !== null && isObject(p.message)) return 'MessageLinkClicked';
  return name;
}

/** One verified Postal webhook (`{event, timestamp, uuid, payload}`, §2.1) → its event. */
export function mapPostalEvent(body: unknown, receivedAt: number): AdapterResult {
  if (!isObject(body)) throw new ParseError('Postal webhook: body is not a JSON object');
  const name = str(body.event);
  if (name === null) throw new ParseError('Postal webhook: missing event');
  const p = isObject(body.payload) ? body.payload : null;
  const event = eventOf(name, p);
  const spec = Object.hasOwn(MESSAGE_EVENTS, event) ? MESSAGE_EVENTS[event] : undefined;
  if (spec === undefined)
    return { kind: 'ignored', reason: `Postal ${event} is not about a recipient` };
  const uuid = str(body.uuid);
  if (uuid === null) throw new ParseError(`Postal ${event}: missing uuid`);
  const message = p !== null && isObject(p[spec.message]) ? (p[spec.message] as Json) : null;
  if (p === null || message === null)
    throw new ParseError(`Postal ${event}: missing payload.${spec.message}`);
  // Incoming mail routed to an HTTP endpoint produces the same events: not about our recipients.
  if (str(message.direction) === 'incoming')
    return { kind: 'ignored', reason: `Postal ${event} for an incoming message` };
  const to = str(message.to);
  if (to === null) throw new ParseError(`Postal ${event}: message has no to`);
  const address = normaliseEmail(to);
  if (!address.ok) throw new ParseError(`Postal ${event}: recipient ${maskAddress(to)} is invalid`);
  const bounce = isObject(p.bounce) ? p.bounce : {};
  const e = makeEvent({
    type: spec.type,
    channel: 'email',
    address: address.address,
    occurredAt: utcEpochMs(p.timestamp, utcEpochMs(body.timestamp, receivedAt)),
    // §2.1: `uuid` is the same on every retry of one webhook request.
    dedupKey: uuid,
    providerMessageId: str(message.message_id),
    campaign: str(message.tag),
    ...typeFields(event, p),
    details: compact({
      event: name,
      status: str(p.status),
      postalMessageId: str(message.id),
      token: str(message.token),
      spamStatus: str(message.spam_status),
      bounceMessageId: str(bounce.message_id),
      url: event === 'MessageLinkClicked' ? str(p.url) : null,
    }),
  });
  return { kind: 'events', events: [e], errors: [] };
}
