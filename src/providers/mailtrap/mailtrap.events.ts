import type { BatchItem } from '../types.js';
import { maskAddress, normaliseEmail } from '../../core/address.js';
import { makeEvent, type EventType, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { bounceFields, suppressedSendReason } from '../shared/email-bounce.js';
import { compact, str, utcEpochMs } from '../shared/fields.js';
import { isObject } from '../shared/json-body.js';
import type { WebhookRequest } from '../types.js';

type Json = Record<string, unknown>;
export type MailtrapItem = BatchItem;

/** §3.3 sending events. Note `soft bounce`: the name has a space. */
const EVENT_TYPES: Readonly<Record<string, EventType>> = {
  delivery: 'delivered',
  open: 'open',
  click: 'click',
  unsubscribe: 'unsubscribe',
  spam: 'complaint',
  // Mailtrap keeps retrying after a soft bounce (§3.4): a deferral; the final outcome follows.
  'soft bounce': 'deferred',
  bounce: 'bounce',
  suspension: 'dropped',
  reject: 'dropped',
};

/**
 * §3.4: `bounce` includes policy and content refusals (the official sample is `555 [CS01]
 * Message rejected due to local policy`, category `spam`): not the address's fault.
 */
const SENDER_SIDE_CATEGORIES = new Set(['spam', 'block', 'content', 'badsender']);

function typeFields(name: string, e: Json): Partial<NormalisedEvent> {
  const response = str(e.response);
  const code = str(e.response_code);
  const smtpCode = code !== null && /^[245]\d\d$/.test(code) ? code : null;
  switch (name) {
    case 'bounce': {
      const category = str(e.bounce_category)?.toLowerCase() ?? null;
      if (category !== null && SENDER_SIDE_CATEGORIES.has(category))
        return { ...bounceFields(response, 'soft', { smtpCode }), reason: null, severity: 'soft' };
      return bounceFields(response, 'hard', { smtpCode });
    }
    case 'soft bounce': {
      const f = bounceFields(response, 'soft', { smtpCode });
      return { diagnostic: f.diagnostic, smtpCode: f.smtpCode, enhancedStatus: f.enhancedStatus };
    }
    case 'spam':
      return { reason: 'spam_complaint' };
    case 'unsubscribe':
      return { reason: 'unsubscribe' };
    case 'reject': {
      // "Recipient in suppression list. Reason: unsubscription": already on Mailtrap's list.
      const reason = str(e.reason);
      if (reason !== null && /^recipient in suppression list/i.test(reason))
        return {
          reason: suppressedSendReason(reason),
          fineReason: 'suppressed',
          diagnostic: reason,
        };
      return { reason: null, diagnostic: reason };
    }
    case 'suspension':
      // The account or stream was suspended ("daily sending limit"): never the recipient's fault.
      return { reason: null, fineReason: 'suspend', diagnostic: str(e.reason) };
    default:
      return {};
  }
}

/** One Mailtrap event object → its normalised event, a skip or an item error. */
export function mapMailtrapEvent(raw: unknown, req: WebhookRequest): MailtrapItem {
  if (!isObject(raw)) return { kind: 'error', error: 'event is not an object' };
  const name = str(raw.event)?.toLowerCase() ?? null;
  if (name === null) return { kind: 'error', error: 'missing event' };
  const type = Object.hasOwn(EVENT_TYPES, name) ? EVENT_TYPES[name] : undefined;
  // Audit-log webhooks (`activity_log.*`) and future types: about no recipient we know.
  if (type === undefined)
    return { kind: 'skip', reason: `Mailtrap ${name.slice(0, 40)} is not used` };
  const email = str(raw.email);
  if (email === null) return { kind: 'error', error: `${name} without email` };
  const address = normaliseEmail(email);
  if (!address.ok) return { kind: 'error', error: `email ${maskAddress(email)} is invalid` };
  const event = makeEvent({
    type,
    channel: 'email',
    address: address.address,
    occurredAt: utcEpochMs(raw.timestamp, req.receivedAt),
    // §3.3: `event_id` is "for idempotency"; batches may be re-sent whole (§3.5).
    dedupKey:
      str(raw.event_id) ??
      dedupHash('mailtrap', name, email, str(raw.message_id), str(raw.timestamp)),
    providerMessageId: str(raw.message_id),
    campaign: str(raw.category),
    ...typeFields(name, raw),
    details: compact({
      event: name,
      sendingStream: str(raw.sending_stream),
      sendingDomain: str(raw.sending_domain_name),
      bounceCategory: str(raw.bounce_category),
      url: str(raw.url),
      account: req.params.account,
    }),
  });
  return { kind: 'event', event };
}
